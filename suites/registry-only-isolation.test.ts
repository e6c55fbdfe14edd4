import { describe, expect, it } from 'vitest'
import {
  clusterNames,
  outboundFallback,
  type RouteView,
  routeConfigurations,
  routesOf,
  targetClusters,
} from '../helpers/routes/inspect.js'
import {
  committedSteps,
  type GoldenStep,
  goldenDump,
  goldenLines,
  type ProxyName,
} from '../helpers/testing/istio-goldens.js'

/**
 * Evidence for the concurrent scheduler (issue 17): a routing scenario may run while an egress
 * scenario holds the mesh in REGISTRY_ONLY, because what a routing scenario reads and is routed
 * by does not depend on the outbound policy. Proved from Istio's own output: in the goldens,
 * every pair of steps of one scenario with the same objects and a different policy (the
 * lock-down of egress-registry-only and service-entry, in every namespace they have goldens in)
 * gives the same route tables for every service in the registry, on the sidecars (`80`) and the
 * ingress gateway (`http.8080`). The policy changes exactly two things: the catch-all virtual
 * host of the sidecars' route `80` (allow_any -> PassthroughCluster, block_all -> 502) and the
 * fallthrough TCP proxies of the outbound listeners (PassthroughCluster -> BlackHoleCluster).
 * In pilot (istio.io/istio 1.31) those are the only two readers of the ALLOW_ANY/REGISTRY_ONLY
 * mode: pilot/pkg/networking/core/httproute.go (the catch-all host) and listener_builder.go
 * buildOutboundCatchAllNetworkFiltersOnly; the gateway's routes read neither.
 */

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Pairs of steps of one scenario key: same objects, ALLOW_ANY then REGISTRY_ONLY. */
const PAIRS = Object.entries(committedSteps().scenarios).flatMap(([key, steps]) =>
  steps.flatMap((open) =>
    steps
      .filter(
        (locked: GoldenStep) =>
          open.mesh.outboundTrafficPolicy === 'ALLOW_ANY' &&
          locked.mesh.outboundTrafficPolicy === 'REGISTRY_ONLY' &&
          JSON.stringify(locked.manifests) === JSON.stringify(open.manifests),
      )
      .map((locked) => ({ key, open: open.name, locked: locked.name })),
  ),
)
const CATCH_ALL = { ALLOW_ANY: 'allow_any', REGISTRY_ONLY: 'block_all' } as const
const SIDECARS: readonly ProxyName[] = ['webapp', 'forum']

/** A proxy's one route configuration (the goldens hold the one the suite reads), as the route inspector reads it. */
function routeConfig(dump: unknown): Json {
  const [config, ...more] = routeConfigurations(dump)
  expect(more).toEqual([])
  if (!config) throw new Error('no route configuration')
  return config
}
const virtualHosts = (config: Json): Json[] =>
  (Array.isArray(config.virtualHosts) ? config.virtualHosts : []).filter(isObject)

/**
 * The dump with what the outbound policy decides made neutral: the catch-all virtual host
 * (whichever it is) and every TCP proxy to PassthroughCluster or BlackHoleCluster. Two dumps
 * equal after this differ in nothing else.
 */
function withoutPolicy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPolicy)
  if (!isObject(value)) return value
  if (value.name === 'allow_any' || value.name === 'block_all') return 'CATCH-ALL'
  if (
    typeof value['@type'] === 'string' &&
    value['@type'].endsWith('.TcpProxy') &&
    (value.cluster === 'PassthroughCluster' || value.cluster === 'BlackHoleCluster')
  )
    return 'FALLTHROUGH'
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutPolicy(v)]))
}

it('the goldens hold such pairs: the egress scenarios\u2019 lock-down, in the book\u2019s namespace, itc-staging and their own', () => {
  const keys = PAIRS.map((p) => p.key)
  for (const key of [
    'egress-registry-only',
    'egress-registry-only@itc-staging',
    'egress-registry-only@itc-egress-registry-only',
    'service-entry',
    'service-entry@itc-staging',
    'service-entry@itc-service-entry',
  ])
    expect(keys).toContain(key)
  // On an existing cluster the lock-down is a namespace Sidecar (other objects): no such pair.
  expect(keys.filter((k) => k.includes('@existing-cluster'))).toEqual([])
})

describe.each(goldenLines())('Istio %s: the outbound policy and what a routing scenario reads', (line) => {
  describe.each(PAIRS)('$key: $open (ALLOW_ANY) and $locked (REGISTRY_ONLY)', ({ key, open, locked }) => {
    const dump = (step: string, proxy: ProxyName) => goldenDump(line, key, step, proxy)
    const namespace = /@(itc-[a-z0-9-]+)$/.exec(key)?.[1] ?? 'istioinaction'
    const catalog = `catalog.${namespace}.svc.cluster.local:80`

    it.each(SIDECARS)(
      "%s's route 80: every registry service's virtual host identical, only the catch-all differs",
      (proxy) => {
        const before = routeConfig(dump(open, proxy))
        const after = routeConfig(dump(locked, proxy))
        const hosts = (c: Json) => virtualHosts(c).map((h) => String(h.name))
        const registry = (c: Json) =>
          virtualHosts(c).filter((h) => !Object.values(CATCH_ALL).includes(String(h.name) as never))

        // The virtual host for catalog, whole (its domains, routes, retry and timeout settings),
        // and as the suite's route inspector reads it.
        const catalogHost = (c: Json) => virtualHosts(c).find((h) => h.name === catalog)
        expect(catalogHost(before)).toBeDefined()
        expect(catalogHost(after)).toEqual(catalogHost(before))
        const views: RouteView[] = routesOf(dump(locked, proxy), '80', catalog)
        expect(views).toEqual(routesOf(dump(open, proxy), '80', catalog))
        expect(views.length).toBeGreaterThan(0)

        // Every other registry host too, and the route configuration's own fields.
        expect(registry(after)).toEqual(registry(before))
        expect(registry(before).length).toBeGreaterThanOrEqual(4)
        expect({ ...after, virtualHosts: [] }).toEqual({ ...before, virtualHosts: [] })

        // The catch-all: PassthroughCluster under ALLOW_ANY, a 502 under REGISTRY_ONLY.
        expect(hosts(before).at(-1)).toBe(CATCH_ALL.ALLOW_ANY)
        expect(hosts(after).at(-1)).toBe(CATCH_ALL.REGISTRY_ONLY)
        const [allowAny] = routesOf(dump(open, proxy), '80', CATCH_ALL.ALLOW_ANY)
        const [blockAll] = routesOf(dump(locked, proxy), '80', CATCH_ALL.REGISTRY_ONLY)
        expect(allowAny && targetClusters(allowAny)).toEqual(['PassthroughCluster'])
        expect(blockAll?.target).toEqual({ kind: 'direct-response', status: 502 })
      },
    )

    it.each(SIDECARS)(
      "%s's whole config: the same clusters, and nothing else differs than the catch-all and the fallthrough",
      (proxy) => {
        expect(clusterNames(dump(locked, proxy))).toEqual(clusterNames(dump(open, proxy)))
        expect(outboundFallback(dump(open, proxy))).toBe('PassthroughCluster')
        expect(outboundFallback(dump(locked, proxy))).toBe('BlackHoleCluster')
        expect(dump(locked, proxy)).not.toEqual(dump(open, proxy))
        expect(withoutPolicy(dump(locked, proxy))).toEqual(withoutPolicy(dump(open, proxy)))
      },
    )

    it("the ingress gateway's http.8080 and whole config: identical", () => {
      const before = routeConfig(dump(open, 'ingressgateway'))
      expect(before.name).toBe('http.8080')
      expect(virtualHosts(before).length).toBeGreaterThan(0)
      expect(routeConfig(dump(locked, 'ingressgateway'))).toEqual(before)
      expect(dump(locked, 'ingressgateway')).toEqual(dump(open, 'ingressgateway'))
    })
  })
})
