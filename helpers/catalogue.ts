/**
 * The scenario catalogue: one entry per chapter-5 scenario, with a stable id.
 * Ids are a public contract (CLI arguments, report keys, diffs between runs):
 * never rename one. Source of the facts: ../shared/reference/ch5-lab.md.
 */
export type Feature = 'ingress' | 'mesh' | 'subsets' | 'access-logs' | 'flagger' | 'mirroring' | 'egress'

export interface CheckSpec {
  readonly id: string
  readonly proves: string
}

export interface ScenarioEntry {
  readonly id: string
  readonly title: string
  /** Section of "Istio in Action", chapter 5. */
  readonly section: string
  readonly observation: string
  readonly features: readonly Feature[]
  /** Paths relative to `manifests/`, in the order they are applied. */
  readonly manifests: readonly string[]
  readonly checks: readonly CheckSpec[]
}

/** catalog v1 and v2 at the edge; with webapp for the mesh scenarios. */
const EDGE_APPS = ['apps/catalog.yaml', 'apps/catalog-v2.yaml']
const MESH_APPS = [...EDGE_APPS, 'apps/webapp.yaml']

export const CATALOGUE: readonly ScenarioEntry[] = [
  {
    id: 'edge-routing',
    title: 'Route edge traffic to catalog through the ingress gateway',
    section: '5.2.2',
    observation: 'GET /items with Host catalog.istioinaction.io on node port 30000 answers 200 from catalog',
    features: ['ingress'],
    manifests: ['apps/catalog.yaml', 'ch5/edge-gateway.yaml', 'ch5/edge-vs-catalog.yaml'],
    checks: [
      { id: 'converged', proves: 'the route is programmed: 3 consecutive 200s from catalog' },
      { id: 'all-ok', proves: 'every response after convergence is a catalog item list, no errors' },
    ],
  },
  {
    id: 'subset-v1',
    title: 'Pin all edge traffic to catalog v1 with a DestinationRule subset',
    section: '5.2.4',
    observation: 'with catalog v2 running, zero responses carry imageUrl',
    features: ['ingress', 'subsets'],
    manifests: [...EDGE_APPS, 'ch5/edge-gateway.yaml', 'ch5/catalog-dr.yaml', 'ch5/edge-vs-catalog-v1.yaml'],
    checks: [{ id: 'no-v2', proves: 'zero imageUrl responses (sized to catch a 1% leak, miss <= 1e-3)' }],
  },
  {
    id: 'edge-header-routing',
    title: 'Dark-launch catalog v2 at the edge with the x-istio-cohort header',
    section: '5.2.5',
    observation: 'x-istio-cohort: internal reaches only v2; no header or another value reaches only v1',
    features: ['ingress', 'subsets'],
    manifests: [
      ...EDGE_APPS,
      'ch5/edge-gateway.yaml',
      'ch5/catalog-dr.yaml',
      'ch5/edge-vs-catalog-cohort.yaml',
    ],
    checks: [
      { id: 'internal-all-v2', proves: 'with x-istio-cohort: internal every response is v2' },
      { id: 'no-header-all-v1', proves: 'without the header every response is v1' },
      { id: 'other-value-all-v1', proves: 'with x-istio-cohort: external every response is v1' },
    ],
  },
  {
    id: 'edge-route-order',
    title: 'Show why route order matters in the gateway route table',
    section: '5.2.5',
    observation: 'the header-match route to the v2 subset precedes the catch-all to v1 in route http.8080',
    features: ['ingress', 'subsets'],
    manifests: [
      ...EDGE_APPS,
      'ch5/edge-gateway.yaml',
      'ch5/catalog-dr.yaml',
      'ch5/edge-vs-catalog-cohort.yaml',
      'ch5/edge-vs-catalog-cohort-reversed.yaml',
    ],
    checks: [
      {
        id: 'header-route-first',
        proves: 'the header route to version-v2 precedes the catch-all to version-v1',
      },
      {
        id: 'reversed-catch-all-first',
        proves: 'with the rules reversed the catch-all comes first in the route table',
      },
      { id: 'reversed-shadows-header', proves: 'with the rules reversed the header no longer reaches v2' },
    ],
  },
  {
    id: 'mesh-routing',
    title: 'Route calls inside the mesh: webapp to catalog v1',
    section: '5.2.6',
    observation:
      "/api/catalog never shows imageUrl; webapp's proxy log shows calls to the version-v1 cluster",
    features: ['ingress', 'mesh', 'subsets', 'access-logs'],
    manifests: [
      ...MESH_APPS,
      'ch5/coolstore-gateway.yaml',
      'ch5/catalog-dr.yaml',
      'ch5/mesh-vs-catalog-v1.yaml',
      'ch5/webapp-access-log.yaml',
    ],
    checks: [
      { id: 'no-v2', proves: 'zero imageUrl responses through webapp' },
      {
        id: 'proxy-log-v1-cluster',
        proves: "webapp's outbound access-log lines name the version-v1 subset cluster",
      },
    ],
  },
  {
    id: 'mesh-header-routing',
    title: 'Route on a header deep in the call graph',
    section: '5.2.6',
    observation: 'x-istio-cohort travels through webapp: with it all v2, without it all v1',
    features: ['ingress', 'mesh', 'subsets'],
    manifests: [
      ...MESH_APPS,
      'ch5/coolstore-gateway.yaml',
      'ch5/catalog-dr.yaml',
      'ch5/mesh-vs-catalog-cohort.yaml',
    ],
    checks: [
      { id: 'internal-all-v2', proves: 'with x-istio-cohort: internal every response is v2' },
      { id: 'no-header-all-v1', proves: 'without the header every response is v1' },
    ],
  },
  {
    id: 'weighted-shift',
    title: 'Shift traffic by weight: 90/10, 50/50, 0/100',
    section: '5.3',
    observation: 'the v2 share of /api/catalog matches each weight',
    features: ['ingress', 'mesh', 'subsets'],
    manifests: [
      ...MESH_APPS,
      'ch5/coolstore-gateway.yaml',
      'ch5/catalog-dr.yaml',
      'ch5/mesh-vs-catalog-90-10.yaml',
      'ch5/mesh-vs-catalog-50-50.yaml',
      'ch5/mesh-vs-catalog-0-100.yaml',
    ],
    checks: [
      { id: 'share-10', proves: 'v2 share consistent with 10% (sequential exact binomial test)' },
      { id: 'share-50', proves: 'v2 share consistent with 50% (sequential exact binomial test)' },
      { id: 'share-100', proves: 'every response is v2' },
    ],
  },
  {
    id: 'flagger-canary',
    title: 'Automate a canary release with Flagger',
    section: '5.3.1',
    observation: 'canaryWeight rises 10..50, phases reach Succeeded, then every response is v2',
    features: ['ingress', 'mesh', 'flagger'],
    manifests: [
      'apps/catalog.yaml',
      'apps/webapp.yaml',
      'ch5/coolstore-gateway.yaml',
      'ch5/catalog-canary.yaml',
      'ch5/catalog-deployment-failing.yaml',
      'ch5/catalog-deployment-v2.yaml',
    ],
    checks: [
      { id: 'weights-monotonic', proves: 'canaryWeight rises by stepWeight to maxWeight without going back' },
      { id: 'phases', proves: 'phases go Progressing, Promoting, Finalising, Succeeded' },
      { id: 'share-per-step', proves: 'the observed v2 share at each step is consistent with the weight' },
      { id: 'all-v2-after', proves: 'after promotion every response is v2' },
      { id: 'rollback', proves: 'a revision that answers errors is analysed and ends Failed' },
      { id: 'primary-v1-after-rollback', proves: 'after the rollback every response is still v1' },
    ],
  },
  {
    id: 'mirroring',
    title: 'Mirror live traffic to catalog v2',
    section: '5.4',
    observation: "users see only v1; v2's log shows the mirrored /items requests",
    features: ['ingress', 'mesh', 'subsets', 'mirroring'],
    manifests: [
      ...MESH_APPS,
      'ch5/coolstore-gateway.yaml',
      'ch5/catalog-dr.yaml',
      'ch5/mesh-vs-catalog-mirror.yaml',
    ],
    checks: [
      { id: 'users-see-v1', proves: 'zero imageUrl responses' },
      { id: 'v2-receives-mirror', proves: "catalog-v2's log holds the mirrored /items requests" },
      { id: 'shadow-host', proves: 'mirrored Host ends in -shadow where this Istio version appends it' },
    ],
  },
  {
    id: 'egress-registry-only',
    title: 'Lock down egress with REGISTRY_ONLY',
    section: '5.5',
    observation: 'calls to unknown hosts end in BlackHoleCluster (UH); /api/users answers 500',
    features: ['ingress', 'mesh', 'egress', 'access-logs'],
    manifests: [
      'apps/webapp.yaml',
      'apps/catalog.yaml',
      'apps/forum.yaml',
      'ch5/coolstore-gateway.yaml',
      'ch5/sidecar-registry-only.yaml',
    ],
    checks: [
      {
        id: 'blackhole-tcp',
        proves: "webapp's proxy log shows BlackHoleCluster with flag UH for outside HTTPS",
      },
      { id: 'users-500', proves: '/api/users answers 500 error calling Forum service' },
      { id: 'forum-block-all', proves: "forum's proxy log shows GET /users 502 direct_response block_all" },
    ],
  },
  {
    id: 'service-entry',
    title: 'Allow one outside host with a ServiceEntry',
    section: '5.5',
    observation: '/api/users succeeds again through the ServiceEntry cluster',
    features: ['ingress', 'mesh', 'egress', 'access-logs'],
    manifests: [
      'apps/webapp.yaml',
      'apps/catalog.yaml',
      'apps/forum.yaml',
      'ch5/coolstore-gateway.yaml',
      'ch5/sidecar-registry-only.yaml',
      'ch5/jsonplaceholder-se.yaml',
    ],
    checks: [
      { id: 'users-200', proves: '/api/users answers 200 with a JSON list of users' },
      { id: 'forum-se-cluster', proves: "forum's proxy log shows the ServiceEntry's cluster, not BlackHole" },
    ],
  },
]

export const SCENARIO_IDS: readonly string[] = CATALOGUE.map((s) => s.id)

export function scenarioById(id: string): ScenarioEntry | undefined {
  return CATALOGUE.find((s) => s.id === id)
}
