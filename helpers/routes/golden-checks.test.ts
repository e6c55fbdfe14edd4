import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { scenarioById } from '../../suites/index.js'
import { labNames } from '../../suites/shared.js'
import { judgeRouteOrder, type RouteOrderEvidence } from '../evidence/routes.js'
import { loadManifest } from '../manifests/load.js'
import { runScenario } from '../runner/scenario.js'
import { FakeLab } from '../testing/fake-lab.js'
import { goldenDump, goldenLineFor } from '../testing/istio-goldens.js'
import { CLUSTER_CONFIG } from '../testing/run-fixtures.js'
import { clusterNames, outboundCluster, outboundFallback, routesOf } from './inspect.js'

/** The book's names: these goldens are the lab in istioinaction. */
const { EDGE_ROUTES, V1_CLUSTER, V2_CLUSTER } = labNames()

/**
 * The scenarios' route checks against the tables Istio itself computes (the goldens): each passes
 * on the goldens of the configuration the scenario applies and fails on those of a wrong one.
 * Judged directly where the check reads a route table, and through the in-memory lab (which
 * routes by the goldens) where the check reads traffic or logs.
 */

const LINE = goldenLineFor('1.31.0')
const edgeTable = (step: string) =>
  routesOf(
    goldenDump(LINE, 'edge-route-order', step, 'ingressgateway'),
    EDGE_ROUTES.routeName,
    EDGE_ROUTES.virtualHost,
  )

/** The evidence edge-route-order's checks record, over a golden table. */
const routeOrder = (step: string, expectHeaderFirst: boolean): RouteOrderEvidence => ({
  kind: 'route-order',
  pod: 'istio-ingressgateway-0',
  routeName: EDGE_ROUTES.routeName,
  virtualHost: EDGE_ROUTES.virtualHost,
  header: { name: 'x-istio-cohort', exact: 'internal' },
  headerCluster: V2_CLUSTER,
  catchAllCluster: V1_CLUSTER,
  expectHeaderFirst,
  routes: edgeTable(step),
  ...(expectHeaderFirst ? {} : { admissionWarnings: [], expectedWarning: null }),
})

describe("edge-route-order's route checks on Istio's tables", () => {
  it('header-route-first passes on the header-first table and fails on the reversed one, which has no header route', () => {
    expect(judgeRouteOrder(routeOrder('edge-vs-catalog-cohort', true))).toMatchObject({
      passed: true,
      cause: 'header route (#0) precedes the catch-all (#1) in http.8080 catalog.istioinaction.io:80',
    })
    expect(edgeTable('edge-vs-catalog-cohort-reversed').some((r) => r.match.headers.length > 0)).toBe(false)
    expect(judgeRouteOrder(routeOrder('edge-vs-catalog-cohort-reversed', true))).toMatchObject({
      passed: false,
      cause: expect.stringMatching(
        /^no route matching x-istio-cohort: internal to outbound\|80\|version-v2\|/,
      ),
    })
  })

  it('reversed-catch-all-first passes on the reversed table and fails on the header-first one', () => {
    expect(judgeRouteOrder(routeOrder('edge-vs-catalog-cohort-reversed', false))).toMatchObject({
      passed: true,
      cause: expect.stringMatching(
        /^http\.8080 catalog\.istioinaction\.io:80 holds only the catch-all \(#0\)/,
      ),
    })
    expect(judgeRouteOrder(routeOrder('edge-vs-catalog-cohort', false))).toMatchObject({
      passed: false,
      cause: 'expected the catch-all first, found the header route at #0 before it (#1)',
    })
  })

  it('before the VirtualService the gateway has no virtual host for catalog: reading the table fails', () => {
    expect(() => edgeTable('catalog-dr')).toThrow(
      'route http.8080 has no virtual host catalog.istioinaction.io:80 (has: blackhole:80)',
    )
  })
})

describe('the egress facts the checks rely on, read from the goldens', () => {
  it('REGISTRY_ONLY: BlackHoleCluster is the fallback; the ServiceEntry step has the outside host cluster', () => {
    const forum = (step: string) => goldenDump(LINE, 'service-entry', step, 'forum')
    expect(outboundFallback(forum('coolstore-gateway'))).toBe('PassthroughCluster')
    expect(outboundFallback(forum('mesh-registry-only'))).toBe('BlackHoleCluster')
    expect(clusterNames(forum('jsonplaceholder-se'))).toContain(
      outboundCluster(80, '', 'jsonplaceholder.typicode.com'),
    )
    expect(clusterNames(forum('mesh-registry-only'))).not.toContain(
      outboundCluster(80, '', 'jsonplaceholder.typicode.com'),
    )
  })
})

/** A lab where one manifest of a scenario is replaced by another, as a learner's typo would. */
function labApplying(instead: Record<string, string>, initial: readonly KubernetesObject[] = []): FakeLab {
  const fake = new FakeLab(initial)
  const swaps = Object.entries(instead).map(([from, to]) => ({
    from: JSON.stringify(loadManifest(from)),
    to: loadManifest(to),
  }))
  const apply = fake.cluster.apply
  fake.cluster.apply = async (objects) => {
    const swap = swaps.find((s) => s.from === JSON.stringify(objects))
    return apply(swap ? swap.to : objects)
  }
  return fake
}

const checksOf = async (id: string, fake: FakeLab) => {
  const definition = scenarioById(id)
  if (!definition) throw new Error(`no scenario ${id}`)
  const result = await runScenario(definition, fake.adapters())
  return Object.fromEntries(result.checks.map((c) => [c.check, { passed: c.passed, cause: c.cause }]))
}

describe("the scenarios' checks fail on the goldens of a wrong configuration", () => {
  it("weighted-shift: the route gate refuses 50/50 where 90/10 is due, naming the sidecar's weights", async () => {
    const checks = await checksOf(
      'weighted-shift',
      labApplying({ 'ch5/mesh-vs-catalog-90-10.yaml': 'ch5/mesh-vs-catalog-50-50.yaml' }),
    )
    expect(checks['share-10']).toEqual({
      passed: false,
      cause: `not observed: webapp's route to catalog weighted 90/10: not reached within 60 s; last state seen: ${V1_CLUSTER}=50, ${V2_CLUSTER}=50`,
    })
    expect(checks['share-50']?.passed).toBe(true)
    expect(checks['share-100']?.passed).toBe(true)
  })

  it('edge-header-routing: with the reversed rules the header never reaches v2', async () => {
    const checks = await checksOf(
      'edge-header-routing',
      labApplying({ 'ch5/edge-vs-catalog-cohort.yaml': 'ch5/edge-vs-catalog-cohort-reversed.yaml' }),
    )
    // The gateway's own table (Istio's translation: the catch-all alone) stops it before any sample.
    expect(checks['internal-all-v2']).toMatchObject({
      passed: false,
      cause: expect.stringMatching(
        /^not observed: app=istio-ingressgateway http\.8080 sends \/items only to outbound\|80\|version-v2\|.*last state seen: #0 prefix \/ -> outbound\|80\|version-v1\|/,
      ),
    })
    expect(checks['no-header-all-v1']?.passed).toBe(true)
  })

  it('mirroring: a weighted route instead of the mirror leaks v2 to users and mirrors nothing', async () => {
    const checks = await checksOf(
      'mirroring',
      labApplying({ 'ch5/mesh-vs-catalog-mirror.yaml': 'ch5/mesh-vs-catalog-90-10.yaml' }),
    )
    expect(checks['users-see-v1']).toMatchObject({ passed: false })
  })

  it('egress-registry-only: a mesh config left at ALLOW_ANY lets /api/users through', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    const apply = fake.cluster.apply
    fake.cluster.apply = async (objects) =>
      apply(objects.filter((o) => !(o.kind === 'ConfigMap' && o.metadata?.name === 'istio')))
    const checks = await checksOf('egress-registry-only', fake)
    expect(checks['users-500']).toMatchObject({
      passed: false,
      cause: expect.stringMatching(/^not observed: 3 consecutive v1 responses .* classes seen: v2/),
    })
  })
})
