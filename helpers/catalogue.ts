/**
 * The scenario catalogue: one entry per chapter-5 scenario, with a stable id.
 * Ids are a public contract (CLI arguments, report keys, diffs between runs):
 * never rename one. Source of the facts: ../shared/reference/ch5-lab.md.
 */
export type Feature = 'ingress' | 'mesh' | 'subsets' | 'access-logs' | 'flagger' | 'mirroring' | 'egress'

export interface CheckSpec {
  readonly id: string
  readonly proves: string
  /** What to look at when this check fails: for learners debugging their own cluster. */
  readonly hint: string
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
/** The egress scenarios' apps and the namespace Sidecar they use on a cluster not the suite's own. */
const EGRESS_SETUP = [
  'apps/webapp.yaml',
  'apps/catalog.yaml',
  'apps/forum.yaml',
  'ch5/coolstore-gateway.yaml',
  'ch5/sidecar-registry-only.yaml',
]

export const CATALOGUE: readonly ScenarioEntry[] = [
  {
    id: 'edge-routing',
    title: 'Route edge traffic to catalog through the ingress gateway',
    section: '5.2.2',
    observation: 'GET /items with Host catalog.istioinaction.io on node port 30000 answers 200 from catalog',
    features: ['ingress'],
    manifests: ['apps/catalog.yaml', 'ch5/edge-gateway.yaml', 'ch5/edge-vs-catalog.yaml'],
    checks: [
      {
        id: 'converged',
        proves: 'the route is programmed: 3 consecutive 200s from catalog',
        hint: "Is the Gateway's selector (istio: ingressgateway) matching the gateway pods, and the VirtualService bound to catalog-gateway for host catalog.istioinaction.io? See `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system`.",
      },
      {
        id: 'all-ok',
        proves: 'every response after convergence is a catalog item list, no errors',
        hint: "Errors after the route worked: look for 503s with flags UH/UF in the gateway's access log (`kubectl logs -n istio-system deploy/istio-ingressgateway`) and for catalog pods restarting.",
      },
    ],
  },
  {
    id: 'subset-v1',
    title: 'Pin all edge traffic to catalog v1 with a DestinationRule subset',
    section: '5.2.4',
    observation: 'with catalog v2 running, zero responses carry imageUrl',
    features: ['ingress', 'subsets'],
    manifests: [...EDGE_APPS, 'ch5/edge-gateway.yaml', 'ch5/catalog-dr.yaml', 'ch5/edge-vs-catalog-v1.yaml'],
    checks: [
      {
        id: 'no-v2',
        proves: 'zero imageUrl responses (sized to catch a 1% leak, miss <= 1e-3)',
        hint: "A v2 response means the VirtualService does not pin subset version-v1, or the DestinationRule's version-v1 subset labels also select v2 pods.",
      },
    ],
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
      {
        id: 'internal-all-v2',
        proves: 'with x-istio-cohort: internal every response is v2',
        hint: "The header rule must come first in the VirtualService and match x-istio-cohort exactly 'internal'; check the subset name version-v2 exists in DestinationRule catalog.",
      },
      {
        id: 'no-header-all-v1',
        proves: 'without the header every response is v1',
        hint: 'Requests without the header must fall through to the catch-all route to version-v1; a v2 here means the catch-all points at the wrong subset.',
      },
      {
        id: 'other-value-all-v1',
        proves: 'with x-istio-cohort: external every response is v1',
        hint: "Only the exact value 'internal' may reach v2; a prefix or regex match would also let other values through.",
      },
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
        hint: "Envoy uses the first matching route: the rule with the header match must be listed before the catch-all in the VirtualService's http list.",
      },
      {
        id: 'reversed-catch-all-first',
        proves: 'with the rules reversed the catch-all comes first in the route table',
        hint: "With the rules reversed the catch-all should be first in the gateway's http.8080 table; if not, the reversed VirtualService was not applied or not yet pushed.",
      },
      {
        id: 'reversed-shadows-header',
        proves: 'with the rules reversed the header no longer reaches v2',
        hint: 'With the catch-all first, even x-istio-cohort: internal must land on v1; a v2 means the old route table is still in place.',
      },
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
      {
        id: 'no-v2',
        proves: 'zero imageUrl responses through webapp',
        hint: "VirtualService catalog must list gateway 'mesh' (calls inside the mesh) and route to subset version-v1; webapp's sidecar must be injected (2/2 containers).",
      },
      {
        id: 'proxy-log-v1-cluster',
        proves: "webapp's outbound access-log lines name the version-v1 subset cluster",
        hint: "webapp's istio-proxy log should show outbound|80|version-v1|catalog... for its calls; no lines at all means access logging is off (Telemetry for app: webapp, or meshConfig.accessLogFile).",
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
      {
        id: 'internal-all-v2',
        proves: 'with x-istio-cohort: internal every response is v2',
        hint: 'webapp forwards x- headers to catalog; the rule lives on VirtualService catalog (gateway mesh), not on the edge VirtualService.',
      },
      {
        id: 'no-header-all-v1',
        proves: 'without the header every response is v1',
        hint: "Without the header, webapp's calls must hit the catch-all route to version-v1 of VirtualService catalog.",
      },
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
      {
        id: 'share-10',
        proves: 'v2 share consistent with 10% (sequential exact binomial test)',
        hint: "Compare the VirtualService weights (90/10) with webapp's sidecar route (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`); a share far off usually means an old route or a missing subset.",
      },
      {
        id: 'share-50',
        proves: 'v2 share consistent with 50% (sequential exact binomial test)',
        hint: "As for 90/10: the sidecar's weighted clusters must read 50/50 for version-v1 and version-v2.",
      },
      {
        id: 'share-100',
        proves: 'every response is v2',
        hint: "With weight 0 for v1 every call must reach v2; a v1 response means the weights were not pushed to webapp's sidecar.",
      },
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
      {
        id: 'weights-monotonic',
        proves: 'canaryWeight rises by stepWeight to maxWeight without going back',
        hint: 'Flagger advances stepWeight per successful analysis; a stall or a step back usually means failing metrics (check Prometheus is scraping the mesh and the load reached webapp).',
      },
      {
        id: 'phases',
        proves: 'phases go Progressing, Promoting, Finalising, Succeeded',
        hint: "See the Canary's events (`kubectl describe canary catalog-release -n istioinaction`) and Flagger's log (`kubectl logs -n istio-system deploy/flagger`).",
      },
      {
        id: 'share-per-step',
        proves: 'the observed v2 share at each step is consistent with the weight',
        hint: "The observed share at each step should follow canaryWeight; a large gap means the Flagger VirtualService (match sourceLabels app: webapp) is not what routes webapp's calls.",
      },
      {
        id: 'all-v2-after',
        proves: 'after promotion every response is v2',
        hint: 'After Succeeded the primary runs the new spec; v1 responses mean the promotion did not copy the spec or the primary pods did not roll.',
      },
      {
        id: 'rollback',
        proves: 'a revision that answers errors is analysed and ends Failed',
        hint: 'A revision answering 500s must fail the request-success-rate check 5 times (threshold) and end Failed; if it succeeded, Flagger is not reading Istio metrics from Prometheus.',
      },
      {
        id: 'primary-v1-after-rollback',
        proves: 'after the rollback every response is still v1',
        hint: 'After a rollback the primary must keep serving the old version; v2 or errors mean traffic was not routed back to catalog-primary.',
      },
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
      {
        id: 'users-see-v1',
        proves: 'zero imageUrl responses',
        hint: "With mirroring, users must only ever get v1's answers; a v2 means the route itself, not only the mirror, points at version-v2.",
      },
      {
        id: 'v2-receives-mirror',
        proves: "catalog-v2's log holds the mirrored /items requests",
        hint: "The mirror target is subset version-v2 of host catalog; check DestinationRule catalog and catalog-v2's logs (`kubectl logs deploy/catalog-v2 -n istioinaction`).",
      },
      {
        id: 'shadow-host',
        proves: 'mirrored Host ends in -shadow where this Istio version appends it',
        hint: 'Istio up to 1.27 appends -shadow to the mirrored Host; later versions do not unless istiod sets DISABLE_SHADOW_HOST_SUFFIX=false.',
      },
    ],
  },
  {
    id: 'egress-registry-only',
    title: 'Lock down egress with REGISTRY_ONLY',
    section: '5.5',
    observation: 'calls to unknown hosts end in BlackHoleCluster (UH); /api/users answers 500',
    features: ['ingress', 'mesh', 'egress', 'access-logs'],
    manifests: [...EGRESS_SETUP],
    checks: [
      {
        id: 'blackhole-tcp',
        proves: "webapp's proxy log shows BlackHoleCluster with flag UH for outside HTTPS",
        hint: 'Under REGISTRY_ONLY an unknown outside host goes to BlackHoleCluster; PassthroughCluster means the policy is still ALLOW_ANY (check meshConfig.outboundTrafficPolicy or the namespace Sidecar).',
      },
      {
        id: 'users-500',
        proves: '/api/users answers 500 error calling Forum service',
        hint: "webapp answers 500 'error calling Forum service' when forum's call is blocked; a 200 means egress is still open.",
      },
      {
        id: 'forum-block-all',
        proves: "forum's proxy log shows GET /users 502 direct_response block_all",
        hint: "forum's proxy logs the blocked call as 502 direct_response on route block_all; BlackHoleCluster TCP lines instead mean the call was HTTPS or on an unexpected port.",
      },
    ],
  },
  {
    id: 'service-entry',
    title: 'Allow one outside host with a ServiceEntry',
    section: '5.5',
    observation: '/api/users succeeds again through the ServiceEntry cluster',
    features: ['ingress', 'mesh', 'egress', 'access-logs'],
    manifests: [...EGRESS_SETUP, 'ch5/jsonplaceholder-se.yaml'],
    checks: [
      {
        id: 'users-200',
        proves: '/api/users answers 200 with a JSON list of users',
        hint: 'After the ServiceEntry, /api/users must answer 200 with users; 500 means the host is still blocked or does not resolve (CoreDNS for the stand-in, or internet access).',
      },
      {
        id: 'forum-se-cluster',
        proves: "forum's proxy log shows the ServiceEntry's cluster, not BlackHole",
        hint: "forum's call must leave through outbound|80||jsonplaceholder.typicode.com; block_all means the ServiceEntry (hosts, port 80 HTTP, MESH_EXTERNAL) is missing or in another namespace.",
      },
    ],
  },
]

export const SCENARIO_IDS: readonly string[] = CATALOGUE.map((s) => s.id)

export function scenarioById(id: string): ScenarioEntry | undefined {
  return CATALOGUE.find((s) => s.id === id)
}

/** The hint for a failed check, or undefined for an unknown scenario or check. */
export function hintFor(scenarioId: string, checkId: string): string | undefined {
  return scenarioById(scenarioId)?.checks.find((c) => c.id === checkId)?.hint
}
