import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { parseFlaggerEvent } from '../flagger/canary.js'
import type { Probe } from '../http/sampler.js'
import { judgeLabNamespace } from '../kube/lab-namespace.js'
import { catalogRequests, parseAccessLog, stripAnsi } from '../logs/parse.js'
import { loadManifest } from '../manifests/load.js'
import { scenarioNamespace } from '../manifests/namespace.js'
import { withHostsEntry, withOutboundPolicy } from '../mesh-edits.js'
import { routesOf } from '../routes/inspect.js'
import { CATALOG_BODY, FakeEventRecorder, FakeLab } from './fake-lab.js'
import {
  goldenDump,
  goldenLineFor,
  loadStepManifest,
  meshState,
  ownNamespaceKey,
  stepInForce,
} from './istio-goldens.js'
import { labNamespace } from './run-fixtures.js'

const load = (...files: string[]): KubernetesObject[] => files.flatMap((f) => loadManifest(f))
const WINDOW = { since: '2026-11-27T07:59:00.000Z', skewMs: 0 }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const WEBAPP_CATALOG = { host: 'webapp.istioinaction.io', path: '/api/catalog' }
const USERS = { host: 'webapp.istioinaction.io', path: '/api/users' }
const EGRESS_APPS = ['apps/catalog.yaml', 'apps/webapp.yaml', 'apps/forum.yaml', 'ch5/coolstore-gateway.yaml']
const MESH = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh: 'accessLogFile: /dev/stdout\n' },
}
const COREDNS = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'coredns', namespace: 'kube-system' },
  data: { Corefile: '.:53 {\n    errors\n    forward . /etc/resolv.conf\n    reload\n}\n' },
}

async function send(fake: FakeLab, probe: { host: string; path: string }, n: number) {
  return fake.ingress.sample(probe, { maxRequests: n, onOrdered: () => false })
}
async function logs(fake: FakeLab, labelSelector: string, container: string) {
  const read = await fake.cluster.readLogs({ namespace: 'istioinaction', labelSelector, container }, WINDOW)
  return read.lines.map((l) => l.text)
}
const settle = (fake: FakeLab, ms = 2_000) => fake.adapters().clock?.sleep(ms)

const EDGE = {
  namespace: 'istio-system',
  labelSelector: 'app=istio-ingressgateway',
  routeName: 'http.8080',
  virtualHost: 'catalog.istioinaction.io:80',
}
const EDGE_CATALOG = { host: 'catalog.istioinaction.io', path: '/items' }
const EDGE_WITH_SUBSETS = [
  'apps/catalog.yaml',
  'apps/catalog-v2.yaml',
  'ch5/edge-gateway.yaml',
  'ch5/catalog-dr.yaml',
]
const MESH_WITH_SUBSETS = [
  'apps/catalog.yaml',
  'apps/catalog-v2.yaml',
  'apps/webapp.yaml',
  'ch5/coolstore-gateway.yaml',
  'ch5/catalog-dr.yaml',
]
const LINE = goldenLineFor('1.17.8')
const classes = async (fake: FakeLab, probe: Probe, n: number) =>
  (await fake.ingress.sample(probe, { maxRequests: n, onOrdered: () => false })).counts

describe("routing by Istio's own translation (the goldens)", () => {
  it('reads route tables from the golden of the step in force; the webhook warns from Istio 1.27 only', async () => {
    for (const [istio, warnings] of [
      ['1.17.8', []],
      ['1.30.5', ['virtualService rule #1 not used (route without matches defined before)']],
    ] as const) {
      const fake = new FakeLab()
      fake.istio = istio
      await fake.cluster.apply(load(...EDGE_WITH_SUBSETS))
      await fake.cluster.apply(load('ch5/edge-vs-catalog-cohort-reversed.yaml'))
      const { pod, routes } = await fake.cluster.fetchRoutes(EDGE)
      expect(pod).toBe('istio-ingressgateway-1')
      expect(routes).toEqual(
        routesOf(
          goldenDump(LINE, 'edge-route-order', 'edge-vs-catalog-cohort-reversed', 'ingressgateway'),
          EDGE.routeName,
          EDGE.virtualHost,
        ),
      )
      // istiod drops the header rule after the match-less one: one route.
      expect(routes).toHaveLength(1)
      expect(fake.warnings).toEqual(warnings)
    }
  })

  it('sends the cohort header to v2 while the golden lists the header route first, and to v1 once reversed', async () => {
    const fake = new FakeLab()
    await fake.cluster.apply(load(...EDGE_WITH_SUBSETS, 'ch5/edge-vs-catalog-cohort.yaml'))
    const internal = { ...EDGE_CATALOG, headers: { 'x-istio-cohort': 'internal' } }
    expect(await classes(fake, internal, 50)).toEqual({ v1: 0, v2: 50, error: 0 })
    expect(await classes(fake, EDGE_CATALOG, 50)).toEqual({ v1: 50, v2: 0, error: 0 })
    await fake.cluster.apply(load('ch5/edge-vs-catalog-cohort-reversed.yaml'))
    expect(await classes(fake, internal, 50)).toEqual({ v1: 50, v2: 0, error: 0 })
    // Before any VirtualService binds the Gateway, its host is Istio's blackhole: 404 for everyone.
    const bare = new FakeLab()
    await bare.cluster.apply(load(...EDGE_WITH_SUBSETS))
    expect(await classes(bare, EDGE_CATALOG, 5)).toEqual({ v1: 0, v2: 0, error: 5 })
  })

  it("splits webapp's calls by the golden's weights, and follows a golden that says otherwise", async () => {
    const fake = new FakeLab()
    await fake.cluster.apply(load(...MESH_WITH_SUBSETS, 'ch5/mesh-vs-catalog-90-10.yaml'))
    const split = await classes(fake, WEBAPP_CATALOG, 2000)
    expect(split.error).toBe(0)
    expect(split.v2 / 2000).toBeGreaterThan(0.08)
    expect(split.v2 / 2000).toBeLessThan(0.12)

    // The same configuration with a golden whose route sends everything to v2: the lab follows it.
    const rewired = new FakeLab()
    rewired.goldens = (line, scenario, step, proxy) => {
      const dump = structuredClone(goldenDump(line, scenario, step, proxy)) as {
        configs: { dynamic_route_configs?: { route_config: { virtual_hosts: { routes: unknown[] }[] } }[] }[]
      }
      if (proxy !== 'webapp') return dump
      for (const c of dump.configs)
        for (const rc of c.dynamic_route_configs ?? [])
          for (const vh of rc.route_config.virtual_hosts)
            for (const r of vh.routes as {
              route?: { weighted_clusters?: { clusters: { weight: number }[] } }
            }[])
              for (const [i, wc] of (r.route?.weighted_clusters?.clusters ?? []).entries())
                wc.weight = i ? 100 : 0
      return dump
    }
    await rewired.cluster.apply(load(...MESH_WITH_SUBSETS, 'ch5/mesh-vs-catalog-90-10.yaml'))
    expect(await classes(rewired, WEBAPP_CATALOG, 200)).toEqual({ v1: 0, v2: 200, error: 0 })
  })

  it('refuses a configuration no golden step has, naming the nearest step and what differs', async () => {
    const fake = new FakeLab([MESH, COREDNS])
    fake.internet = true
    // A ServiceEntry while egress is open: no scenario declares that state.
    await fake.cluster.apply(load(...EGRESS_APPS, 'ch5/jsonplaceholder-se.yaml'))
    const refusal =
      /^no golden step has the lab's configuration, so Istio's translation of it is unknown; nearest: egress-registry-only\/coolstore-gateway, which differs by: ServiceEntry\/istioinaction\/jsonplaceholder present \(the step has none\)\. /
    await expect(send(fake, USERS, 1)).rejects.toThrow(refusal)
    await expect(
      fake.cluster.fetchRoutes({ ...EDGE, virtualHost: 'webapp.istioinaction.io:80' }),
    ).rejects.toThrow(refusal)
  })

  it("routes a state that differs from a step only in its workloads by that step's tables", async () => {
    // Pods fill the clusters' endpoints (EDS); they change no route and no cluster name. Here
    // Deployment catalog runs another pod spec: the step's table (all to version-v1) still routes.
    const changed = new FakeLab()
    await changed.cluster.apply(load(...EDGE_WITH_SUBSETS, 'ch5/edge-vs-catalog-v1.yaml'))
    await changed.cluster.apply(load('ch5/catalog-deployment-v2.yaml'))
    const { counts } = await send(changed, EDGE_CATALOG, 20)
    expect(counts.error).toBe(0)
    expect(counts.v1 + counts.v2).toBe(20)
  })
})

describe("a scenario's own namespace (concurrent runs: itc-<id>)", () => {
  const NS = scenarioNamespace('edge-routing')
  const NS_REF = { apiVersion: 'v1', kind: 'Namespace', name: NS }
  const moved = (...files: string[]) => files.flatMap((f) => loadStepManifest(`@${NS}/${f}`))
  const EDGE_ROUTING = ['apps/catalog.yaml', 'ch5/edge-gateway.yaml', 'ch5/edge-vs-catalog.yaml']
  const probe = { host: `catalog.${NS}.istioinaction.io`, path: '/items' }

  it('accepts the Namespace (cluster-scoped), reads it back, and its facts show its label', async () => {
    const fake = new FakeLab()
    const before = await fake.cluster.namespaceFacts(NS)
    expect(before.labels).toBeUndefined()
    await fake.cluster.apply([labNamespace(NS)])
    expect(await fake.cluster.read(NS_REF)).toEqual(labNamespace(NS))
    const facts = await fake.cluster.namespaceFacts(NS)
    expect(facts.labels).toEqual({ 'istio-injection': 'enabled' })
    // Only what Kubernetes and Istio put in every namespace: the lab may live there, even by the
    // strictest rule (a cluster not the suite's own, nothing adopted).
    expect(
      judgeLabNamespace(facts, { existingCluster: true, adopt: false, context: 'kind-istio-conformance' }),
    ).toEqual({ adopted: [] })
    await fake.cluster.apply(moved(...EDGE_ROUTING))
    expect((await fake.cluster.namespaceFacts(NS)).objects.map((o) => `${o.kind}/${o.name}`)).toEqual(
      expect.arrayContaining(['Deployment/catalog', 'Service/catalog', 'Gateway/catalog-gateway']),
    )
  })

  it('routes by the goldens of the scenario in its namespace, the Namespace object changing no step', async () => {
    const objects = moved(...EDGE_ROUTING)
    // meshState keeps Services and Istio's objects only: the Namespace is not part of a step.
    expect(meshState([labNamespace(NS), ...objects], 'ALLOW_ANY')).toEqual(meshState(objects, 'ALLOW_ANY'))
    const { scenario, step } = stepInForce(meshState([labNamespace(NS), ...objects], 'ALLOW_ANY'))
    expect([scenario, step.name]).toEqual([ownNamespaceKey('edge-routing'), 'edge-vs-catalog'])

    const fake = new FakeLab()
    await fake.cluster.apply([labNamespace(NS)])
    await fake.cluster.apply(objects)
    const { counts } = await send(fake, probe, 20)
    expect(counts.error).toBe(0)
    expect(counts.v1).toBe(20)
    const { routes } = await fake.cluster.fetchRoutes({ ...EDGE, virtualHost: `${probe.host}:80` })
    expect(routes).toEqual(
      routesOf(
        goldenDump(LINE, ownNamespaceKey('edge-routing'), 'edge-vs-catalog', 'ingressgateway'),
        EDGE.routeName,
        `${probe.host}:80`,
      ),
    )
  })

  it('deleting the Namespace deletes what is in it, as Kubernetes does, and says what it took', async () => {
    const fake = new FakeLab([MESH])
    await fake.cluster.apply([labNamespace(NS)])
    await fake.cluster.apply(moved(...EDGE_ROUTING))
    await send(fake, probe, 3)
    await settle(fake)
    // A scenario that cleaned up after itself: the namespace's deletion takes nothing more.
    const tidy = new FakeLab()
    await tidy.cluster.apply([labNamespace(NS)])
    await tidy.cluster.delete([NS_REF])
    expect(tidy.cascaded).toEqual([])

    await fake.cluster.delete([NS_REF])
    expect(fake.deleted).toEqual([`Namespace/${NS}`])
    expect(fake.cascaded.sort()).toEqual(
      [
        `Deployment/${NS}/catalog`,
        `Gateway/${NS}/catalog-gateway`,
        `Service/${NS}/catalog`,
        `ServiceAccount/${NS}/catalog`,
        `VirtualService/${NS}/catalog-vs-from-gw`,
      ].sort(),
    )
    // Nothing of it is left; what is outside it stays.
    expect([...fake.objects.keys()]).toEqual(['ConfigMap/istio-system/istio'])
    expect((await fake.cluster.namespaceFacts(NS)).labels).toBeUndefined()
    // Its pods went with it: no log lines, no proxy to ask, no pod to exec in.
    const read = await fake.cluster.readLogs(
      { namespace: NS, labelSelector: 'app=catalog', container: 'istio-proxy' },
      WINDOW,
    )
    expect(read.lines).toEqual([])
    await expect(
      fake.cluster.fetchRoutes({
        namespace: NS,
        labelSelector: 'app=webapp',
        routeName: '80',
        virtualHost: 'x',
      }),
    ).rejects.toThrow(/no running pod/)
    // The API server refuses an object in a namespace that no longer exists, until it is created again.
    await expect(fake.cluster.apply(moved('apps/catalog.yaml'))).rejects.toThrow(
      `namespaces "${NS}" not found`,
    )
    await fake.cluster.apply([labNamespace(NS)])
    await fake.cluster.apply(moved('apps/catalog.yaml'))
    expect(fake.objects.has(`Deployment/${NS}/catalog`)).toBe(true)
  })
})

describe('the mesh as real logs show it', () => {
  async function mirrorLab(setup: (fake: FakeLab) => void = () => undefined) {
    const fake = new FakeLab()
    setup(fake)
    await fake.cluster.apply(
      load(
        'apps/catalog.yaml',
        'apps/catalog-v2.yaml',
        'apps/webapp.yaml',
        'ch5/coolstore-gateway.yaml',
        'ch5/catalog-dr.yaml',
        'ch5/mesh-vs-catalog-mirror.yaml',
      ),
    )
    const sampled = await send(fake, WEBAPP_CATALOG, 20)
    return { fake, sampled }
  }

  it("writes v2's inbound line for each mirror: same id as webapp's call, -shadow, two XFF addresses", async () => {
    const { fake } = await mirrorLab()
    await settle(fake)
    const webapp = (await logs(fake, 'app=webapp', 'istio-proxy')).map(parseAccessLog)
    const v2 = (await logs(fake, 'app=catalog,version=v2', 'istio-proxy')).map(parseAccessLog)
    expect(v2).toHaveLength(20)
    expect(v2.map((e) => e?.requestId)).toEqual(webapp.map((e) => e?.requestId))
    expect(v2[0]).toMatchObject({
      authority: 'catalog.istioinaction-shadow:80',
      upstreamCluster: 'inbound|3000||',
      routeName: 'default',
      bytesSent: 698,
    })
    expect(await logs(fake, 'app=catalog,version=v2', 'istio-proxy')).toEqual(
      expect.arrayContaining([expect.stringContaining('"172.18.0.1,10.244.0.9"')]),
    )
    // webapp's outbound line: the client in XFF (through the ingress), v1's real body size, route "-".
    expect(webapp[0]).toMatchObject({ bytesSent: 502, routeName: null })
    expect(await logs(fake, 'app=webapp', 'istio-proxy')).toEqual(
      expect.arrayContaining([expect.stringContaining('"172.18.0.1" "beegoServer"')]),
    )
  })

  it('regenerates the client x-request-id at the gateway by default; UUIDs everywhere', async () => {
    const { fake, sampled } = await mirrorLab()
    await settle(fake)
    const ids = (await logs(fake, 'app=webapp', 'istio-proxy')).map((l) => parseAccessLog(l)?.requestId)
    for (const id of [...ids, ...sampled.records.map((r) => r.requestId)]) expect(id).toMatch(UUID)
    expect(ids.filter((id) => sampled.records.some((r) => r.requestId === id))).toEqual([])
    const kept = await mirrorLab((f) => {
      f.gatewayKeepsClientRequestId = true
    })
    await settle(kept.fake)
    const keptIds = (await logs(kept.fake, 'app=webapp', 'istio-proxy')).map(
      (l) => parseAccessLog(l)?.requestId,
    )
    expect(keptIds).toEqual(kept.sampled.records.map((r) => r.requestId))
  })

  it("prints the catalog app's variety, answers with the real bodies, and no port when the Host has none", async () => {
    const { fake } = await mirrorLab((f) => {
      f.catalogHostHasPort = false
    })
    const app = await logs(fake, 'app=catalog,version=v2', 'catalog')
    expect(app.slice(0, 5)).toEqual([
      'request path: /items',
      'blowups: {}',
      'number of blowups: 0',
      expect.stringMatching(/^GET catalog\.istioinaction-shadow \/items 200 698 - \d\.\d{3} ms$/),
      expect.stringContaining('GET /items \u001b[32m200\u001b[0m '),
    ])
    // json-server's colourised 'dev' line, once the colours are stripped.
    expect(stripAnsi(app[4] ?? '')).toMatch(/^GET \/items 200 \d\.\d{3} ms - 698$/)
    expect(catalogRequests(app).tally).toMatchObject({ requests: 20, notRequest: 80 })
    expect([Buffer.byteLength(CATALOG_BODY.v1), Buffer.byteLength(CATALOG_BODY.v2)]).toEqual([502, 698])
  })

  it('flushes access logs every second: a line is unreadable until the next flush', async () => {
    const { fake } = await mirrorLab()
    const before = await logs(fake, 'app=webapp', 'istio-proxy')
    expect(before).toHaveLength(0)
    await settle(fake, 1_000)
    expect(await logs(fake, 'app=webapp', 'istio-proxy')).toHaveLength(20)
  })
})

describe('egress as real logs show it', () => {
  async function egressLab(dns: boolean) {
    const fake = new FakeLab([
      { ...MESH, data: { mesh: withOutboundPolicy(MESH.data.mesh, 'REGISTRY_ONLY') } } as KubernetesObject,
      dns
        ? {
            ...COREDNS,
            data: {
              Corefile: withHostsEntry(COREDNS.data.Corefile, '172.18.0.20', 'jsonplaceholder.typicode.com'),
            },
          }
        : COREDNS,
    ])
    await fake.cluster.apply(
      load('apps/catalog.yaml', 'apps/webapp.yaml', 'apps/forum.yaml', 'ch5/coolstore-gateway.yaml'),
    )
    await send(fake, { host: 'webapp.istioinaction.io', path: '/api/users' }, 5)
    await settle(fake)
    return (await logs(fake, 'app=forum', 'istio-proxy')).map(parseAccessLog)
  }

  it('logs block_all only when forum can resolve the host (item 8)', async () => {
    expect(await egressLab(false)).toEqual([])
    expect((await egressLab(true))[0]).toMatchObject({ responseCode: 502, routeName: 'block_all' })
  })

  it('names the passthrough route allow_any and the ServiceEntry route default, as the goldens do', async () => {
    const fake = new FakeLab([MESH, COREDNS])
    fake.internet = true
    await fake.cluster.apply(load(...EGRESS_APPS))
    await send(fake, USERS, 1)
    await fake.cluster.apply([
      { ...MESH, data: { mesh: withOutboundPolicy(MESH.data.mesh, 'REGISTRY_ONLY') } } as KubernetesObject,
    ])
    await send(fake, USERS, 1)
    await fake.cluster.apply(load('ch5/jsonplaceholder-se.yaml'))
    await send(fake, USERS, 1)
    await settle(fake)
    const lines = (await logs(fake, 'app=forum', 'istio-proxy')).map(parseAccessLog)
    expect(lines.map((e) => [e?.responseCode, e?.upstreamCluster, e?.routeName])).toEqual([
      [200, 'PassthroughCluster', 'allow_any'],
      [502, null, 'block_all'],
      [200, 'outbound|80||jsonplaceholder.typicode.com', 'default'],
    ])
  })
})

describe('Flagger as it really runs', () => {
  async function canaryRun(flaggerVersion: string) {
    const fake = new FakeLab()
    fake.flaggerVersion = flaggerVersion
    const clock = fake.adapters().clock
    await fake.cluster.apply(load('apps/catalog.yaml', 'apps/webapp.yaml', 'ch5/coolstore-gateway.yaml'))
    await fake.cluster.apply(load('ch5/catalog-canary.yaml'))
    const samples: { phase: string; weight: number }[] = []
    const watch = async (seconds: number) => {
      for (let s = 0; s < seconds; s += 2) {
        await clock?.sleep(2_000)
        const canary = (await fake.cluster.read({
          apiVersion: 'flagger.app/v1beta1',
          kind: 'Canary',
          name: 'catalog-release',
          namespace: 'istioinaction',
        })) as { status: { phase: string; canaryWeight: number } }
        samples.push({ phase: canary.status.phase, weight: canary.status.canaryWeight })
      }
    }
    await watch(20)
    // Load once the Canary is initialized, as the scenario starts it: from then on Flagger routes
    // webapp's calls (the lab's Flagger model; before, no golden step has this configuration).
    const load10 = fake.ingress.startLoad(WEBAPP_CATALOG, 10)
    await fake.cluster.apply(load('ch5/catalog-deployment-v2.yaml'))
    await watch(200)
    await load10.stop()
    const events = await fake.cluster.events('istioinaction', 'catalog-release')
    return { samples, events }
  }

  it('Flagger < 1.43 reports canaryWeight 0 in Promoting and Finalising; 1.43+ keeps it in Promoting', async () => {
    const weightsIn = (samples: { phase: string; weight: number }[], phase: string) => [
      ...new Set(samples.filter((s) => s.phase === phase).map((s) => s.weight)),
    ]
    const old = await canaryRun('1.36.1')
    expect(weightsIn(old.samples, 'Promoting')).toEqual([0])
    expect(weightsIn(old.samples, 'Finalising')).toEqual([0])
    const current = await canaryRun('1.44.0')
    expect(weightsIn(current.samples, 'Promoting')).toEqual([50])
    expect(weightsIn(current.samples, 'Finalising')).toEqual([0])
  })

  it('holds the first weight while metrics have no values yet, and emits the events Flagger emits', async () => {
    const { samples, events } = await canaryRun('1.36.1')
    const at10 = samples.filter((s) => s.phase === 'Progressing' && s.weight === 10).length
    // Sampled every 2 s at a 10 s interval: more than one interval at weight 10.
    expect(at10).toBeGreaterThan(5)
    const kinds = events.map((e) => parseFlaggerEvent(e.message).kind)
    expect(kinds).toEqual(
      expect.arrayContaining([
        'initialized',
        'new-revision',
        'analysis-started',
        'advance',
        'halt-no-values',
        'promotion-completed',
      ]),
    )
    // From the 10th distinct Normal message Kubernetes combines them into one event. Flagger
    // announces its metrics providers at initialization, so "Copying ..." is the 10th (Flagger's
    // own run says so: the Flagger goldens), and it and "Routing all traffic to primary" were
    // overwritten by "Promotion completed!".
    expect(kinds).not.toContain('promotion-copy')
    expect(kinds).not.toContain('routing-to-primary')
    expect(events.map((e) => e.message)).toContainEqual(
      '(combined from similar events): Promotion completed! Scaling down catalog.istioinaction',
    )
  })
})

describe("the lab's Flagger against Flagger's own controller (the Flagger goldens)", () => {
  const FLAGGER_GOLDEN = join(import.meta.dirname, 'flagger-golden')
  const versions = readdirSync(FLAGGER_GOLDEN)
  interface Timeline {
    statuses: { phase: string; canaryWeight: number; failedChecks: number; iterations: number }[]
    events: { type: string; reason: string; message: string }[]
  }
  const golden = (version: string, variant: string): Timeline =>
    JSON.parse(readFileSync(join(FLAGGER_GOLDEN, version, 'flagger-canary', `${variant}.json`), 'utf8'))

  it.each(versions)(
    'Flagger %s: with metrics at once (as the oracle scripts them), the same statuses and events in the scenario\u2019s order',
    async (version) => {
      const fake = new FakeLab()
      fake.flaggerVersion = version
      fake.flaggerMetricsAfterMs = 0
      const clock = fake.adapters().clock
      const canary = {
        apiVersion: 'flagger.app/v1beta1',
        kind: 'Canary',
        name: 'catalog-release',
        namespace: 'istioinaction',
      }
      const seen: Record<string, Timeline> = {}
      let last = ''
      // Reads the Canary after every analysis interval until the phase is reached; a status is
      // kept when it changed, as the oracle collapses consecutive equal ones.
      const until = async (variant: string, phase: string) => {
        const timeline: Timeline = { statuses: [], events: [] }
        const eventsBefore = fake.flaggerEventOccurrences().length
        for (let tick = 0; tick < 30; tick++) {
          const status = ((await fake.cluster.read(canary)) as { status: Timeline['statuses'][number] })
            .status
          if (JSON.stringify(status) !== last) timeline.statuses.push(status)
          last = JSON.stringify(status)
          if (status.phase === phase) break
          await clock?.sleep(10_000)
        }
        timeline.events = fake.flaggerEventOccurrences().slice(eventsBefore)
        seen[variant] = timeline
      }
      await fake.cluster.apply(load('apps/catalog.yaml', 'apps/webapp.yaml', 'ch5/coolstore-gateway.yaml'))
      await fake.cluster.apply(load('ch5/catalog-canary.yaml'))
      await until('initialize', 'Initialized')
      await fake.cluster.apply(load('ch5/catalog-deployment-failing.yaml'))
      await until('rollback', 'Failed')
      await fake.cluster.apply(load('ch5/catalog-deployment-v2.yaml'))
      await until('success', 'Succeeded')
      for (const variant of ['initialize', 'rollback', 'success'])
        expect(seen[variant], variant).toEqual({
          statuses: golden(version, variant).statuses,
          events: golden(version, variant).events.map(({ type, reason, message }) => ({
            type,
            reason,
            message,
          })),
        })
    },
  )
})

describe("Kubernetes' event correlator", () => {
  it('deduplicates, combines from the 10th distinct message, and drops past a burst of 25', () => {
    const recorder = new FakeEventRecorder()
    const t = Date.parse('2026-11-27T08:00:00Z')
    recorder.record(t, 'Warning', 'Halt x')
    recorder.record(t + 1, 'Warning', 'Halt x')
    for (let i = 1; i <= 12; i++) recorder.record(t + 10 + i, 'Normal', `Advance weight ${i}`)
    const messages = recorder.list().map((e) => e.message)
    expect(messages.filter((m) => m === 'Halt x')).toHaveLength(1)
    expect(messages.filter((m) => m.startsWith('Advance'))).toHaveLength(9)
    expect(messages.at(-1)).toBe('(combined from similar events): Advance weight 12')
    for (let i = 13; i <= 40; i++) recorder.record(t + 100 + i, 'Warning', `Halt ${i}`)
    // 14 recorded above, 11 more fit the burst of 25; the rest are dropped.
    expect(recorder.list().at(-1)?.message).toBe('(combined from similar events): Halt 23')
  })
})
