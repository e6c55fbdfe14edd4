import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCENARIOS } from '../../suites/index.js'
import { BASE_LAB } from '../../suites/shared.js'
import { judgeCanaryTimeline } from '../evidence/canary.js'
import { type CanarySample, parseFlaggerEvent } from '../flagger/canary.js'
import { loadManifest } from '../manifests/load.js'
import { deriveSteps, renderSteps } from '../testing/istio-goldens.js'
import {
  clusterNames,
  describeRoutes,
  outboundCluster,
  outboundFallback,
  type RouteView,
  routeConfigurations,
  routesOf,
  targetClusters,
} from './inspect.js'

/**
 * The golden config dumps Istio's own control plane computed for every scenario step
 * (oracles/istio, `npm run goldens`): the route parser reads every one of them, and the facts
 * the scenarios rely on hold in Istio's translation, not only in our idea of it.
 * `oracles/istio/check.sh` proves the goldens are current; this proves they say what we think.
 */

const ROOT = join(import.meta.dirname, '..', '..')
const GOLDEN = join(ROOT, 'helpers', 'testing', 'istio-golden')
const FLAGGER_GOLDEN = join(ROOT, 'helpers', 'testing', 'flagger-golden')
const STEPS = join(ROOT, 'oracles', 'istio', 'steps.json')

const FQDN = 'catalog.istioinaction.svc.cluster.local'
const V1 = outboundCluster(80, 'version-v1', FQDN)
const V2 = outboundCluster(80, 'version-v2', FQDN)
const EDGE = { route: 'http.8080', host: 'catalog.istioinaction.io:80' }
const MESH = { route: '80', host: `${FQDN}:80` }
const OUTSIDE = 'jsonplaceholder.typicode.com'

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : [])

interface Step {
  name: string
  manifests: string[]
  mesh: { outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY' }
}
const steps = (JSON.parse(readFileSync(STEPS, 'utf8')) as { scenarios: Record<string, Step[]> }).scenarios

const lines = existsSync(GOLDEN)
  ? readdirSync(GOLDEN, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  : []

const read = (line: string, scenario: string, step: string, proxy: string): unknown =>
  JSON.parse(readFileSync(join(GOLDEN, line, scenario, step, `${proxy}.json`), 'utf8'))

const weights = (route: RouteView | undefined): Record<string, number> =>
  route?.target.kind === 'weighted'
    ? Object.fromEntries(route.target.clusters.map((c) => [c.name, c.weight]))
    : Object.fromEntries((route ? targetClusters(route) : []).map((c) => [c, 100]))

it('steps.json (the oracle\u2019s input) is what the scenario registry gives: regenerate with npm run goldens', () => {
  // A scenario whose manifest sets changed without regenerated goldens fails here, offline.
  expect(readFileSync(STEPS, 'utf8')).toBe(renderSteps(deriveSteps(SCENARIOS, loadManifest, BASE_LAB)))
})

it('there are goldens for at least one Istio line', () => {
  expect(lines.length).toBeGreaterThan(0)
})

describe.each(lines)('Istio %s goldens', (line) => {
  it('say which Istio computed them', () => {
    const meta = JSON.parse(readFileSync(join(GOLDEN, line, 'oracle.json'), 'utf8')) as Json
    expect(meta).toMatchObject({ istioModule: 'istio.io/istio', releaseLine: line })
  })

  // Every step of steps.json has a golden for each proxy the step deploys, and nothing else.
  const expected = Object.entries(steps).flatMap(([scenario, ss]) =>
    ss.flatMap((s) =>
      [
        'ingressgateway',
        ...(s.manifests.some((m) => m.endsWith('apps/webapp.yaml')) ? ['webapp'] : []),
        ...(s.manifests.some((m) => m.endsWith('apps/forum.yaml')) ? ['forum'] : []),
      ].map((proxy) => join(scenario, s.name, `${proxy}.json`)),
    ),
  )
  const present = readdirSync(join(GOLDEN, line), { recursive: true, encoding: 'utf8' }).filter(
    (p) => p.endsWith('.json') && p !== 'oracle.json',
  )

  it('cover every step of steps.json, each proxy the step deploys, and nothing more', () => {
    expect([...present].sort()).toEqual([...expected].sort())
  })

  it.each(present)('%s parses: its one route table, every virtual host', (path) => {
    const dump: unknown = JSON.parse(readFileSync(join(GOLDEN, line, path), 'utf8'))
    const configs = routeConfigurations(dump)
    expect(configs).toHaveLength(1)
    const [config] = configs
    expect(config?.name).toBe(path.endsWith('ingressgateway.json') ? 'http.8080' : '80')
    const hosts = list(config?.virtualHosts)
    expect(hosts.length).toBeGreaterThan(0)
    for (const host of hosts) {
      const routes = routesOf(dump, String(config?.name), String(host.name))
      // Istio's blackhole host (a Gateway server no VirtualService binds) has no route: 404 NR.
      if (host.name !== 'blackhole:80') expect(routes.length).toBeGreaterThan(0)
      expect(describeRoutes(routes)).toHaveLength(routes.length)
      for (const r of routes) expect(r.target.kind).not.toBe('other')
    }
    expect(clusterNames(dump).length).toBeGreaterThan(0)
  })

  const edge = (scenario: string, step: string) =>
    routesOf(read(line, scenario, step, 'ingressgateway'), EDGE.route, EDGE.host)
  const mesh = (scenario: string, step: string) =>
    routesOf(read(line, scenario, step, 'webapp'), MESH.route, MESH.host)

  it('edge-routing: the gateway sends catalog.istioinaction.io to the catalog service', () => {
    const routes = edge('edge-routing', 'edge-vs-catalog')
    expect(routes.map(targetClusters)).toEqual([[outboundCluster(80, '', FQDN)]])
  })

  it('subset-v1: every edge request goes to version-v1', () => {
    expect(edge('subset-v1', 'edge-vs-catalog-v1').map(targetClusters)).toEqual([[V1]])
  })

  it('edge-route-order: the header route comes first, then the catch-all', () => {
    const routes = edge('edge-route-order', 'edge-vs-catalog-cohort')
    expect(routes).toHaveLength(2)
    expect(routes[0]?.match.headers).toEqual([{ name: 'x-istio-cohort', exact: 'internal' }])
    expect(targetClusters(routes[0] as RouteView)).toEqual([V2])
    expect(routes[1]?.match.headers).toEqual([])
    expect(targetClusters(routes[1] as RouteView)).toEqual([V1])
  })

  it('edge-route-order reversed: Istio drops every rule after the match-less one, leaving ONE route', () => {
    const routes = edge('edge-route-order', 'edge-vs-catalog-cohort-reversed')
    expect(routes).toHaveLength(1)
    expect(routes[0]?.match).toEqual({ prefix: '/', headers: [] })
    expect(targetClusters(routes[0] as RouteView)).toEqual([V1])
  })

  it('edge-header-routing and mesh-header-routing: header to v2, the rest to v1', () => {
    for (const routes of [
      edge('edge-header-routing', 'edge-vs-catalog-cohort'),
      mesh('mesh-header-routing', 'mesh-vs-catalog-cohort'),
    ]) {
      expect(routes.map((r) => [r.match.headers, targetClusters(r)])).toEqual([
        [[{ name: 'x-istio-cohort', exact: 'internal' }], [V2]],
        [[], [V1]],
      ])
    }
  })

  it('mesh-routing: webapp sends every call to catalog to version-v1', () => {
    expect(mesh('mesh-routing', 'webapp-access-log').map(targetClusters)).toEqual([[V1]])
  })

  it('weighted-shift: no VirtualService, then 90/10, 50/50, 0/100 on webapp\u2019s route 80', () => {
    expect(mesh('weighted-shift', 'catalog-dr').map(targetClusters)).toEqual([
      [outboundCluster(80, '', FQDN)],
    ])
    const shares = (step: string) => {
      const routes = mesh('weighted-shift', step)
      expect(routes).toHaveLength(1)
      const w = weights(routes[0])
      return [w[V1] ?? 0, w[V2] ?? 0]
    }
    expect(shares('mesh-vs-catalog-90-10')).toEqual([90, 10])
    expect(shares('mesh-vs-catalog-50-50')).toEqual([50, 50])
    expect(shares('mesh-vs-catalog-0-100')).toEqual([0, 100])
  })

  it('in namespace itc-staging (run --namespace): the same routing, to that namespace\u2019s clusters and hosts', () => {
    const fqdn = 'catalog.itc-staging.svc.cluster.local'
    const at = (scenario: string, step: string, proxy: 'webapp' | 'ingressgateway', host: string) =>
      routesOf(
        read(line, `${scenario}@itc-staging`, step, proxy),
        proxy === 'webapp' ? '80' : 'http.8080',
        host,
      )
    const routes = at('weighted-shift', 'mesh-vs-catalog-90-10', 'webapp', `${fqdn}:80`)
    expect(routes).toHaveLength(1)
    expect(weights(routes[0])).toEqual({
      [outboundCluster(80, 'version-v1', fqdn)]: 90,
      [outboundCluster(80, 'version-v2', fqdn)]: 10,
    })
    expect(
      at('subset-v1', 'edge-vs-catalog-v1', 'ingressgateway', 'catalog.itc-staging.istioinaction.io:80').map(
        targetClusters,
      ),
    ).toEqual([[outboundCluster(80, 'version-v1', fqdn)]])
    // The book's host is not served by the lab in another namespace.
    expect(() =>
      at('subset-v1', 'edge-vs-catalog-v1', 'ingressgateway', 'catalog.istioinaction.io:80'),
    ).toThrow()
  })

  it('mirroring: users go to v1, every request is mirrored to v2', () => {
    const routes = mesh('mirroring', 'mesh-vs-catalog-mirror')
    expect(routes.map(targetClusters)).toEqual([[V1]])
    expect(routes[0]?.mirrors).toEqual([{ cluster: V2, percent: 100 }])
  })

  const egress = Object.keys(steps).filter(
    (s) => s.startsWith('egress-registry-only') || s.startsWith('service-entry'),
  )

  it.each(egress)('%s: egress open before the lock-down, BlackHoleCluster after', (scenario) => {
    const [open, ...locked] = steps[scenario] ?? []
    for (const proxy of ['webapp', 'forum']) {
      expect(outboundFallback(read(line, scenario, String(open?.name), proxy))).toBe('PassthroughCluster')
      for (const s of locked)
        expect(outboundFallback(read(line, scenario, s.name, proxy))).toBe('BlackHoleCluster')
    }
    // forum's call to an unknown host on port 80: allowed through, then answered 502 by block_all.
    const [openRoute] = routesOf(read(line, scenario, String(open?.name), 'forum'), '80', 'allow_any')
    expect(openRoute && targetClusters(openRoute)).toEqual(['PassthroughCluster'])
    const lockedStep = locked.find((s) => !s.manifests.includes('ch5/jsonplaceholder-se.yaml'))
    const [blocked] = routesOf(read(line, scenario, String(lockedStep?.name), 'forum'), '80', 'block_all')
    expect(blocked?.name).toBe('block_all')
    expect(blocked?.target).toEqual({ kind: 'direct-response', status: 502 })
  })

  it.each(egress.filter((s) => s.startsWith('service-entry')))(
    '%s: the ServiceEntry gives forum a route and a cluster for the outside host',
    (scenario) => {
      const dump = read(line, scenario, 'jsonplaceholder-se', 'forum')
      const cluster = outboundCluster(80, '', OUTSIDE)
      expect(clusterNames(dump)).toContain(cluster)
      expect(clusterNames(read(line, scenario, 'coolstore-gateway', 'forum'))).not.toContain(cluster)
      expect(routesOf(dump, '80', `${OUTSIDE}:80`).map(targetClusters)).toEqual([[cluster]])
      expect(outboundFallback(dump)).toBe('BlackHoleCluster')
    },
  )
})

/**
 * The Flagger goldens (oracles/flagger): Flagger's own controller over the lab's Canary, in the
 * scenario's order (initialize, the failing revision, v2). The suite's timeline judge must pass
 * them, read as a watcher sampling every status change 10 s apart.
 */
interface FlaggerTimeline {
  final: string
  phases: string[]
  weights: number[]
  statuses: { phase: string; canaryWeight: number; failedChecks: number }[]
  events: { type: string; reason: string; message: string }[]
}

const flaggerVersions = existsSync(FLAGGER_GOLDEN)
  ? readdirSync(FLAGGER_GOLDEN, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  : []

it('there are Flagger goldens for at least one Flagger version', () => {
  expect(flaggerVersions.length).toBeGreaterThan(0)
})

describe.each(flaggerVersions)('Flagger %s goldens', (version) => {
  const load = (variant: string): FlaggerTimeline =>
    JSON.parse(readFileSync(join(FLAGGER_GOLDEN, version, 'flagger-canary', `${variant}.json`), 'utf8'))
  const samples = (t: FlaggerTimeline): CanarySample[] =>
    t.statuses.map((s, i) => ({
      at: new Date(Date.UTC(2024, 0, 1) + i * 10_000).toISOString(),
      phase: s.phase,
      weight: s.canaryWeight,
    }))
  const judged = (
    t: FlaggerTimeline,
    aspect: 'weights' | 'phases' | 'final',
    expectFinal: 'Succeeded' | 'Failed',
  ) =>
    judgeCanaryTimeline({
      kind: 'canary-timeline',
      aspect,
      expectFinal,
      stepWeight: 10,
      maxWeight: 50,
      stallMs: 40_000,
      samples: samples(t),
      events: t.events.map((e) => parseFlaggerEvent(e.message)),
    })

  it('initialize: Initializing > Initialized', () => {
    expect(load('initialize').phases).toEqual(['Initializing', 'Initialized'])
  })

  it('rollback: weight 10, five failed checks, then Failed at weight 0; the judge agrees', () => {
    const t = load('rollback')
    expect(t.phases).toEqual(['Progressing', 'Failed'])
    expect(t.weights).toEqual([10])
    expect(Math.max(...t.statuses.map((s) => s.failedChecks))).toBe(5)
    expect(t.statuses.at(-1)).toMatchObject({ phase: 'Failed', canaryWeight: 0 })
    expect(t.events.map((e) => parseFlaggerEvent(e.message).kind)).toContain('rollback')
    expect(judged(t, 'final', 'Failed').passed).toBe(true)
  })

  it('success: 10..50 by 10, Progressing > Promoting > Finalising > Succeeded; the judge agrees', () => {
    const t = load('success')
    expect(t.weights).toEqual([10, 20, 30, 40, 50])
    expect(t.phases).toEqual(['Progressing', 'Promoting', 'Finalising', 'Succeeded'])
    for (const aspect of ['weights', 'phases', 'final'] as const)
      expect(judged(t, aspect, 'Succeeded').passed).toBe(true)
  })

  it('success: every canaryWeight step is announced by an event, in order', () => {
    const advances = load('success')
      .events.map((e) => parseFlaggerEvent(e.message))
      .filter((e) => e.kind === 'advance')
      .map((e) => e.weight)
    expect(advances).toEqual([10, 20, 30, 40, 50])
  })
})
