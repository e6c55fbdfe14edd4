import { KubeConfig } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { KubeClient } from '../kube/client.js'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json } from '../testing/recording-server.js'
import { ingressTarget, realLabAdapters } from './real-lab.js'

describe('real lab adapters', () => {
  it('parses the ingress address and refuses anything else', () => {
    expect(ingressTarget('127.0.0.1:30000')).toEqual({ address: '127.0.0.1', port: 30000 })
    expect(() => ingressTarget('http://127.0.0.1')).toThrow(
      "--ingress: 'http://127.0.0.1' has a scheme; give only HOST:PORT",
    )
  })

  it("asks the cluster for istiod's image", async () => {
    const api = await startFakeApiServer((req, res) => {
      if (req.url.startsWith('/apis/apps/v1/namespaces/istio-system/deployments/istiod')) {
        json(res, 200, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'istiod' },
          spec: {
            template: {
              spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.17.8' }] },
            },
          },
        })
        return true
      }
      return false
    })
    try {
      const kc = new KubeConfig()
      kc.loadFromFile(writeKubeconfig({ currentContext: 'kind-t', contexts: ['kind-t'], server: api.url }))
      const adapters = realLabAdapters(
        new KubeClient(kc, 'kind-t'),
        ingressTarget('127.0.0.1:30000'),
        () => undefined,
      )
      expect(await adapters.cluster.istioVersion('istioinaction')).toBe('1.17.8')
    } finally {
      await api.close()
    }
  })
})
