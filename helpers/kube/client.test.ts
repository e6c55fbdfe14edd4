import { KubeConfig } from '@kubernetes/client-node'
import { afterEach, describe, expect, it } from 'vitest'
import { DeadlineError } from '../poll.js'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json } from '../testing/recording-server.js'
import { FIELD_MANAGER, KubeClient, parseManifests, warningMessages } from './client.js'

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

function clientFor(url: string, clock?: ConstructorParameters<typeof KubeClient>[2]): KubeClient {
  const kc = new KubeConfig()
  kc.loadFromFile(writeKubeconfig({ currentContext: 'kind-t', contexts: ['kind-t'], server: url }))
  return new KubeClient(kc, 'kind-t', clock)
}

describe('parseManifests', () => {
  it('splits multi-document YAML and skips empty documents', () => {
    const objects = parseManifests(
      '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
    )
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['Namespace/a', 'ConfigMap/b'])
  })

  it('rejects invalid YAML', () => {
    expect(() => parseManifests('kind: [unclosed')).toThrow(/invalid YAML/)
  })
})

describe('admission warnings', () => {
  it('parses Warning headers, one message each, unescaped', () => {
    expect(
      warningMessages(
        '299 - "virtualService rule #1 not used (route without matches defined before)", 299 - "a \\"quoted\\" word"',
      ),
    ).toEqual(['virtualService rule #1 not used (route without matches defined before)', 'a "quoted" word'])
    expect(warningMessages(undefined)).toEqual([])
  })

  it("keeps the warnings the API server sends with an apply, as Istio's webhook sends them", async () => {
    const api = await startFakeApiServer((req, res) => {
      if (req.method !== 'PATCH') return false
      res.writeHead(200, {
        'content-type': 'application/json',
        warning: '299 - "virtualService rule #1 not used (route without matches defined before)"',
      })
      res.end(req.body)
      return true
    })
    close = api.close
    const client = clientFor(api.url)
    await client.applyYaml(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: istioinaction}\ndata: {a: b}\n',
    )
    expect(client.takeWarnings()).toEqual([
      'virtualService rule #1 not used (route without matches defined before)',
    ])
    expect(client.takeWarnings()).toEqual([])
  })
})

describe('KubeClient against a recording API server', () => {
  it('applies with server-side apply: PATCH, apply-patch+yaml, our field manager, force', async () => {
    const api = await startFakeApiServer()
    close = api.close
    const client = clientFor(api.url)
    await client.applyYaml(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: itc-profile, namespace: kube-system}\ndata: {profile: book}\n',
    )
    const patch = api.requests.find((r) => r.method === 'PATCH')
    expect(patch).toBeDefined()
    const url = new URL(patch?.url ?? '', api.url)
    expect(url.pathname).toBe('/api/v1/namespaces/kube-system/configmaps/itc-profile')
    expect(url.searchParams.get('fieldManager')).toBe(FIELD_MANAGER)
    expect(url.searchParams.get('force')).toBe('true')
    expect(patch?.headers['content-type']).toBe('application/apply-patch+yaml')
    expect(JSON.parse(patch?.body ?? '{}').data).toEqual({ profile: 'book' })
    expect((await client.configMap('kube-system', 'itc-profile'))?.data?.profile).toBe('book')
  })

  it('reads an absent object as undefined and deletes idempotently', async () => {
    const api = await startFakeApiServer()
    close = api.close
    const client = clientFor(api.url)
    expect(await client.configMap('kube-system', 'nope')).toBeUndefined()
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'nope', namespace: 'kube-system' }
    expect(await client.delete(ref)).toBe(false)
    expect(api.requests.at(-1)?.method).toBe('DELETE')
  })

  it('waits for deployments and, at the deadline, reports replicas, pod reasons and warnings', async () => {
    const api = await startFakeApiServer((req, res) => {
      const path = req.url.split('?')[0]
      if (path === '/apis/apps/v1/namespaces/istio-system/deployments/istiod') {
        json(res, 200, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'istiod', generation: 1 },
          spec: { replicas: 1, selector: { matchLabels: { app: 'istiod' } } },
          status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 },
        })
        return true
      }
      if (path === '/api/v1/namespaces/istio-system/pods') {
        expect(new URL(req.url, 'http://x').searchParams.get('labelSelector')).toBe('app=istiod')
        json(res, 200, {
          items: [
            {
              metadata: { name: 'istiod-abc' },
              spec: { containers: [{ name: 'discovery' }] },
              status: {
                phase: 'Pending',
                containerStatuses: [
                  { name: 'discovery', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } },
                ],
              },
            },
          ],
        })
        return true
      }
      if (path === '/api/v1/namespaces/istio-system/events') {
        json(res, 200, {
          items: [
            {
              metadata: {},
              involvedObject: { name: 'istiod-abc' },
              type: 'Warning',
              reason: 'Failed',
              message: 'pull access denied',
              lastTimestamp: '2026-11-27T07:00:00Z',
            },
          ],
        })
        return true
      }
      return false
    })
    close = api.close
    let t = 0
    const client = clientFor(api.url, {
      now: () => t,
      sleep: async (ms) => {
        t += ms
      },
    })
    const error = await client.waitForDeployments('istio-system', ['istiod'], 6_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineError)
    const message = (error as DeadlineError).message
    expect(message).toContain('istiod 0/1 available')
    expect(message).toContain('istiod-abc Pending 0/1 (ImagePullBackOff)')
    expect(message).toContain('warnings: istiod-abc Failed: pull access denied')
  })

  it('returns as soon as every deployment has rolled out', async () => {
    const api = await startFakeApiServer((req, res) => {
      if (req.url.startsWith('/apis/apps/v1/namespaces/istio-system/deployments/')) {
        json(res, 200, {
          metadata: { name: req.url.split('/').at(-1), generation: 2 },
          spec: { replicas: 1, selector: { matchLabels: {} } },
          status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
        })
        return true
      }
      return false
    })
    close = api.close
    await clientFor(api.url).waitForDeployments('istio-system', ['istiod', 'istio-ingressgateway'], 5_000)
    expect(api.requests.filter((r) => r.url.includes('/deployments/')).length).toBe(2)
  })
})

describe('describeError', () => {
  it("gives the API server's reason instead of client-node's 'HTTP-Code: 500'", async () => {
    const { describeError } = await import('./describe-error.js')
    const api = await startFakeApiServer((req, res) => {
      if (req.method === 'PATCH') {
        json(res, 422, {
          kind: 'Status',
          status: 'Failure',
          reason: 'Invalid',
          message: 'VirtualService.networking.istio.io "catalog" is invalid: spec.hosts: Required value',
        })
        return true
      }
      return false
    })
    close = api.close
    const error = await clientFor(api.url)
      .apply([
        {
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'VirtualService',
          metadata: { name: 'catalog', namespace: 'istioinaction' },
        },
      ])
      .catch((e: unknown) => e)
    expect(describeError(error)).toBe(
      'Kubernetes API answered 422: VirtualService.networking.istio.io "catalog" is invalid: spec.hosts: Required value',
    )
    expect(describeError(new Error('first\nsecond'))).toBe('first')
  })
})
