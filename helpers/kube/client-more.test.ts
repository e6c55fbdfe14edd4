import { KubeConfig } from '@kubernetes/client-node'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { DeadlineError } from '../poll.js'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json } from '../testing/recording-server.js'
import { KubeClient } from './client.js'

let cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups) await c()
  cleanups = []
})

function clientFor(url: string): KubeClient {
  const kc = new KubeConfig()
  kc.loadFromFile(writeKubeconfig({ currentContext: 'kind-t', contexts: ['kind-t'], server: url }))
  let t = 0
  return new KubeClient(kc, 'kind-t', {
    now: () => t,
    sleep: async (ms) => {
      t += ms
    },
  })
}

const networking = (kinds: string[]) =>
  kinds.map((kind) => ({ name: `${kind.toLowerCase()}s`, kind, namespaced: true }))
const VS = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  metadata: { name: 'catalog', namespace: 'istioinaction' },
  spec: { hosts: ['catalog'] },
}

describe('applyServed: the newest apiVersion this server serves', () => {
  it('applies a v1beta1 manifest as v1 where Istio serves v1', async () => {
    const api = await startFakeApiServer(() => false, {
      '/apis/networking.istio.io/v1beta1': networking(['VirtualService']),
      '/apis/networking.istio.io/v1': networking(['VirtualService']),
    })
    cleanups.push(api.close)
    await clientFor(api.url).applyServed([VS])
    const patch = api.requests.find((r) => r.method === 'PATCH')
    expect(patch?.url.split('?')[0]).toBe(
      '/apis/networking.istio.io/v1/namespaces/istioinaction/virtualservices/catalog',
    )
    expect(JSON.parse(patch?.body ?? '{}').apiVersion).toBe('networking.istio.io/v1')
  })

  it('keeps v1beta1 where the server (Istio 1.17) serves only v1alpha3 and v1beta1', async () => {
    const api = await startFakeApiServer(() => false, {
      '/apis/networking.istio.io/v1alpha3': networking(['VirtualService']),
      '/apis/networking.istio.io/v1beta1': networking(['VirtualService']),
    })
    cleanups.push(api.close)
    await clientFor(api.url).applyServed([VS])
    expect(api.requests.find((r) => r.method === 'PATCH')?.url).toContain(
      '/apis/networking.istio.io/v1beta1/',
    )
  })
})

describe('deleteAndWaitGone', () => {
  it('deletes and returns once the object reads 404', async () => {
    const api = await startFakeApiServer()
    cleanups.push(api.close)
    const client = clientFor(api.url)
    await client.apply([VS])
    await client.deleteAndWaitGone(
      [{ apiVersion: VS.apiVersion, kind: 'VirtualService', name: 'catalog', namespace: 'istioinaction' }],
      10_000,
    )
    expect(api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1)
  })

  it('reports what is still present at the deadline (a finalizer that never clears)', async () => {
    const api = await startFakeApiServer((req, res) => {
      if (
        req.url.startsWith(
          '/apis/networking.istio.io/v1beta1/namespaces/istioinaction/virtualservices/catalog',
        )
      ) {
        json(res, 200, VS) // delete accepted, object stays
        return true
      }
      return false
    })
    cleanups.push(api.close)
    const error = await clientFor(api.url)
      .deleteAndWaitGone(
        [{ apiVersion: VS.apiVersion, kind: 'VirtualService', name: 'catalog', namespace: 'istioinaction' }],
        5_000,
      )
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineError)
    expect((error as Error).message).toContain('still present: VirtualService/catalog')
  })
})

describe('waitFor and timeline on a custom resource', () => {
  const CANARY = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    name: 'catalog-release',
    namespace: 'istioinaction',
  }
  const discovery = { '/apis/flagger.app/v1beta1': [{ name: 'canaries', kind: 'Canary', namespaced: true }] }
  const phases = [
    'Initializing',
    'Initialized',
    'Progressing',
    'Progressing',
    'Promoting',
    'Finalising',
    'Succeeded',
  ]
  const weights = [0, 0, 10, 20, 0, 0, 0]

  async function canaryServer() {
    let reads = 0
    const api = await startFakeApiServer((req, res) => {
      if (req.url.startsWith('/apis/flagger.app/v1beta1/namespaces/istioinaction/canaries/catalog-release')) {
        const i = Math.min(reads++, phases.length - 1)
        json(res, 200, {
          ...CANARY,
          metadata: { name: CANARY.name },
          status: { phase: phases[i], canaryWeight: weights[i] },
        })
        return true
      }
      return false
    }, discovery)
    cleanups.push(api.close)
    return api
  }

  type Canary = { status?: { phase?: string; canaryWeight?: number } }

  it('waits until the judge is satisfied, e.g. phase Initialized', async () => {
    const api = await canaryServer()
    const obj = await clientFor(api.url).waitFor<Canary & { apiVersion: string; kind: string }>(
      CANARY,
      'canary initialized',
      (c) => ({ done: c?.status?.phase === 'Initialized', state: `phase ${c?.status?.phase}` }),
      60_000,
    )
    expect(obj?.status?.phase).toBe('Initialized')
  })

  it('Lab.watch records phase and weight over time until a final phase, through the real adapters', async () => {
    const api = await canaryServer()
    const { Lab } = await import('../runner/lab.js')
    const { DEFAULT_OPTIONS } = await import('../runner/define.js')
    const { scenario } = await import('../../suites/flagger-canary/scenario.js')
    const { realLabAdapters, ingressTarget } = await import('../runner/real-lab.js')
    let t = Date.parse('2026-11-27T08:00:00Z')
    const clock = {
      now: () => t,
      sleep: async (ms: number) => {
        t += ms
      },
    }
    const real = realLabAdapters(clientFor(api.url), ingressTarget('127.0.0.1:30000'), () => undefined)
    const lab = new Lab(scenario, { ...real, clock, now: () => new Date(t) }, DEFAULT_OPTIONS)
    const { samples, completed } = await lab.watch(
      CANARY,
      (c) => `${(c as Canary | undefined)?.status?.phase}/${(c as Canary | undefined)?.status?.canaryWeight}`,
      (v) => v.startsWith('Succeeded') || v.startsWith('Failed'),
      { timeoutMs: 600_000, intervalMs: 5_000 },
    )
    expect(completed).toBe(true)
    expect(samples.map((p) => p.value)).toEqual(phases.map((p, i) => `${p}/${weights[i]}`))
    expect(Date.parse(samples[1]?.at ?? '') - Date.parse(samples[0]?.at ?? '')).toBe(5_000)
  })
})

describe('exec over the API server WebSocket', () => {
  it('sends the command and container, collects stdout and the exit status', async () => {
    const api = await startFakeApiServer()
    cleanups.push(api.close)
    const wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
    })
    const upgrades: string[] = []
    api.server.on('upgrade', (req, socket, head) => {
      upgrades.push(req.url ?? '')
      wss.handleUpgrade(req, socket, head, (ws) => {
        // Channel 1 = stdout, 3 = status (a V1Status), as in the Kubernetes remotecommand protocol.
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('{"configs":[]}')]))
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ status: 'Success' }))]))
        ws.close()
      })
    })
    cleanups.push(async () => wss.close())
    const result = await clientFor(api.url).exec('istio-system', 'istio-ingressgateway-abc', 'istio-proxy', [
      'pilot-agent',
      'request',
      'GET',
      'config_dump?resource=dynamic_route_configs',
    ])
    expect(result).toEqual({ stdout: '{"configs":[]}', stderr: '', status: 'Success', exitCode: 0 })
    const url = new URL(upgrades[0] ?? '', 'http://x')
    expect(url.pathname).toBe('/api/v1/namespaces/istio-system/pods/istio-ingressgateway-abc/exec')
    expect(url.searchParams.getAll('command')).toEqual([
      'pilot-agent',
      'request',
      'GET',
      'config_dump?resource=dynamic_route_configs',
    ])
    expect(url.searchParams.get('container')).toBe('istio-proxy')
    expect(url.searchParams.get('stdout')).toBe('true')
  })
})

describe('fetchRoutes: a proxy route table through exec', () => {
  it('picks a running pod by selector and parses its config_dump', async () => {
    const { fetchRoutes } = await import('../routes/fetch.js')
    const dump = {
      configs: [
        {
          '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
          dynamic_route_configs: [
            {
              route_config: {
                name: 'http.8080',
                virtual_hosts: [
                  {
                    name: 'catalog.istioinaction.io:80',
                    domains: ['catalog.istioinaction.io'],
                    routes: [
                      {
                        match: { prefix: '/' },
                        route: { cluster: 'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local' },
                      },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
    }
    const api = await startFakeApiServer((req, res) => {
      if (req.url.startsWith('/api/v1/namespaces/istio-system/pods?')) {
        json(res, 200, {
          items: [
            { metadata: { name: 'gw-pending' }, status: { phase: 'Pending' } },
            { metadata: { name: 'gw-1' }, status: { phase: 'Running' } },
          ],
        })
        return true
      }
      return false
    })
    cleanups.push(api.close)
    const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'v4.channel.k8s.io' })
    api.server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        expect(req.url).toContain('/pods/gw-1/exec')
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(dump))]))
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from('{"status":"Success"}')]))
        ws.close()
      }),
    )
    cleanups.push(async () => wss.close())
    const { pod, routes } = await fetchRoutes(clientFor(api.url), {
      namespace: 'istio-system',
      labelSelector: 'app=istio-ingressgateway',
      routeName: 'http.8080',
      virtualHost: 'catalog.istioinaction.io:80',
    })
    expect(pod).toBe('gw-1')
    expect(routes.map((r) => r.target)).toEqual([
      { kind: 'cluster', cluster: 'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local' },
    ])
  })
})

describe('waitForPodsReady', () => {
  it('waits for every matching pod to be Ready and names the laggards at the deadline', async () => {
    let reads = 0
    const pod = (name: string, ready: boolean, reason?: string) => ({
      metadata: { name },
      spec: { containers: [{ name: 'catalog' }, { name: 'istio-proxy' }] },
      status: {
        phase: ready ? 'Running' : 'Pending',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        containerStatuses: [
          { name: 'catalog', ready, ...(reason ? { state: { waiting: { reason } } } : {}) },
        ],
      },
    })
    const api = await startFakeApiServer((req, res) => {
      if (req.url.startsWith('/api/v1/namespaces/istioinaction/pods?')) {
        reads++
        json(res, 200, {
          items: req.url.includes('stuck')
            ? [pod('stuck-1', false, 'ErrImageNeverPull')]
            : [pod('a', true), pod('b', reads > 2)],
        })
        return true
      }
      return false
    })
    cleanups.push(api.close)
    const client = clientFor(api.url)
    await client.waitForPodsReady('istioinaction', 'app=catalog', 60_000)
    expect(reads).toBe(3)
    const error = await client.waitForPodsReady('istioinaction', 'app=stuck', 10_000).catch((e: unknown) => e)
    expect((error as Error).message).toContain('0/1 ready: stuck-1 Pending 0/2 (ErrImageNeverPull)')
  })
})

describe('servedRef', () => {
  it('maps an Istio reference to the newest served version and leaves other groups alone', async () => {
    const api = await startFakeApiServer(() => false, {
      '/apis/telemetry.istio.io/v1alpha1': [{ name: 'telemetries', kind: 'Telemetry', namespaced: true }],
      '/apis/telemetry.istio.io/v1': [{ name: 'telemetries', kind: 'Telemetry', namespaced: true }],
    })
    cleanups.push(api.close)
    const client = clientFor(api.url)
    const telemetry = {
      apiVersion: 'telemetry.istio.io/v1alpha1',
      kind: 'Telemetry',
      name: 'webapp',
      namespace: 'istioinaction',
    }
    expect((await client.servedRef(telemetry)).apiVersion).toBe('telemetry.istio.io/v1')
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'catalog',
      namespace: 'istioinaction',
    }
    expect(await client.servedRef(deployment)).toEqual(deployment)
  })
})
