import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { proxyImageOf } from './versions.js'

const pod = (spec: V1Pod['spec']): V1Pod => ({ metadata: { name: 'webapp-1' }, spec })

describe('proxyImageOf', () => {
  it('finds istio-proxy as a regular container (Istio < 1.27, or Kubernetes < 1.33)', () => {
    expect(
      proxyImageOf(
        pod({
          initContainers: [{ name: 'istio-init', image: 'docker.io/istio/proxyv2:1.17.8' }],
          containers: [
            { name: 'webapp', image: 'istioinaction/webapp:latest' },
            { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.17.8' },
          ],
        }),
      ),
    ).toBe('docker.io/istio/proxyv2:1.17.8')
  })

  it('finds istio-proxy as a native sidecar under initContainers (Istio 1.30 on Kubernetes 1.36)', () => {
    expect(
      proxyImageOf(
        pod({
          initContainers: [
            { name: 'istio-validation', image: 'registry.istio.io/release/proxyv2:1.30.5' },
            {
              name: 'istio-proxy',
              image: 'registry.istio.io/release/proxyv2:1.30.5',
              restartPolicy: 'Always',
            },
          ],
          containers: [{ name: 'webapp', image: 'istioinaction/webapp:latest' }],
        }),
      ),
    ).toBe('registry.istio.io/release/proxyv2:1.30.5')
  })

  it('says undefined for a pod without a proxy', () => {
    expect(proxyImageOf(pod({ containers: [{ name: 'webapp', image: 'x' }] }))).toBeUndefined()
    expect(proxyImageOf({})).toBeUndefined()
  })
})
