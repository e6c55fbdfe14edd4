import { KubeConfig } from '@kubernetes/client-node'
import { afterEach, describe, expect, it } from 'vitest'
import { KubeClient } from '../helpers/kube/client.js'
import { startFakeApiServer } from '../helpers/testing/fake-apiserver.js'
import { writeKubeconfig } from '../helpers/testing/kubeconfig-fixtures.js'
import { json } from '../helpers/testing/recording-server.js'
import { createClusterApi, recordFromData } from './api-adapter.js'
import { judgeHealth, profileRecordOf } from './health.js'
import { PROFILES, type Profile } from './profiles.js'

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

const rolledOut = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, generation: 1 },
  spec: { replicas: 1, selector: { matchLabels: { app: name } } },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
})

async function apiWith(extra: Parameters<typeof startFakeApiServer>[0]) {
  const server = await startFakeApiServer(extra)
  close = server.close
  const kc = new KubeConfig()
  kc.loadFromFile(writeKubeconfig({ currentContext: 'kind-lab', contexts: ['kind-lab'], server: server.url }))
  return { server, api: createClusterApi(new KubeClient(kc, 'kind-lab')) }
}

describe('cluster API adapter against a recording API server', () => {
  it('observes components, the ingress Service and the namespace label', async () => {
    const { api } = await apiWith((req, res) => {
      const path = req.url.split('?')[0] ?? ''
      const deployment = /^\/apis\/apps\/v1\/namespaces\/istio-system\/deployments\/(.+)$/.exec(path)?.[1]
      if (deployment && deployment !== 'flagger') {
        json(res, 200, rolledOut(deployment))
        return true
      }
      if (path === '/api/v1/namespaces/istio-system/services/istio-ingressgateway') {
        // Shape of the Service istioctl creates from our overlay.
        json(res, 200, {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'istio-ingressgateway' },
          spec: {
            type: 'NodePort',
            ports: [
              { name: 'status-port', port: 15021, nodePort: 31021 },
              { name: 'http2', port: 80, nodePort: 30000 },
              { name: 'https', port: 443, nodePort: 30005 },
            ],
          },
        })
        return true
      }
      if (path === '/api/v1/namespaces/istioinaction') {
        json(res, 200, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'istioinaction', labels: { 'istio-injection': 'enabled' } },
        })
        return true
      }
      return false
    })
    const health = await api.observeHealth()
    expect(health.deployments.istiod?.ready).toBe(true)
    expect(health.deployments.flagger).toBeUndefined()
    expect(judgeHealth(health)).toEqual(['flagger is not installed'])
  })

  it('writes the profile record as a ConfigMap and reads it back', async () => {
    const { api, server } = await apiWith(() => false)
    const record = profileRecordOf(PROFILES.book as Profile, 'istio-conformance', '2026-11-27T08:00:00.000Z')
    expect(await api.readRecord()).toBeUndefined()
    await api.writeRecord(record)
    const patch = server.requests.find((r) => r.method === 'PATCH')
    expect(patch?.url).toContain('/api/v1/namespaces/kube-system/configmaps/istio-traffic-conformance')
    expect(await api.readRecord()).toEqual(record)
  })

  it('reads the server version from /version', async () => {
    const { api } = await apiWith((req, res) => {
      if (req.url === '/version') {
        json(res, 200, { gitVersion: 'v1.26.15' })
        return true
      }
      return false
    })
    expect(await api.serverVersion()).toBe('v1.26.15')
  })
})

describe('recordFromData', () => {
  it('rejects a partial record', () => {
    expect(recordFromData({ profile: 'book' })).toBeUndefined()
    expect(recordFromData(undefined)).toBeUndefined()
  })
})
