import type { KubernetesObject } from '@kubernetes/client-node'
import { classifierFor, type ResponseClass } from '../http/classify.js'
import type { LoadEvidence, LoadRecord } from '../http/load.js'
import type { Probe, RequestRecord, SampleResult } from '../http/sampler.js'
import {
  ACCESS_LOG_FLUSH_MS,
  compareVersions,
  expectedBehaviour,
  UNREACHABLE_RULE_WARNING,
} from '../istio-behaviour.js'
import type { ObjectRef } from '../kube/client.js'
import { refOf } from '../kube/client.js'
import type { LabNamespaceFacts } from '../kube/lab-namespace.js'
import type { LogQuery, LogRead } from '../logs/reader.js'
import { type LogLine, type LogWindow, selectWindow } from '../logs/window.js'
import { BOOK_NAMESPACE, nameIn } from '../manifests/namespace.js'
import { outboundPolicyOf } from '../mesh-edits.js'
import type { RouteQuery } from '../routes/fetch.js'
import { outboundCluster, type RouteView, routesOf } from '../routes/inspect.js'
import type { ClusterEvent, LabAdapters, LabCluster, LabIngress } from '../runner/lab.js'
import { STAND_IN_USERS } from '../system/stand-in-program.js'
import { type Connection, EnvoyConfig, type HttpOutcome, type RouteDecision } from './envoy-routes.js'
import {
  goldenDump,
  goldenLineFor,
  meshState,
  type OutboundPolicy,
  type ProxyName,
  type StepRef,
  stepInForce,
} from './istio-goldens.js'
import { mulberry32 } from './random.js'

type Obj = KubernetesObject & { spec?: Record<string, unknown> }
/** A VirtualService http rule, as far as the validation webhook's warning looks at it. */
interface HttpRule {
  match?: unknown[]
}
type Response = { status: number; body: string }

const OUTSIDE_HOST = 'jsonplaceholder.typicode.com'
const key = (r: ObjectRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`

/**
 * The catalog app's items (istioinaction book sources, services/catalog/server.js). json-server
 * answers with 2-space JSON: 502 bytes, 698 with v2's imageUrl, as the real access logs show;
 * webapp (Go) re-encodes them compactly.
 */
const CATALOG_ITEMS = [
  { id: 1, color: 'amber', department: 'Eyewear', name: 'Elinor Glasses', price: '282.00' },
  { id: 2, color: 'cyan', department: 'Clothing', name: 'Atlas Shirt', price: '127.00' },
  { id: 3, color: 'teal', department: 'Clothing', name: 'Small Metal Shoes', price: '232.00' },
  { id: 4, color: 'red', department: 'Watches', name: 'Red Dragon Watch', price: '232.00' },
]
const itemsOf = (version: 'v1' | 'v2') =>
  version === 'v1'
    ? CATALOG_ITEMS
    : CATALOG_ITEMS.map((item) => ({ ...item, imageUrl: 'http://lorempixel.com/640/480' }))
export const CATALOG_BODY = {
  v1: JSON.stringify(itemsOf('v1'), null, 2),
  v2: JSON.stringify(itemsOf('v2'), null, 2),
} as const
const WEBAPP_BODY = { v1: JSON.stringify(itemsOf('v1')), v2: JSON.stringify(itemsOf('v2')) } as const
const CATALOG_ERROR: Response = { status: 500, body: 'error calling Catalog service' }
const USERS_BLOCKED: Response = { status: 500, body: 'error calling Forum service' }

/** Addresses in the kind network: where host traffic enters the node, the pods and the Services. */
const CLIENT = '172.18.0.1'
const IP = {
  gateway: '10.244.0.5',
  webapp: '10.244.0.9',
  'catalog-v1': '10.244.0.12',
  'catalog-v2': '10.244.0.13',
  forum: '10.244.0.20',
  outside: '104.21.48.1',
  'catalog-service': '10.96.10.20',
  'forum-service': '10.96.10.30',
} as const

/** A plaintext HTTP/1.1 connection to an address, as the proxies' HTTP inspector sees it. */
const http11 = (address: string, port: number): Connection => ({
  address,
  port,
  transport: 'raw_buffer',
  applicationProtocols: ['http/1.1'],
})

/** The proxy whose golden a label selector reads (the gateway's pods carry app=istio-ingressgateway). */
const PROXY_OF_APP: Readonly<Record<string, ProxyName>> = {
  'istio-ingressgateway': 'ingressgateway',
  webapp: 'webapp',
  forum: 'forum',
}

/** Istio's SNI for a cluster (outbound|80|version-v1|host -> outbound_.80_.version-v1_.host), as catalog's inbound line shows it. */
const sniOf = (cluster: string) => cluster.split('|').join('_.')

/** morgan's 'dev' format as json-server logs it (expressjs/morgan index.js), colours and all. */
const devLine = (path: string, status: number, ms: string, bytes: number) =>
  `\u001b[0mGET ${path} \u001b[${status >= 500 ? 31 : 32}m${status}\u001b[0m ${ms} ms - ${bytes}\u001b[0m`

/** A UUID v4 from a seeded generator, like Envoy's x-request-id and the sampler's. */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
  hex[12] = '4'
  hex[16] = (8 + Math.floor(random() * 4)).toString(16)
  const h = hex.join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** One parsed Envoy configuration per golden dump, for the whole process. */
const envoyConfigs = new WeakMap<object, EnvoyConfig>()
function envoyConfigOf(dump: object): EnvoyConfig {
  let config = envoyConfigs.get(dump)
  if (!config) {
    config = new EnvoyConfig(dump)
    envoyConfigs.set(dump, config)
  }
  return config
}

/** What became of an HTTP call a proxy took: its route decision, or no connection at all. */
type CallResult = RouteDecision | { readonly kind: 'not-connected' }

function httpDecision(outcome: HttpOutcome, proxy: ProxyName): CallResult {
  switch (outcome.kind) {
    case 'http':
      return outcome.decision
    case 'refused':
    case 'closed':
      return { kind: 'not-connected' }
    case 'tcp':
      throw new Error(
        `${proxy}'s proxy takes an HTTP call as TCP to ${outcome.cluster} (listener ${outcome.listener}, chain ${outcome.chain}): not modelled by the lab`,
      )
  }
}

/** %ROUTE_NAME% as Envoy logs it: the route's name, "-" for a route without one (a VirtualService's unnamed rule). */
const routeNameOf = (d: CallResult): string => ('route' in d && d.route ? d.route : '-')

/** A golden's route table as the route inspector reads it, parsed once per dump, route and host. */
const routeTables = new WeakMap<object, Map<string, readonly RouteView[]>>()
function routeTable(dump: object, routeName: string, virtualHost: string): RouteView[] {
  let tables = routeTables.get(dump)
  if (!tables) {
    tables = new Map()
    routeTables.set(dump, tables)
  }
  const key = `${routeName}\u0000${virtualHost}`
  let routes = tables.get(key)
  if (!routes) {
    routes = routesOf(dump, routeName, virtualHost)
    tables.set(key, routes)
  }
  return [...routes]
}

/** Where a cluster sends a call in the lab: a pod of a Deployment, or an address outside the cluster. */
type Endpoint =
  | { readonly kind: 'pod'; readonly deployment: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly kind: 'address'; readonly address: string }

/**
 * An in-memory cluster + ingress that behaves like the parts of Istio the scenarios rely on.
 * Routing is Istio's own: each simulated call goes through the Envoy configuration Istio's
 * control plane computed for the step in force (the goldens of oracles/istio), by a small model
 * of Envoy's listener, virtual host and route matching (envoy-routes.ts); the lab finds that
 * step by comparing what it holds with every golden step, and refuses a state no step has.
 * Around the routing: Deployments answer as v1 or v2 with the real bodies, proxies and catalog
 * write the log lines those calls would produce, in the real formats and with Envoy's 1 s
 * access-log flush, cluster DNS answers the outside host, the webhook warns, and Flagger runs
 * its canary (Flagger routes its canary itself: that traffic follows the lab's Flagger model,
 * not a golden). It records every apply, delete, probe, log read and route fetch.
 */
export class FakeLab {
  readonly objects = new Map<string, Obj>()
  readonly applied: string[] = []
  readonly deleted: string[] = []
  /**
   * Every rollout, as `Deployment/<namespace>/<name>`: a Deployment created, or its pod template
   * changed (a new ReplicaSet), as Kubernetes rolls out; an apply that leaves the template as it
   * was rolls nothing out.
   */
  readonly rollouts: string[] = []
  /**
   * What deleting a Namespace took with it (kind/namespace/name), as Kubernetes' namespace
   * controller deletes a namespace's content: empty when whoever deleted the namespace had
   * already deleted what it put there.
   */
  readonly cascaded: string[] = []
  /** Namespaces deleted in this lab and not created again: an object applied into one is refused (NotFound). */
  private readonly deletedNamespaces = new Set<string>()
  readonly probes: Probe[] = []
  readonly logReads: LogQuery[] = []
  readonly routeFetches: RouteQuery[] = []
  /** Every log line written; a proxy's line carries the time Envoy flushed it, and is unreadable before. */
  readonly logs: LogLine[] = []
  readonly lines: string[] = []
  /** Warnings the validation webhook returned on apply, as kubectl would print them. */
  readonly warnings: string[] = []
  /** How many of `warnings` the lab has already handed out as admission warnings. */
  private warned = 0
  /**
   * The Istio version the lab reports. It decides the behaviour that differs by version outside
   * the route tables (warnings, the -shadow suffix default, the log flush); the route tables come
   * from the goldens of goldenLineFor(istio): the newest line unless the lab's own has goldens.
   */
  istio = '1.17.8'
  /** Flagger's version: from 1.43.0 Promoting keeps canaryWeight (fluxcd/flagger pkg/canary/status.go). */
  flaggerVersion = '1.36.1'
  /** Make routing misbehave: return a class regardless of configuration. */
  override: ((probe: Probe) => ResponseClass | undefined) | undefined
  /**
   * The Istio version's behaviour: whether mirrored Host headers get -shadow. The lab's, not the
   * golden's: the 1.31 goldens set disable_shadow_host_suffix_append, 1.17 appended the suffix.
   */
  shadowSuffix = true
  /**
   * Whether the ingress gateway keeps the client's x-request-id. Off by default, as on the
   * default profile: Istio >= 1.25 (Envoy >= 1.33) regenerates it for every client; Istio 1.17
   * keeps it for a private-address client (see GATEWAY_KEEPS_CLIENT_REQUEST_ID).
   */
  gatewayKeepsClientRequestId = false
  /** Whether webapp's calls carry the port in Host (catalog.istioinaction:80) or not. */
  catalogHostHasPort = true
  readonly execs: { selector: string; container: string; command: readonly string[] }[] = []
  /** Executables the webapp image has (curl, wget). */
  execTools = new Set(['curl'])
  /** Whether the outside host is reachable by its real DNS name (--egress internet). */
  internet = false
  readonly standIns: { address: string; stopped: boolean }[] = []
  private flagger: FakeFlagger | undefined
  readonly loads: { probe: Probe; rps: number; records: LoadRecord[]; last: number; stopped: boolean }[] = []
  /** Pod specs that answer errors: Flagger rolls them back. */
  failingSpecs = new Set<string>(['failing'])
  /**
   * How long after a new canary's traffic starts its metrics have values: Prometheus scrapes every
   * 15 s (Istio's samples/addons) and rate() needs two samples, so the first checks halt with "no
   * values found". 0: at once, as the Flagger oracle's scripted metrics answer.
   */
  flaggerMetricsAfterMs = 25_000
  private t = Date.parse('2026-11-27T08:00:00.000Z')
  private readonly random = mulberry32(42)
  /** Request ids come from their own generator, so routing draws stay as they were. */
  private readonly idRandom = mulberry32(7)
  /**
   * Where the lab reads a golden config dump (line, scenario, step, proxy): the committed goldens.
   * A test may hand it other tables to prove the lab routes by what they say.
   */
  goldens: (line: string, scenario: string, step: string, proxy: ProxyName) => unknown = goldenDump
  /** The golden step last found in force, and the objects it was found for. */
  private inForce: { objects: readonly Obj[]; step: StepRef } | undefined

  constructor(initial: readonly KubernetesObject[] = []) {
    for (const o of initial) this.objects.set(key(refOf(o)), o as Obj)
    // A Canary the cluster already holds (a learner's lab) is one Flagger has initialised:
    // its analysis loop has run once, so the primary serves and Flagger routes the calls.
    const canary = initial.find((o) => o.kind === 'Canary')
    if (canary) {
      const flagger = this.startFlagger(canary as Obj)
      flagger.advance(this.t + flagger.settings.intervalMs, this.catalogSpec())
      this.scaleFlaggerTarget()
    }
  }

  /** Flagger's loop for a Canary, from its analysis settings. */
  private startFlagger(o: Obj): FakeFlagger {
    this.flaggerPhaseSeen = undefined
    const analysis = (o.spec?.analysis ?? {}) as {
      interval?: string
      threshold?: number
      stepWeight?: number
      maxWeight?: number
    }
    this.flagger = new FakeFlagger(this.t, {
      intervalMs: Number.parseInt(String(analysis.interval ?? '10s'), 10) * 1000,
      threshold: analysis.threshold ?? 5,
      stepWeight: analysis.stepWeight ?? 10,
      maxWeight: analysis.maxWeight ?? 50,
      promotingKeepsWeight: compareVersions(this.flaggerVersion, '1.43.0') >= 0,
      namespace: o.metadata?.namespace ?? BOOK_NAMESPACE,
      failing: this.failingSpecs,
      metricsAfterMs: this.flaggerMetricsAfterMs,
    })
    return this.flagger
  }

  now = (): Date => new Date(this.t)

  /**
   * The namespace the apps run in: the book's, or the one `run --namespace` moved them to. The
   * lab's pods all live there; a query for another namespace finds none, as on a cluster.
   */
  private get appsNamespace(): string {
    const app = this.of('Deployment').find((d) =>
      ['catalog', 'webapp', 'forum'].includes(this.podLabels(d).app ?? ''),
    )
    return app?.metadata?.namespace ?? BOOK_NAMESPACE
  }

  private get catalogFqdn(): string {
    return nameIn('catalog.istioinaction.svc.cluster.local', this.appsNamespace)
  }

  /**
   * The Host of webapp's calls to catalog or forum: the service host its Deployment's
   * environment names (CATALOG_SERVICE_HOST, FORUM_SERVICE_HOST, as the book's webapp reads
   * them), with the port where this lab's webapp sends it.
   */
  private webappCallsHost(variable: 'CATALOG_SERVICE_HOST' | 'FORUM_SERVICE_HOST'): string {
    const webapp = this.of('Deployment').find((d) => d.metadata?.name === 'webapp')
    const env =
      (
        webapp?.spec?.template as
          | { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } }
          | undefined
      )?.spec?.containers?.[0]?.env ?? []
    const host = env.find((e) => e.name === variable)?.value
    if (!host) throw new Error(`webapp's Deployment sets no ${variable}: the lab cannot tell where it calls`)
    return variable === 'FORUM_SERVICE_HOST' || this.catalogHostHasPort ? `${host}:80` : host
  }

  /** Whether a namespace holds the lab's pods (a query elsewhere finds no pod). */
  private podsIn(namespace: string): boolean {
    return namespace === this.appsNamespace
  }

  /** Every event the lab's Flagger got to the API, created or updated, in order (as the Flagger goldens list them). */
  flaggerEventOccurrences(): readonly { type: string; reason: string; message: string }[] {
    return this.flagger?.recorder.occurrences ?? []
  }

  private tick(ms = 5): void {
    this.t += ms
  }

  private uuid(): string {
    return uuidFrom(this.idRandom)
  }

  private of(kind: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.kind === kind)
  }

  /** An app's line, visible at once (the container's stdout). */
  private log(pod: string, container: string, text: string): void {
    this.logs.push({ pod, container, timestamp: new Date(this.t).toISOString(), text })
  }

  /**
   * An Envoy access-log line: Envoy buffers the file and flushes it every second as Istio starts
   * it (--file-flush-interval-msec 1000), so the line shows up at the next flush.
   */
  private access(pod: string, fields: string): void {
    const flushMs = expectedBehaviour(ACCESS_LOG_FLUSH_MS, this.istio)?.value ?? 1000
    const flushedAt = (Math.floor(this.t / flushMs) + 1) * flushMs
    this.logs.push({
      pod,
      container: 'istio-proxy',
      timestamp: new Date(flushedAt).toISOString(),
      text: `[${new Date(this.t).toISOString()}] ${fields}`,
    })
  }

  private configMapData(namespace: string, name: string): Record<string, string> {
    return (
      (
        this.objects.get(key({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace })) as
          | { data?: Record<string, string> }
          | undefined
      )?.data ?? {}
    )
  }

  /**
   * The golden step whose configuration the lab holds right now (found again only when an
   * object changed). Throws, naming the nearest step, when no golden step has it.
   */
  private stepInForce(): StepRef {
    const objects = [...this.objects.values()]
    const cached = this.inForce
    if (
      cached &&
      cached.objects.length === objects.length &&
      cached.objects.every((o, i) => o === objects[i])
    )
      return cached.step
    const policy = outboundPolicyOf(this.configMapData('istio-system', 'istio').mesh ?? '') as OutboundPolicy
    const step = stepInForce(meshState(objects, policy))
    this.inForce = { objects, step }
    return step
  }

  /** The Envoy configuration Istio computed for one proxy at the step in force. */
  private proxy(name: ProxyName): EnvoyConfig {
    const { scenario, step } = this.stepInForce()
    const line = goldenLineFor(this.istio)
    const dump = this.goldens(line, scenario, step.name, name)
    if (typeof dump !== 'object' || dump === null)
      throw new Error(`golden step ${line}/${scenario}/${step.name} has no ${name} proxy (it deploys none)`)
    return envoyConfigOf(dump)
  }

  /** Where the cluster DNS sends the outside host: the real address with internet, a CoreDNS hosts entry, or nowhere. */
  private resolveOutside(): string | undefined {
    if (this.internet) return IP.outside
    const corefile = this.configMapData('kube-system', 'coredns').Corefile ?? ''
    return /(\d+\.\d+\.\d+\.\d+)\s+jsonplaceholder\.typicode\.com/.exec(corefile)?.[1]
  }

  /** The labels of a Deployment's pods. */
  private podLabels(d: Obj): Record<string, string> {
    return (d.spec?.template as { metadata?: { labels?: Record<string, string> } })?.metadata?.labels ?? {}
  }

  /**
   * The endpoints of a cluster, as the control plane and Envoy would find them in the lab: EDS
   * (outbound|port|subset|service) gives the pods the Service selects, narrowed to the subset's
   * labels from the DestinationRule; a DNS cluster (a ServiceEntry's host) what the cluster DNS
   * answers; ORIGINAL_DST (PassthroughCluster) the address the app connected to; STATIC
   * (BlackHoleCluster) nothing.
   */
  private endpoints(proxy: EnvoyConfig, cluster: string, originalDestination: string): Endpoint[] {
    const type = proxy.clusters.get(cluster)?.type
    const [, , subset = '', host = ''] = cluster.split('|')
    if (type === 'ORIGINAL_DST') return [{ kind: 'address', address: originalDestination }]
    if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
      const address = host === OUTSIDE_HOST ? this.resolveOutside() : undefined
      return address ? [{ kind: 'address', address }] : []
    }
    if (type !== 'EDS') return []
    const [service = '', namespace = ''] = host.split('.')
    const svc = this.objects.get(key({ apiVersion: 'v1', kind: 'Service', name: service, namespace }))
    if (!svc) return []
    const selector = (svc.spec?.selector as Record<string, string> | undefined) ?? {}
    const rule = this.of('DestinationRule').find(
      (r) => r.metadata?.namespace === namespace && [host, service].includes(String(r.spec?.host)),
    )
    const subsetLabels = subset
      ? (rule?.spec?.subsets as { name: string; labels?: Record<string, string> }[] | undefined)?.find(
          (s) => s.name === subset,
        )?.labels
      : {}
    if (!subsetLabels) return []
    const wanted = { ...selector, ...subsetLabels }
    return this.of('Deployment')
      .filter((d) => d.metadata?.namespace === namespace)
      .filter((d) => Object.entries(wanted).every(([k, v]) => this.podLabels(d)[k] === v))
      .map((d) => ({ kind: 'pod', deployment: d.metadata?.name ?? '', labels: this.podLabels(d) }))
  }

  /** One endpoint, as a load balancer spreads calls over them. */
  private pickEndpoint(endpoints: readonly Endpoint[]): Endpoint | undefined {
    return endpoints.length > 1 ? endpoints[Math.floor(this.random() * endpoints.length)] : endpoints[0]
  }

  /** The catalog version a pod serves, if it is a catalog pod. */
  private catalogVersion(endpoint: Endpoint | undefined): 'v1' | 'v2' | undefined {
    if (endpoint?.kind !== 'pod' || endpoint.labels.app !== 'catalog') return undefined
    const version = endpoint.labels.version
    return version === 'v1' || version === 'v2' ? version : undefined
  }

  /**
   * forum's call to jsonplaceholder.typicode.com/users through its sidecar, and the line forum's
   * proxy logs for it. The forum app resolves the name itself (Istio's DNS capture is off by
   * default, ISTIO_META_DNS_CAPTURE=false): without an answer it fails before Envoy and no line
   * appears.
   */
  private forumUsers(requestId: string): boolean {
    const address = this.resolveOutside()
    if (!address) return false
    const sidecar = this.proxy('forum')
    const outcome = sidecar.sendHttp(
      http11(address, 80),
      { authority: OUTSIDE_HOST, path: '/users', headers: { 'user-agent': 'Go-http-client/1.1' } },
      this.random,
    )
    const decision = httpDecision(outcome, 'forum')
    const base = `"GET /users HTTP/1.1"`
    const tail = `"${CLIENT}" "Go-http-client/1.1" "${requestId}" "${OUTSIDE_HOST}"`
    const local = `${IP.forum}:51000 ${address}:80 ${IP.forum}:40000 -`
    const route = routeNameOf(decision)
    if (decision.kind === 'direct-response') {
      this.access(
        'forum-1',
        `${base} ${decision.status} - direct_response - "-" 0 ${Buffer.byteLength(decision.body)} 0 - ${tail} "-" - - ${address}:80 ${IP.forum}:40000 - ${route}`,
      )
      return false
    }
    if (decision.kind === 'cluster') {
      const endpoint = this.pickEndpoint(this.endpoints(sidecar, decision.cluster, address))
      if (endpoint?.kind === 'address') {
        this.access(
          'forum-1',
          `${base} 200 - via_upstream - "-" 0 5645 40 39 ${tail} "${endpoint.address}:80" ${decision.cluster} ${local} ${route}`,
        )
        return true
      }
      this.access(
        'forum-1',
        `${base} 503 UH no_healthy_upstream - "-" 0 19 0 - ${tail} "-" ${decision.cluster} - ${address}:80 ${IP.forum}:40000 - ${route}`,
      )
      return false
    }
    if (decision.kind === 'not-connected' || decision.kind === 'redirect') return false
    const [code, flag, details] =
      decision.kind === 'unknown-cluster' ? [503, 'NC', 'cluster_not_found'] : [404, 'NR', 'route_not_found']
    this.access(
      'forum-1',
      `${base} ${code} ${flag} ${details} - "-" 0 0 0 - ${tail} "-" - - ${address}:80 ${IP.forum}:40000 - ${route}`,
    )
    return false
  }

  /** The gateway's x-request-id for a client's request: kept, or regenerated at the edge. */
  private edgeRequestId(clientId: string): string {
    return this.gatewayKeepsClientRequestId ? clientId : this.uuid()
  }

  /** One request through the simulated ingress, classified like the real sampler does. */
  private request(probe: Probe, requestId: string, at?: number): { status: number; cls: ResponseClass } {
    if (at === undefined) this.tick()
    const forced = this.override?.(probe)
    if (forced) return { status: forced === 'error' ? 503 : 200, cls: forced }
    const { status, body } = this.respond(probe, this.edgeRequestId(requestId))
    // The answer arrives after the request started (and after its log lines' start times).
    if (at === undefined) this.tick(1)
    return { status, cls: classifierFor(probe.classifier)(status, body).class }
  }

  /** What catalog writes for one request: its chatter, its morgan line and json-server's. */
  private catalogApp(pod: string, host: string, version: 'v1' | 'v2'): void {
    const bytes = Buffer.byteLength(CATALOG_BODY[version])
    const ms = (0.4 + this.random() * 1.2).toFixed(3)
    this.log(pod, 'catalog', 'request path: /items')
    this.log(pod, 'catalog', 'blowups: {}')
    this.log(pod, 'catalog', 'number of blowups: 0')
    this.log(pod, 'catalog', `GET ${host} /items 200 ${bytes} - ${ms} ms`)
    this.log(pod, 'catalog', devLine('/items', 200, ms, bytes))
  }

  /** catalog's sidecar: the inbound line for a call (XFF as it arrived, authority as sent, SNI of the caller's cluster). */
  private catalogInbound(
    version: 'v1' | 'v2',
    requestId: string,
    authority: string,
    xff: string,
    from: string,
    cluster: string,
  ): void {
    const bytes = Buffer.byteLength(CATALOG_BODY[version])
    const pod = `catalog-${version}-1`
    const ip = IP[`catalog-${version}`]
    this.access(
      pod,
      `"GET /items HTTP/1.1" 200 - via_upstream - "-" 0 ${bytes} 2 1 "${xff}" "beegoServer" "${requestId}" "${authority}" "${ip}:3000" inbound|3000|| 127.0.0.6:40107 ${ip}:3000 ${from}:0 ${sniOf(cluster)} default`,
    )
  }

  /**
   * webapp's call to catalog through its sidecar: webapp's outbound line, catalog's inbound line
   * and app lines, and a copy for every mirror policy that fired. webapp forwards the x- headers
   * it received (the book's webapp), so a header rule on VirtualService catalog sees them.
   */
  private webappCallsCatalog(requestId: string, headers: Readonly<Record<string, string>>): Response {
    const host = this.webappCallsHost('CATALOG_SERVICE_HOST')
    const sidecar = this.proxy('webapp')
    const forwarded = Object.fromEntries(
      Object.entries(headers).filter(([h]) => h.toLowerCase().startsWith('x-')),
    )
    const outcome = sidecar.sendHttp(
      http11(IP['catalog-service'], 80),
      { authority: host, path: '/items', headers: { ...forwarded, 'user-agent': 'beegoServer' } },
      this.random,
    )
    const decision = httpDecision(outcome, 'webapp')
    if (decision.kind !== 'cluster') return CATALOG_ERROR
    const version = this.catalogVersion(
      this.pickEndpoint(this.endpoints(sidecar, decision.cluster, IP['catalog-service'])),
    )
    if (!version) return CATALOG_ERROR
    const bytes = Buffer.byteLength(CATALOG_BODY[version])
    // Route names: a VirtualService's unnamed rule logs "-", the default route "default".
    this.access(
      'webapp-1',
      `"GET /items HTTP/1.1" 200 - via_upstream - "-" 0 ${bytes} 3 2 "${CLIENT}" "beegoServer" "${requestId}" "${host}" "${IP[`catalog-${version}`]}:3000" ${decision.cluster} ${IP.webapp}:41234 ${IP['catalog-service']}:80 ${IP.webapp}:53210 - ${routeNameOf(decision)}`,
    )
    this.catalogInbound(version, requestId, host, CLIENT, CLIENT, decision.cluster)
    this.catalogApp(`catalog-${version}-1`, host, version)
    for (const mirror of decision.mirrors) {
      const shadowVersion = this.catalogVersion(
        this.pickEndpoint(this.endpoints(sidecar, mirror.cluster, IP['catalog-service'])),
      )
      if (!shadowVersion) continue
      // Envoy's shadow: the same request id, the Host with -shadow before the port (where this
      // Istio appends it), and the target's sidecar sees the client and webapp in XFF (real capture).
      const shadowHost = this.shadowSuffix ? host.replace(/^[^:]+/, (name) => `${name}-shadow`) : host
      this.catalogInbound(
        shadowVersion,
        requestId,
        shadowHost,
        `${CLIENT},${IP.webapp}`,
        IP.webapp,
        mirror.cluster,
      )
      this.catalogApp(`catalog-${shadowVersion}-1`, shadowHost, shadowVersion)
    }
    return { status: 200, body: WEBAPP_BODY[version] }
  }

  /** webapp's /api/users: it asks forum through its sidecar, and forum asks the outside host. */
  private webappCallsForum(requestId: string): Response {
    const sidecar = this.proxy('webapp')
    const outcome = sidecar.sendHttp(
      http11(IP['forum-service'], 80),
      { authority: this.webappCallsHost('FORUM_SERVICE_HOST'), path: '/api/users' },
      this.random,
    )
    const decision = httpDecision(outcome, 'webapp')
    const endpoint =
      decision.kind === 'cluster'
        ? this.pickEndpoint(this.endpoints(sidecar, decision.cluster, IP['forum-service']))
        : undefined
    if (endpoint?.kind !== 'pod' || endpoint.labels.app !== 'forum') return USERS_BLOCKED
    return this.forumUsers(requestId) ? { status: 200, body: JSON.stringify(STAND_IN_USERS) } : USERS_BLOCKED
  }

  /** What an app pod behind the gateway answers. */
  private app(endpoint: Endpoint | undefined, probe: Probe, cluster: string, requestId: string): Response {
    const version = this.catalogVersion(endpoint)
    if (version) {
      // Through the gateway: the client in XFF, the Host as the client sent it (no port).
      this.catalogInbound(version, requestId, probe.host, CLIENT, CLIENT, cluster)
      this.catalogApp(`catalog-${version}-1`, probe.host, version)
      return { status: 200, body: CATALOG_BODY[version] }
    }
    if (endpoint?.kind === 'pod' && endpoint.labels.app === 'webapp') {
      if (probe.path === '/api/catalog') return this.webappCallsCatalog(requestId, probe.headers ?? {})
      if (probe.path === '/api/users') return this.webappCallsForum(requestId)
      return { status: 404, body: '' }
    }
    return endpoint ? { status: 404, body: '' } : { status: 503, body: 'no healthy upstream' }
  }

  private respond(probe: Probe, requestId: string): Response {
    // Flagger routes its canary with a VirtualService of its own: that path is the lab's Flagger.
    if (
      probe.host === nameIn('webapp.istioinaction.io', this.appsNamespace) &&
      probe.path === '/api/catalog' &&
      this.flagger &&
      this.flagger.phase !== 'Initializing'
    ) {
      const spec = this.flagger.pick(this.random())
      if (spec === 'failing') return CATALOG_ERROR
      const bytes = Buffer.byteLength(CATALOG_BODY[spec])
      const cluster = outboundCluster(80, '', this.catalogFqdn)
      const host = this.webappCallsHost('CATALOG_SERVICE_HOST')
      this.access(
        'webapp-1',
        `"GET /items HTTP/1.1" 200 - via_upstream - "-" 0 ${bytes} 3 2 "${CLIENT}" "beegoServer" "${requestId}" "${host}" "${IP[`catalog-${spec}`]}:3000" ${cluster} ${IP.webapp}:41234 ${IP['catalog-service']}:80 ${IP.webapp}:53210 - -`,
      )
      this.catalogInbound(
        spec,
        requestId,
        host,
        CLIENT,
        CLIENT,
        outboundCluster(80, `version-${spec}`, this.catalogFqdn),
      )
      this.catalogApp(`catalog-${spec}-1`, host, spec)
      return { status: 200, body: WEBAPP_BODY[spec] }
    }
    // The client reaches the gateway's port 8080 through the NodePort (80 -> 8080).
    const gateway = this.proxy('ingressgateway')
    const outcome = gateway.sendHttp(
      http11(IP.gateway, 8080),
      { authority: probe.host, path: probe.path, headers: probe.headers ?? {} },
      this.random,
    )
    if (outcome.kind === 'refused' || outcome.kind === 'closed')
      return { status: 0, body: 'connection refused' }
    const decision = httpDecision(outcome, 'ingressgateway')
    switch (decision.kind) {
      case 'cluster':
        return this.app(
          this.pickEndpoint(this.endpoints(gateway, decision.cluster, IP.gateway)),
          probe,
          decision.cluster,
          requestId,
        )
      case 'direct-response':
        return { status: decision.status, body: decision.body }
      case 'unknown-cluster':
        return { status: 503, body: '' }
      case 'redirect':
        return { status: 301, body: '' }
      default:
        return { status: 404, body: '' }
    }
  }

  /** What the validation webhook warns about on apply (istio/istio pkg/config/validation). */
  private admissionWarnings(o: Obj): string[] {
    if (o.kind !== 'VirtualService') return []
    const warning = expectedBehaviour(UNREACHABLE_RULE_WARNING, this.istio)?.value
    if (!warning) return []
    const http = (o.spec?.http as HttpRule[] | undefined) ?? []
    const firstCatchAll = http.findIndex((r) => !r.match?.length)
    return http
      .map((_, i) => i)
      .filter((i) => firstCatchAll >= 0 && i > firstCatchAll && http[i]?.match?.length)
      .map((i) => warning.replace('#1', `#${i}`))
  }

  readonly cluster: LabCluster = {
    admissionWarnings: () => {
      const fresh = this.warnings.slice(this.warned)
      this.warned = this.warnings.length
      return fresh
    },
    istioVersion: async () => this.istio,
    // What was applied and what a test put there, beside what Kubernetes and Istio (>= 1.27)
    // put in every namespace; no controller makes other objects in the lab.
    namespaceFacts: async (namespace): Promise<LabNamespaceFacts> => {
      const ns = this.objects.get(key({ apiVersion: 'v1', kind: 'Namespace', name: namespace }))
      if (!ns) return { namespace, labels: undefined, objects: [], unlisted: [] }
      const istioConfig = { 'istio.io/config': 'true' }
      return {
        namespace,
        labels: ns.metadata?.labels ?? {},
        objects: [
          { kind: 'ServiceAccount', name: 'default', owners: [] },
          { kind: 'ConfigMap', name: 'kube-root-ca.crt', owners: [] },
          { kind: 'ConfigMap', name: 'istio-ca-root-cert', owners: [], labels: istioConfig },
          { kind: 'ConfigMap', name: 'istio-ca-crl', owners: [], labels: istioConfig },
          ...[...this.objects.values()]
            .filter((o) => o.metadata?.namespace === namespace)
            .map((o) => ({ kind: o.kind ?? '', name: o.metadata?.name ?? '', owners: [] })),
        ],
        unlisted: [],
      }
    },
    events: async (namespace, name): Promise<ClusterEvent[]> =>
      name === 'catalog-release' && this.podsIn(namespace) ? (this.flagger?.recorder.list() ?? []) : [],
    exec: async (namespace, selector, container, commands) => {
      if (!this.podsIn(namespace)) throw new Error(`no running pod matches ${selector} in ${namespace}`)
      for (const command of commands) {
        this.execs.push({ selector, container, command })
        if (!this.execTools.has(command[0] ?? '')) continue
        // An HTTPS call to an address (no SNI): the sidecar dispatches it by the original destination.
        const url = new URL(command.find((a) => a.startsWith('https://')) ?? 'https://invalid/')
        const address = url.hostname
        const dispatched = this.proxy('webapp').dispatch({
          address,
          port: 443,
          transport: 'tls',
          applicationProtocols: ['h2', 'http/1.1'],
        })
        const cluster =
          dispatched.kind === 'chain' && dispatched.filter.kind === 'tcp' ? dispatched.filter.cluster : ''
        if (cluster === 'BlackHoleCluster') {
          this.access(
            'webapp-1',
            `"- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - ${address}:443 ${IP.webapp}:34868 - -`,
          )
          return {
            command,
            exitCode: 35,
            stdout: '',
            stderr: 'OpenSSL SSL_connect: Connection reset by peer',
          }
        }
        if (cluster === 'PassthroughCluster') {
          this.access(
            'webapp-1',
            `"- - -" 0 - - - "-" 812 4200 90 - "-" "-" "-" "-" "${address}:443" PassthroughCluster ${IP.webapp}:40000 ${address}:443 ${IP.webapp}:34868 - -`,
          )
          return { command, exitCode: 0, stdout: '[]', stderr: '' }
        }
        throw new Error(
          `webapp's sidecar sends TLS to ${address}:443 by ${JSON.stringify(dispatched)}: not modelled by the lab`,
        )
      }
      throw new Error(`none of ${commands.map((c) => c[0]).join(', ')} exists`)
    },
    read: async (ref) => {
      const obj = this.objects.get(key(ref))
      if (obj && ref.kind === 'Canary' && this.flagger) {
        this.flagger.advance(this.t, this.catalogSpec())
        this.scaleFlaggerTarget()
        const { phase, weight, failedChecks } = this.flagger
        return { ...obj, status: { phase, canaryWeight: weight, failedChecks, iterations: 0 } } as Obj
      }
      return obj
    },
    apply: async (objects) => {
      for (const o of objects) {
        const namespace = o.metadata?.namespace
        // The API server refuses a namespaced object in a namespace that does not exist. The lab
        // does not hold every namespace a cluster has (istio-system, kube-system), so it refuses
        // only in a namespace it saw deleted: what would be restored or applied after the run
        // deleted a scenario's own namespace.
        if (namespace && this.deletedNamespaces.has(namespace))
          throw new Error(`namespaces "${namespace}" not found (applying ${o.kind} ${o.metadata?.name})`)
        this.warnings.push(...this.admissionWarnings(o as Obj))
        if (o.kind === 'Deployment') {
          const before = this.objects.get(key(refOf(o)))
          const template = (d: Obj | undefined) => JSON.stringify(d?.spec?.template)
          if (!before || template(before) !== template(o as Obj))
            this.rollouts.push(`Deployment/${namespace ?? ''}/${o.metadata?.name}`)
        }
        this.objects.set(key(refOf(o)), o as Obj)
        this.applied.push(`${o.kind}/${o.metadata?.name}`)
        if (o.kind === 'Namespace' && o.apiVersion === 'v1')
          this.deletedNamespaces.delete(o.metadata?.name ?? '')
        if (o.kind === 'Canary' && !this.flagger) this.startFlagger(o as Obj)
      }
    },
    delete: async (refs) => {
      for (const r of refs) {
        if (this.objects.delete(key(r))) this.deleted.push(`${r.kind}/${r.name}`)
        if (r.kind === 'Canary') this.flagger = undefined
        if (r.kind === 'Namespace' && r.apiVersion === 'v1' && !r.namespace) this.deleteNamespace(r.name)
      }
    },
    waitForDeployments: async (namespace, names) => {
      const missing = names.filter(
        (n) =>
          !this.of('Deployment').some((d) => d.metadata?.name === n && d.metadata?.namespace === namespace),
      )
      if (missing.length) throw new Error(`deployments never ready: ${missing.join(', ')}`)
    },
    readLogs: async (query: LogQuery, window: LogWindow): Promise<LogRead> => {
      this.logReads.push(query)
      const app = /app=([\w-]+)/.exec(query.labelSelector)?.[1] ?? ''
      const version = /version=(v\d)/.exec(query.labelSelector)?.[1]
      // Only what the container has written by now: Envoy's lines after their flush.
      const lines = this.logs.filter(
        (l) =>
          this.podsIn(query.namespace) &&
          l.container === query.container &&
          l.pod.startsWith(version ? `${app}-${version}` : app) &&
          Date.parse(l.timestamp) <= this.t,
      )
      return {
        pods: [...new Set(lines.map((l) => l.pod))],
        lines: selectWindow(lines, window),
        truncatedPods: [],
      }
    },
    /** The proxy's route table as Istio computed it for the step in force (its golden config dump). */
    fetchRoutes: async (query: RouteQuery) => {
      this.routeFetches.push(query)
      // The gateway's pods carry both istio=ingressgateway and app=istio-ingressgateway.
      const app = /(?:^|,)istio=ingressgateway(?:,|$)/.test(query.labelSelector)
        ? 'istio-ingressgateway'
        : (/app=([\w-]+)/.exec(query.labelSelector)?.[1] ?? '')
      const proxy = PROXY_OF_APP[app]
      if (app !== 'istio-ingressgateway' && !this.podsIn(query.namespace))
        throw new Error(`no running pod matches ${query.labelSelector} in ${query.namespace}`)
      if (!proxy) throw new Error(`no running pod matches ${query.labelSelector} in ${query.namespace}`)
      const { scenario, step } = this.stepInForce()
      const dump = this.goldens(goldenLineFor(this.istio), scenario, step.name, proxy)
      if (typeof dump !== 'object' || dump === null)
        throw new Error(`no running pod matches ${query.labelSelector} in ${query.namespace}`)
      return { pod: `${app}-1`, routes: routeTable(dump, query.routeName, query.virtualHost) }
    },
  }

  /**
   * A Namespace's deletion, as the real adapter waits for it (LabCluster.delete: "delete and
   * wait until gone"): Kubernetes' namespace controller deletes everything in the namespace
   * before the Namespace itself goes, so once the delete returns nothing of it is left (its
   * pods with it: no logs, routes or exec there), and the namespace no longer accepts objects.
   * What it took is listed in `cascaded`, so a test can tell a scenario that cleaned up after
   * itself from one whose leftovers only the namespace's deletion removed.
   */
  private deleteNamespace(name: string): void {
    for (const [k, o] of [...this.objects])
      if (o.metadata?.namespace === name) {
        this.objects.delete(k)
        this.cascaded.push(`${o.kind}/${name}/${o.metadata?.name}`)
        if (o.kind === 'Canary') this.flagger = undefined
      }
    this.deletedNamespaces.add(name)
  }

  /** The Flagger phase the lab last saw, so the target is scaled down once per phase reached. */
  private flaggerPhaseSeen: string | undefined

  /**
   * As Flagger does once the primary serves (after initialization, and after a promotion or a
   * rollback): its target Deployment is scaled to zero replicas (fluxcd/flagger v1.36.1
   * pkg/canary/deployment_controller.go ScaleToZero, called from pkg/controller/scheduler.go).
   * A rollout it is not: the pod template stays as it was.
   */
  private scaleFlaggerTarget(): void {
    const flagger = this.flagger
    if (!flagger || flagger.phase === this.flaggerPhaseSeen) return
    this.flaggerPhaseSeen = flagger.phase
    if (!['Initialized', 'Succeeded', 'Failed'].includes(flagger.phase)) return
    const k = key({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'catalog',
      namespace: flagger.settings.namespace,
    })
    const target = this.objects.get(k)
    if (target) this.objects.set(k, { ...target, spec: { ...target.spec, replicas: 0 } })
  }

  /** The catalog pod spec of Deployment catalog: v1, v2 (SHOW_IMAGE) or a failing revision (command). */
  private catalogSpec(): 'v1' | 'v2' | 'failing' | undefined {
    const d = this.of('Deployment').find((x) => x.metadata?.name === 'catalog')
    const c = (
      d?.spec?.template as
        | { spec?: { containers?: { command?: string[]; env?: { name: string }[] }[] } }
        | undefined
    )?.spec?.containers?.[0]
    if (!c) return undefined
    if (c.command?.length) return 'failing'
    return c.env?.some((e) => e.name === 'SHOW_IMAGE') ? 'v2' : 'v1'
  }

  /** Moves the clock, sending each running load's requests for the time that passed. */
  private advance(ms: number): void {
    const end = this.t + ms
    for (const load of this.loads.filter((l) => !l.stopped)) {
      const period = 1000 / load.rps
      for (let at = load.last + period; at <= end; at += period) {
        this.t = at
        this.flagger?.advance(this.t, this.catalogSpec())
        this.scaleFlaggerTarget()
        const { cls } = this.request(load.probe, this.uuid(), at)
        load.records.push({ at: new Date(at).toISOString(), class: cls })
        load.last = at
      }
    }
    this.t = end
    this.flagger?.advance(this.t, this.catalogSpec())
    this.scaleFlaggerTarget()
  }

  readonly ingress: LabIngress = {
    startLoad: (probe, rps) => {
      const load = { probe, rps, records: [] as LoadRecord[], last: this.t, stopped: false }
      this.loads.push(load)
      return {
        answered: () => [...load.records],
        stop: async () => {
          load.stopped = true
          // The lab's clock sends exactly on schedule: the asked rate, every slot sent, every
          // error the server's (the real generator's evidence: helpers/http/load.ts).
          const errors = load.records.filter((r) => r.class === 'error').length
          const evidence: LoadEvidence = {
            askedRps: rps,
            achievedRps: rps,
            due: load.records.length,
            sent: load.records.length,
            missedLate: 0,
            missedAtCap: 0,
            serverErrors: errors,
            clientErrors: 0,
            maxInFlight: 1,
            connectionCap: 1,
            lateSends: 0,
            maxSendDelayMs: 0,
            lateLimitMs: 250,
            timeoutMs: 5_000,
          }
          return Object.assign([...load.records], { evidence })
        },
      }
    },
    converge: async (probe, expected, _timeoutMs) => {
      this.probes.push(probe)
      let streak = 0
      const seen: string[] = []
      for (let i = 0; i < 300; i++) {
        const { cls } = this.request(probe, this.uuid())
        seen.push(cls)
        streak = cls === expected ? streak + 1 : 0
        if (streak >= 3) return { requests: i + 1, elapsedMs: 100 * i }
      }
      throw new Error(
        `3 consecutive ${expected} responses from ${probe.host}${probe.path}: not reached within 30 s; last state seen: classes seen: ${[...new Set(seen)].join(', ')}`,
      )
    },
    sample: async (probe, options): Promise<SampleResult> => {
      this.probes.push(probe)
      const records: RequestRecord[] = []
      let stopped = false
      for (let index = 0; index < options.maxRequests && !stopped; index++) {
        const requestId = this.uuid()
        const { status, cls } = this.request(probe, requestId)
        const record: RequestRecord = {
          index,
          requestId,
          status,
          class: cls,
          latencyMs: 2,
          ...(cls === 'error' ? { reason: `status ${status}` } : {}),
        }
        records.push(record)
        stopped = options.onOrdered(record)
      }
      const counts = { v1: 0, v2: 0, error: 0 }
      for (const r of records) counts[r.class]++
      return { records, counts, stoppedEarly: stopped, elapsedMs: records.length * 2 }
    },
  }

  adapters(): LabAdapters {
    return {
      cluster: this.cluster,
      ingress: this.ingress,
      now: this.now,
      log: (l) => this.lines.push(l),
      clock: {
        now: () => this.t,
        sleep: async (ms) => {
          this.advance(ms)
        },
      },
      startStandIn: async () => {
        const standIn = { address: `172.18.0.${20 + this.standIns.length}`, stopped: false }
        this.standIns.push(standIn)
        return {
          address: standIn.address,
          stop: async () => {
            standIn.stopped = true
          },
        }
      },
    }
  }
}

/**
 * Kubernetes' event correlator as client-go's tools/record/events_cache.go runs it for Flagger's
 * recorder: an identical event only bumps its count and time; from the 10th distinct message of
 * one type and reason within 10 minutes, messages are rewritten "(combined from similar
 * events): ..." into one event that each later one overwrites; and past a burst of 25 events per
 * object (refilled one per 5 minutes) events are dropped. Lists in creation order, as the API does.
 */
export class FakeEventRecorder {
  private readonly events: { type: string; reason: string; message: string; at: string }[] = []
  /** Every event that reached the API, created or updated, in order (what the Flagger oracle records). */
  readonly occurrences: { type: string; reason: string; message: string }[] = []
  private readonly index = new Map<string, number>()
  private readonly aggregates = new Map<string, { messages: string[]; last: number }>()
  private tokens = 25
  private refilledAt: number | undefined

  record(at: number, type: 'Normal' | 'Warning', message: string): void {
    let agg = this.aggregates.get(type)
    if (!agg || at - agg.last > 600_000) agg = { messages: [], last: at }
    if (!agg.messages.includes(message)) agg.messages.push(message)
    agg.last = at
    this.aggregates.set(type, agg)
    let slot = `${type}\u0000${message}`
    let text = message
    if (agg.messages.length >= 10) {
      agg.messages.shift()
      slot = `${type}\u0000(aggregate)`
      text = `(combined from similar events): ${message}`
    }
    this.refilledAt ??= at
    this.tokens = Math.min(25, this.tokens + Math.floor((at - this.refilledAt) / 300_000))
    if (at - this.refilledAt >= 300_000) this.refilledAt = at
    if (this.tokens < 1) return
    this.tokens--
    this.occurrences.push({ type, reason: 'Synced', message: text })
    const when = new Date(at).toISOString()
    const i = this.index.get(slot)
    if (i === undefined) {
      this.index.set(slot, this.events.length)
      this.events.push({ type, reason: 'Synced', message: text, at: when })
    } else {
      this.events[i] = { type, reason: 'Synced', message: text, at: when }
    }
  }

  list(): ClusterEvent[] {
    return this.events.map(({ reason, message, at }) => ({ reason, message, at }))
  }
}

interface FlaggerSettings {
  readonly intervalMs: number
  readonly threshold: number
  readonly stepWeight: number
  readonly maxWeight: number
  /** Flagger >= 1.43.0 keeps canaryWeight in Promoting; older versions report 0. */
  readonly promotingKeepsWeight: boolean
  readonly failing: ReadonlySet<string>
  /** How long after a new canary's traffic starts its metrics have values. */
  readonly metricsAfterMs: number
  /** The Canary's namespace: Flagger's messages name objects as <name>.<namespace>. */
  readonly namespace: string
}

/**
 * Flagger's canary loop as fluxcd/flagger pkg/controller/scheduler.go runs it, one step per
 * analysis interval, with its event messages. The metrics of a new canary exist only once
 * Prometheus has scraped its traffic twice (15 s scrape interval, Istio's samples/addons), so
 * the first checks after traffic starts halt with "no values found", count as failed checks and
 * hold the weight. At the threshold of failed checks the canary is rolled back.
 */
class FakeFlagger {
  phase = 'Initializing'
  weight = 0
  primary: 'v1' | 'v2' | 'failing' | undefined
  canary: 'v1' | 'v2' | 'failing' | undefined
  rejected: string | undefined
  failedChecks = 0
  readonly recorder = new FakeEventRecorder()
  /** When the canary first received traffic; its metrics exist settings.metricsAfterMs later. */
  private trafficSince = 0
  private next: number

  constructor(
    start: number,
    readonly settings: FlaggerSettings,
  ) {
    this.next = start + settings.intervalMs
  }

  advance(now: number, spec: 'v1' | 'v2' | 'failing' | undefined): void {
    while (now >= this.next) {
      this.step(this.next, spec)
      this.next += this.settings.intervalMs
    }
  }

  private step(at: number, spec: 'v1' | 'v2' | 'failing' | undefined): void {
    // The messages below are the Flagger goldens' for the book's namespace; Flagger writes each
    // object as <name>.<namespace> (fluxcd/flagger pkg/controller/scheduler.go, v1.36.1).
    const event = (type: 'Normal' | 'Warning', message: string) =>
      this.recorder.record(at, type, message.replaceAll(`.${BOOK_NAMESPACE}`, `.${this.settings.namespace}`))
    const { stepWeight, maxWeight, threshold } = this.settings
    switch (this.phase) {
      case 'Initializing':
        this.primary = spec
        this.phase = 'Initialized'
        // Flagger checks its metrics providers once, at initialization (the Flagger goldens show it).
        event('Normal', 'all the metrics providers are available!')
        event('Normal', 'Initialization done! catalog-release.istioinaction')
        return
      case 'Initialized':
      case 'Succeeded':
      case 'Failed':
        if (spec && spec !== this.primary && spec !== this.rejected) {
          this.canary = spec
          this.phase = 'Progressing'
          this.weight = 0
          this.failedChecks = 0
          event('Normal', 'New revision detected! Scaling up catalog.istioinaction')
        }
        return
      case 'Progressing': {
        if (this.failedChecks >= threshold) {
          event(
            'Warning',
            `Rolling back catalog-release.istioinaction failed checks threshold reached ${this.failedChecks}`,
          )
          // Flagger names the Canary here, not the Deployment (fluxcd/flagger v1.36.1, as its goldens show).
          event('Warning', 'Canary failed! Scaling down catalog-release.istioinaction')
          this.rejected = this.canary
          this.phase = 'Failed'
          this.weight = 0
          this.failedChecks = 0
          return
        }
        if (this.weight === 0) {
          event('Normal', 'Starting canary analysis for catalog.istioinaction')
          this.weight = stepWeight
          this.trafficSince = at
          event('Normal', `Advance catalog-release.istioinaction canary weight ${this.weight}`)
          return
        }
        if (at - this.trafficSince < this.settings.metricsAfterMs) {
          this.failedChecks++
          event(
            'Warning',
            'Halt advancement no values found for istio metric request-success-rate probably catalog.istioinaction is not receiving traffic: running query failed: no values found',
          )
          return
        }
        if (this.canary && this.settings.failing.has(this.canary)) {
          this.failedChecks++
          event('Warning', 'Halt catalog-release.istioinaction advancement success rate 0.00% < 99%')
          return
        }
        if (this.weight < maxWeight) {
          this.weight += stepWeight
          event('Normal', `Advance catalog-release.istioinaction canary weight ${this.weight}`)
          return
        }
        event('Normal', 'Copying catalog.istioinaction template spec to catalog-primary.istioinaction')
        this.primary = this.canary
        this.phase = 'Promoting'
        if (!this.settings.promotingKeepsWeight) this.weight = 0
        return
      }
      case 'Promoting':
        event('Normal', 'Routing all traffic to primary')
        this.phase = 'Finalising'
        this.weight = 0
        return
      case 'Finalising':
        this.phase = 'Succeeded'
        this.weight = 0
        event('Normal', 'Promotion completed! Scaling down catalog.istioinaction')
        return
    }
  }

  /** Which pod spec serves one of webapp's calls. */
  pick(random: number): 'v1' | 'v2' | 'failing' {
    const primary = this.primary ?? 'v1'
    const served =
      this.phase === 'Progressing' && this.canary && random < this.weight / 100 ? this.canary : primary
    return this.failing(served) ? 'failing' : served
  }

  private failing(spec: string): boolean {
    return this.settings.failing.has(spec)
  }
}
