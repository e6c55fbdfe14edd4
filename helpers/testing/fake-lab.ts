import type { KubernetesObject } from '@kubernetes/client-node'
import { classifierFor, type ResponseClass } from '../http/classify.js'
import type { LoadRecord } from '../http/load.js'
import type { Probe, RequestRecord, SampleResult } from '../http/sampler.js'
import {
  ACCESS_LOG_FLUSH_MS,
  compareVersions,
  expectedBehaviour,
  UNREACHABLE_RULE_WARNING,
} from '../istio-behaviour.js'
import type { ObjectRef } from '../kube/client.js'
import { refOf } from '../kube/client.js'
import type { LogQuery, LogRead } from '../logs/reader.js'
import { type LogLine, type LogWindow, selectWindow } from '../logs/window.js'
import { outboundPolicyOf } from '../mesh-edits.js'
import type { RouteQuery } from '../routes/fetch.js'
import { outboundCluster, type RouteView } from '../routes/inspect.js'
import type { ClusterEvent, LabAdapters, LabCluster, LabIngress } from '../runner/lab.js'
import { STAND_IN_USERS } from '../system/stand-in-program.js'
import { mulberry32 } from './random.js'

type Obj = KubernetesObject & { spec?: Record<string, unknown> }
interface Destination {
  host: string
  subset?: string
}
interface HttpMatch {
  headers?: Record<string, { exact?: string }>
  uri?: { prefix?: string; exact?: string }
}
interface HttpRule {
  match?: HttpMatch[]
  route?: { destination: Destination; weight?: number }[]
  mirror?: Destination
}

const CATALOG_FQDN = 'catalog.istioinaction.svc.cluster.local'
const key = (r: ObjectRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`

/** A match with no condition but the whole path: Envoy's catch-all route (IsCatchAllRoute). */
const isCatchAll = (m: HttpMatch): boolean =>
  Object.keys(m.headers ?? {}).length === 0 && (!m.uri || m.uri.prefix === '/')

/**
 * VirtualService http rules as istiod translates them: route generation stops at the first
 * rule without `match` (or the first catch-all match); rules after it never reach Envoy.
 * Source: istio/istio pilot/pkg/networking/core/route/route.go BuildHTTPRoutesForVirtualService
 * (1.17.8 core/v1alpha3/route/route.go, 1.30.3, master). Pure.
 */
export function translateHttpRules(rules: readonly HttpRule[]): HttpRule[] {
  const out: HttpRule[] = []
  for (const rule of rules) {
    if (!rule.match?.length) {
      out.push(rule)
      break
    }
    const catchAll = rule.match.findIndex(isCatchAll)
    if (catchAll >= 0) {
      out.push({ ...rule, match: rule.match.slice(0, catchAll + 1) })
      break
    }
    out.push(rule)
  }
  return out
}

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

/** Addresses in the kind network: where host traffic enters the node, and the pods. */
const CLIENT = '172.18.0.1'
const IP = {
  webapp: '10.244.0.9',
  'catalog-v1': '10.244.0.12',
  'catalog-v2': '10.244.0.13',
  forum: '10.244.0.20',
  outside: '104.21.48.1',
} as const

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

/**
 * An in-memory cluster + ingress that behaves like the parts of Istio the scenarios rely
 * on: Gateways and VirtualServices select routes in order (header matches, subsets, weights,
 * mirrors; rules after a match-less rule dropped as istiod does), Deployments answer as v1 or v2
 * with the real bodies, and proxies and catalog write the log lines those calls would produce,
 * in the real formats and with Envoy's 1 s access-log flush. It records every apply, delete,
 * probe, log read and route fetch.
 */
export class FakeLab {
  readonly objects = new Map<string, Obj>()
  readonly applied: string[] = []
  readonly deleted: string[] = []
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
  istio = '1.17.8'
  /** Flagger's version: from 1.43.0 Promoting keeps canaryWeight (fluxcd/flagger pkg/canary/status.go). */
  flaggerVersion = '1.36.1'
  /** Make routing misbehave: return a class regardless of configuration. */
  override: ((probe: Probe) => ResponseClass | undefined) | undefined
  /** The Istio version's behaviour: whether mirrored Host headers get -shadow. */
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
  private t = Date.parse('2026-11-27T08:00:00.000Z')
  private readonly random = mulberry32(42)
  /** Request ids come from their own generator, so routing draws stay as they were. */
  private readonly idRandom = mulberry32(7)

  constructor(initial: readonly KubernetesObject[] = []) {
    for (const o of initial) this.objects.set(key(refOf(o)), o as Obj)
  }

  now = (): Date => new Date(this.t)

  private tick(ms = 5): void {
    this.t += ms
  }

  private uuid(): string {
    return uuidFrom(this.idRandom)
  }

  private of(kind: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.kind === kind)
  }

  private deployment(version: string): Obj | undefined {
    return this.of('Deployment').find((d) => {
      const labels =
        (d.spec?.template as { metadata?: { labels?: Record<string, string> } })?.metadata?.labels ?? {}
      return labels.app === 'catalog' && labels.version === version
    })
  }

  /** The catalog version that serves a destination (subset, or any catalog pod via the Service). */
  private serve(dest: Destination): 'v1' | 'v2' | undefined {
    if (
      !this.objects.has(
        key({ apiVersion: 'v1', kind: 'Service', name: 'catalog', namespace: 'istioinaction' }),
      )
    )
      return undefined
    if (dest.subset) {
      const rule = this.of('DestinationRule').find((r) => r.spec?.host === CATALOG_FQDN)
      const subset = (
        rule?.spec?.subsets as { name: string; labels: { version: string } }[] | undefined
      )?.find((s) => s.name === dest.subset)
      const version = subset?.labels.version
      return version && this.deployment(version) ? (version as 'v1' | 'v2') : undefined
    }
    const versions = (['v1', 'v2'] as const).filter((v) => this.deployment(v))
    return versions[Math.floor(this.random() * versions.length)]
  }

  /** The http rules of the VirtualService for a host and gateway, as istiod translates them. */
  private rules(host: string, gateway: string): HttpRule[] | undefined {
    const vs = this.of('VirtualService').find(
      (v) =>
        ((v.spec?.hosts as string[] | undefined) ?? []).includes(host) &&
        ((v.spec?.gateways as string[] | undefined) ?? ['mesh']).includes(gateway),
    )
    return vs ? translateHttpRules((vs.spec?.http as HttpRule[]) ?? []) : undefined
  }

  private pick(
    rules: HttpRule[],
    headers: Readonly<Record<string, string>>,
    path: string,
  ): HttpRule | undefined {
    const matches = (m: HttpMatch) =>
      Object.entries(m.headers ?? {}).every(([h, cond]) => headers[h] === cond.exact) &&
      (!m.uri || (m.uri.exact !== undefined ? path === m.uri.exact : path.startsWith(m.uri.prefix ?? '/')))
    return rules.find((rule) => !rule.match || rule.match.some(matches))
  }

  private choose(rule: HttpRule): Destination {
    const routes = rule.route ?? []
    const total = routes.reduce((s, r) => s + (r.weight ?? (routes.length === 1 ? 100 : 0)), 0)
    let x = this.random() * (total || 1)
    for (const r of routes) {
      x -= r.weight ?? (routes.length === 1 ? 100 : 0)
      if (x < 0) return r.destination
    }
    return (routes.at(-1) as { destination: Destination }).destination
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

  private registryOnly(): boolean {
    const meshMode = outboundPolicyOf(this.configMapData('istio-system', 'istio').mesh ?? '')
    const sidecar = this.of('Sidecar').some(
      (sc) => (sc.spec?.outboundTrafficPolicy as { mode?: string } | undefined)?.mode === 'REGISTRY_ONLY',
    )
    return meshMode === 'REGISTRY_ONLY' || sidecar
  }

  /** Where the cluster DNS sends the outside host: the real address with internet, a CoreDNS hosts entry, or nowhere. */
  private resolveOutside(): string | undefined {
    if (this.internet) return IP.outside
    const corefile = this.configMapData('kube-system', 'coredns').Corefile ?? ''
    return /(\d+\.\d+\.\d+\.\d+)\s+jsonplaceholder\.typicode\.com/.exec(corefile)?.[1]
  }

  /**
   * forum's call to jsonplaceholder.typicode.com/users, and the line forum's proxy logs for it.
   * The forum app resolves the name itself (Istio's DNS capture is off by default,
   * ISTIO_META_DNS_CAPTURE=false): without an answer it fails before Envoy and no line appears.
   */
  private forumUsers(requestId: string): boolean {
    const se = this.of('ServiceEntry').some((e) =>
      (e.spec?.hosts as string[] | undefined)?.includes('jsonplaceholder.typicode.com'),
    )
    const address = this.resolveOutside()
    if (!address) return false
    const base = `"GET /users HTTP/1.1"`
    const tail = `"${CLIENT}" "Go-http-client/1.1" "${requestId}" "jsonplaceholder.typicode.com"`
    const local = `${IP.forum}:51000 ${address}:80 ${IP.forum}:40000 -`
    if (this.registryOnly() && !se) {
      this.access(
        'forum-1',
        `${base} 502 - direct_response - "-" 0 0 0 - ${tail} "-" - - ${address}:80 ${IP.forum}:40000 - block_all`,
      )
      return false
    }
    if (se) {
      this.access(
        'forum-1',
        `${base} 200 - via_upstream - "-" 0 5645 40 39 ${tail} "${address}:80" outbound|80||jsonplaceholder.typicode.com ${local} default`,
      )
      return true
    }
    this.access(
      'forum-1',
      `${base} 200 - via_upstream - "-" 0 5645 40 39 ${tail} "${address}:80" PassthroughCluster ${local} allow_any`,
    )
    return true
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

  private respond(probe: Probe, requestId: string): { status: number; body: string } {
    const cls = this.route(probe, requestId)
    if (cls === 'users-ok') return { status: 200, body: JSON.stringify(STAND_IN_USERS) }
    if (cls === 'users-blocked') return { status: 500, body: 'error calling Forum service' }
    if (cls === 'edge-v1' || cls === 'edge-v2')
      return { status: 200, body: CATALOG_BODY[cls === 'edge-v1' ? 'v1' : 'v2'] }
    if (cls === 'v1' || cls === 'v2') return { status: 200, body: WEBAPP_BODY[cls] }
    if (cls === 'catalog-error') return { status: 500, body: 'error calling Catalog service' }
    return { status: 404, body: '' }
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

  /** catalog's sidecar: the inbound line for a call (XFF as it arrived, authority as sent). */
  private catalogInbound(
    version: 'v1' | 'v2',
    requestId: string,
    authority: string,
    xff: string,
    from: string,
  ): void {
    const bytes = Buffer.byteLength(CATALOG_BODY[version])
    const pod = `catalog-${version}-1`
    const ip = IP[`catalog-${version}`]
    this.access(
      pod,
      `"GET /items HTTP/1.1" 200 - via_upstream - "-" 0 ${bytes} 2 1 "${xff}" "beegoServer" "${requestId}" "${authority}" "${ip}:3000" inbound|3000|| 127.0.0.6:40107 ${ip}:3000 ${from}:0 outbound_.80_.version-${version}_.catalog.istioinaction.svc.cluster.local default`,
    )
  }

  /** webapp calls catalog: webapp's outbound line, catalog's inbound line and app lines, and any mirror. */
  private webappCallsCatalog(
    version: 'v1' | 'v2',
    requestId: string,
    cluster: string,
    routeName: string,
    mirror: boolean,
  ): void {
    const host = this.catalogHostHasPort ? 'catalog.istioinaction:80' : 'catalog.istioinaction'
    const bytes = Buffer.byteLength(CATALOG_BODY[version])
    this.access(
      'webapp-1',
      `"GET /items HTTP/1.1" 200 - via_upstream - "-" 0 ${bytes} 3 2 "${CLIENT}" "beegoServer" "${requestId}" "${host}" "${IP[`catalog-${version}`]}:3000" ${cluster} ${IP.webapp}:41234 10.96.10.20:80 ${IP.webapp}:53210 - ${routeName}`,
    )
    this.catalogInbound(version, requestId, host, CLIENT, CLIENT)
    this.catalogApp(`catalog-${version}-1`, host, version)
    if (!mirror) return
    // Envoy's shadow: the same request id, the Host with -shadow before the port (where this
    // Istio appends it), and v2's sidecar sees the client and webapp in XFF (real capture).
    const shadowHost = this.shadowSuffix
      ? host.replace(/^catalog\.istioinaction/, 'catalog.istioinaction-shadow')
      : host
    this.catalogInbound('v2', requestId, shadowHost, `${CLIENT},${IP.webapp}`, IP.webapp)
    this.catalogApp('catalog-v2-1', shadowHost, 'v2')
  }

  private route(
    probe: Probe,
    requestId: string,
  ): 'v1' | 'v2' | 'edge-v1' | 'edge-v2' | 'users-ok' | 'users-blocked' | 'catalog-error' | 'not-found' {
    const headers = { ...probe.headers }
    if (probe.host === 'webapp.istioinaction.io' && probe.path === '/api/users') {
      if (
        !this.rules('webapp.istioinaction.io', 'coolstore-gateway') ||
        !this.of('Deployment').some((d) => d.metadata?.name === 'forum')
      )
        return 'not-found'
      return this.forumUsers(requestId) ? 'users-ok' : 'users-blocked'
    }
    if (
      probe.host === 'webapp.istioinaction.io' &&
      probe.path === '/api/catalog' &&
      this.flagger &&
      this.flagger.phase !== 'Initializing'
    ) {
      const spec = this.flagger.pick(this.random())
      if (spec === 'failing') return 'catalog-error'
      this.webappCallsCatalog(spec, requestId, outboundCluster(80, '', CATALOG_FQDN), '-', false)
      return spec
    }
    if (probe.host === 'catalog.istioinaction.io') {
      const rules = this.rules('catalog.istioinaction.io', 'catalog-gateway')
      const rule = rules && this.pick(rules, headers, probe.path)
      const version = rule ? this.serve(this.choose(rule)) : undefined
      if (!version) return 'not-found'
      // Through the gateway: the client in XFF, the Host as the client sent it (no port).
      this.catalogInbound(version, requestId, probe.host, CLIENT, CLIENT)
      this.catalogApp(`catalog-${version}-1`, probe.host, version)
      return version === 'v1' ? 'edge-v1' : 'edge-v2'
    }
    if (probe.host === 'webapp.istioinaction.io' && probe.path === '/api/catalog') {
      if (
        !this.rules('webapp.istioinaction.io', 'coolstore-gateway') ||
        !this.of('Deployment').some((d) => d.metadata?.name === 'webapp')
      ) {
        return 'not-found'
      }
      const rules = this.rules('catalog', 'mesh')
      const rule = rules ? this.pick(rules, headers, '/items') : undefined
      const dest = rule ? this.choose(rule) : { host: 'catalog' }
      const version = this.serve(dest)
      if (!version) return 'catalog-error'
      // Route names: a VirtualService's unnamed rule logs "-", no VirtualService "default".
      const routeName = rules ? '-' : 'default'
      const mirror = Boolean(rule?.mirror && this.serve(rule.mirror))
      this.webappCallsCatalog(
        version,
        requestId,
        outboundCluster(80, dest.subset ?? '', CATALOG_FQDN),
        routeName,
        mirror,
      )
      return version
    }
    return 'not-found'
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
    events: async (_ns, name): Promise<ClusterEvent[]> =>
      name === 'catalog-release' ? (this.flagger?.recorder.list() ?? []) : [],
    exec: async (_ns, selector, container, commands) => {
      for (const command of commands) {
        this.execs.push({ selector, container, command })
        if (!this.execTools.has(command[0] ?? '')) continue
        if (this.registryOnly()) {
          this.access(
            'webapp-1',
            `"- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - 203.0.113.10:443 ${IP.webapp}:34868 - -`,
          )
          return {
            command,
            exitCode: 35,
            stdout: '',
            stderr: 'OpenSSL SSL_connect: Connection reset by peer',
          }
        }
        this.access(
          'webapp-1',
          `"- - -" 0 - - - "-" 812 4200 90 - "-" "-" "-" "-" "203.0.113.10:443" PassthroughCluster ${IP.webapp}:40000 203.0.113.10:443 ${IP.webapp}:34868 - -`,
        )
        return { command, exitCode: 0, stdout: '[]', stderr: '' }
      }
      throw new Error(`none of ${commands.map((c) => c[0]).join(', ')} exists`)
    },
    read: async (ref) => {
      const obj = this.objects.get(key(ref))
      if (obj && ref.kind === 'Canary' && this.flagger) {
        this.flagger.advance(this.t, this.catalogSpec())
        return { ...obj, status: { phase: this.flagger.phase, canaryWeight: this.flagger.weight } } as Obj
      }
      return obj
    },
    apply: async (objects) => {
      for (const o of objects) {
        this.warnings.push(...this.admissionWarnings(o as Obj))
        this.objects.set(key(refOf(o)), o as Obj)
        this.applied.push(`${o.kind}/${o.metadata?.name}`)
        if (o.kind === 'Canary' && !this.flagger) {
          const analysis = ((o as Obj).spec?.analysis ?? {}) as {
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
            failing: this.failingSpecs,
          })
        }
      }
    },
    delete: async (refs) => {
      for (const r of refs) {
        if (this.objects.delete(key(r))) this.deleted.push(`${r.kind}/${r.name}`)
        if (r.kind === 'Canary') this.flagger = undefined
      }
    },
    waitForDeployments: async (_ns, names) => {
      const missing = names.filter((n) => !this.of('Deployment').some((d) => d.metadata?.name === n))
      if (missing.length) throw new Error(`deployments never ready: ${missing.join(', ')}`)
    },
    readLogs: async (query: LogQuery, window: LogWindow): Promise<LogRead> => {
      this.logReads.push(query)
      const app = /app=([\w-]+)/.exec(query.labelSelector)?.[1] ?? ''
      const version = /version=(v\d)/.exec(query.labelSelector)?.[1]
      // Only what the container has written by now: Envoy's lines after their flush.
      const lines = this.logs.filter(
        (l) =>
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
    fetchRoutes: async (query: RouteQuery) => {
      this.routeFetches.push(query)
      const edge = query.routeName === 'http.8080'
      const rules = edge
        ? this.rules('catalog.istioinaction.io', 'catalog-gateway')
        : this.rules('catalog', 'mesh')
      if (!rules) throw new Error(`route ${query.routeName} has no virtual host ${query.virtualHost}`)
      // One Envoy route per match of each translated rule, in order.
      const matches = rules.flatMap((rule) =>
        (rule.match?.length ? rule.match : [undefined]).map((match) => ({ rule, match })),
      )
      const routes: RouteView[] = matches.map(({ rule, match }, index) => ({
        index,
        match: {
          prefix: match?.uri?.prefix ?? '/',
          headers: Object.entries(match?.headers ?? {}).map(([name, c]) => ({ name, exact: c.exact ?? '' })),
        },
        target:
          (rule.route ?? []).length === 1
            ? {
                kind: 'cluster',
                cluster: outboundCluster(80, rule.route?.[0]?.destination.subset ?? '', CATALOG_FQDN),
              }
            : {
                kind: 'weighted',
                clusters: (rule.route ?? []).map((r) => ({
                  name: outboundCluster(80, r.destination.subset ?? '', CATALOG_FQDN),
                  weight: r.weight ?? 0,
                })),
              },
        mirrors: rule.mirror
          ? [{ cluster: outboundCluster(80, rule.mirror.subset ?? '', CATALOG_FQDN), percent: 100 }]
          : [],
      }))
      return { pod: edge ? 'istio-ingressgateway-1' : 'webapp-1', routes }
    },
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
        const { cls } = this.request(load.probe, this.uuid(), at)
        load.records.push({ at: new Date(at).toISOString(), class: cls })
        load.last = at
      }
    }
    this.t = end
    this.flagger?.advance(this.t, this.catalogSpec())
  }

  readonly ingress: LabIngress = {
    startLoad: (probe, rps) => {
      const load = { probe, rps, records: [] as LoadRecord[], last: this.t, stopped: false }
      this.loads.push(load)
      return {
        answered: () => [...load.records],
        stop: async () => {
          load.stopped = true
          return load.records
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
  /** When the canary first received traffic; its metrics exist metricsAfterMs later. */
  private trafficSince = 0
  private next: number
  /** First scrape after the traffic starts, then one more scrape for rate() to have two samples. */
  static readonly metricsAfterMs = 25_000

  constructor(
    start: number,
    private readonly settings: FlaggerSettings,
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
    const event = (type: 'Normal' | 'Warning', message: string) => this.recorder.record(at, type, message)
    const { stepWeight, maxWeight, threshold } = this.settings
    switch (this.phase) {
      case 'Initializing':
        this.primary = spec
        this.phase = 'Initialized'
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
          event('Warning', 'Canary failed! Scaling down catalog.istioinaction')
          this.rejected = this.canary
          this.phase = 'Failed'
          this.weight = 0
          return
        }
        if (this.weight === 0) {
          event('Normal', 'Starting canary analysis for catalog.istioinaction')
          this.weight = stepWeight
          this.trafficSince = at
          event('Normal', `Advance catalog-release.istioinaction canary weight ${this.weight}`)
          return
        }
        if (at - this.trafficSince < FakeFlagger.metricsAfterMs) {
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
