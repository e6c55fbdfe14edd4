import type { KubernetesObject } from '@kubernetes/client-node'
import { classifierFor, type ResponseClass } from '../http/classify.js'
import type { LoadRecord } from '../http/load.js'
import type { Probe, RequestRecord, SampleResult } from '../http/sampler.js'
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
interface HttpRule {
  match?: { headers?: Record<string, { exact?: string }> }[]
  route?: { destination: Destination; weight?: number }[]
  mirror?: Destination
}

const CATALOG_FQDN = 'catalog.istioinaction.svc.cluster.local'
const key = (r: ObjectRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`

/**
 * An in-memory cluster + ingress that behaves like the parts of Istio the scenarios rely
 * on: Gateways and VirtualServices select routes in order (header matches, subsets, weights,
 * mirrors), Deployments answer as v1 or v2, and proxies and catalog write the log lines those
 * calls would produce. It records every apply, delete, probe, log read and route fetch.
 */
export class FakeLab {
  readonly objects = new Map<string, Obj>()
  readonly applied: string[] = []
  readonly deleted: string[] = []
  readonly probes: Probe[] = []
  readonly logReads: LogQuery[] = []
  readonly routeFetches: RouteQuery[] = []
  readonly logs: LogLine[] = []
  readonly lines: string[] = []
  istio = '1.17.8'
  /** Make routing misbehave: return a class regardless of configuration. */
  override: ((probe: Probe) => ResponseClass | undefined) | undefined
  /** The Istio version's behaviour: whether mirrored Host headers get -shadow. */
  shadowSuffix = true
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
  private seq = 0

  constructor(initial: readonly KubernetesObject[] = []) {
    for (const o of initial) this.objects.set(key(refOf(o)), o as Obj)
  }

  now = (): Date => new Date(this.t)

  private tick(ms = 5): void {
    this.t += ms
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

  private rules(host: string, gateway: string): HttpRule[] | undefined {
    const vs = this.of('VirtualService').find(
      (v) =>
        ((v.spec?.hosts as string[] | undefined) ?? []).includes(host) &&
        ((v.spec?.gateways as string[] | undefined) ?? ['mesh']).includes(gateway),
    )
    return vs ? ((vs.spec?.http as HttpRule[]) ?? []) : undefined
  }

  private pick(rules: HttpRule[], headers: Readonly<Record<string, string>>): HttpRule | undefined {
    return rules.find(
      (rule) =>
        !rule.match ||
        rule.match.some((m) =>
          Object.entries(m.headers ?? {}).every(([h, cond]) => headers[h] === cond.exact),
        ),
    )
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

  private log(pod: string, container: string, text: string): void {
    this.logs.push({ pod, container, timestamp: new Date(this.t).toISOString(), text })
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

  /** forum's call to jsonplaceholder.typicode.com/users, and the line forum's proxy logs for it. */
  private forumUsers(requestId: string): boolean {
    const at = new Date(this.t).toISOString()
    const se = this.of('ServiceEntry').some((e) =>
      (e.spec?.hosts as string[] | undefined)?.includes('jsonplaceholder.typicode.com'),
    )
    const resolvable =
      this.internet ||
      (this.configMapData('kube-system', 'coredns').Corefile ?? '').includes('jsonplaceholder.typicode.com')
    const base = `"GET /users HTTP/1.1"`
    const tail = `"172.18.0.1" "Go-http-client/1.1" "${requestId}" "jsonplaceholder.typicode.com"`
    if (this.registryOnly() && !se) {
      this.log(
        'forum-1',
        'istio-proxy',
        `[${at}] ${base} 502 - direct_response - "-" 0 0 0 - ${tail} "-" - - 104.21.48.1:80 10.244.0.20:40000 - block_all`,
      )
      return false
    }
    if (se) {
      if (!resolvable) {
        this.log(
          'forum-1',
          'istio-proxy',
          `[${at}] ${base} 503 UH no_healthy_upstream - "-" 0 19 0 - ${tail} "-" outbound|80||jsonplaceholder.typicode.com - 104.21.48.1:80 10.244.0.20:40000 - -`,
        )
        return false
      }
      this.log(
        'forum-1',
        'istio-proxy',
        `[${at}] ${base} 200 - via_upstream - "-" 0 5645 40 39 ${tail} "172.18.0.9:80" outbound|80||jsonplaceholder.typicode.com 10.244.0.20:51000 172.18.0.9:80 10.244.0.20:40000 - -`,
      )
      return true
    }
    this.log(
      'forum-1',
      'istio-proxy',
      `[${at}] ${base} 200 - via_upstream - "-" 0 5645 40 39 ${tail} "104.21.48.1:80" PassthroughCluster 10.244.0.20:51000 104.21.48.1:80 10.244.0.20:40000 - -`,
    )
    return true
  }

  /** One request through the simulated ingress, classified like the real sampler does. */
  private request(probe: Probe, requestId: string, at?: number): { status: number; cls: ResponseClass } {
    if (at === undefined) this.tick()
    const forced = this.override?.(probe)
    if (forced) return { status: forced === 'error' ? 503 : 200, cls: forced }
    const { status, body } = this.respond(probe, requestId)
    return { status, cls: classifierFor(probe.classifier)(status, body).class }
  }

  private respond(probe: Probe, requestId: string): { status: number; body: string } {
    const cls = this.route(probe, requestId)
    if (cls === 'users-ok') return { status: 200, body: JSON.stringify(STAND_IN_USERS) }
    if (cls === 'users-blocked') return { status: 500, body: 'error calling Forum service' }
    if (cls === 'v1') return { status: 200, body: '[{"id":1,"name":"Elinor Glasses","price":"282.00"}]' }
    if (cls === 'v2')
      return {
        status: 200,
        body: '[{"id":1,"name":"Elinor Glasses","price":"282.00","imageUrl":"http://lorempixel.com/640/480"}]',
      }
    if (cls === 'catalog-error') return { status: 500, body: 'error calling Catalog service' }
    return { status: 404, body: '' }
  }

  private route(
    probe: Probe,
    requestId: string,
  ): 'v1' | 'v2' | 'users-ok' | 'users-blocked' | 'catalog-error' | 'not-found' {
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
      return spec === 'failing' ? 'catalog-error' : spec
    }
    if (probe.host === 'catalog.istioinaction.io') {
      const rules = this.rules('catalog.istioinaction.io', 'catalog-gateway')
      const rule = rules && this.pick(rules, headers)
      const version = rule ? this.serve(this.choose(rule)) : undefined
      return version ?? 'not-found'
    }
    if (probe.host === 'webapp.istioinaction.io' && probe.path === '/api/catalog') {
      if (
        !this.rules('webapp.istioinaction.io', 'coolstore-gateway') ||
        !this.of('Deployment').some((d) => d.metadata?.name === 'webapp')
      ) {
        return 'not-found'
      }
      const rules = this.rules('catalog', 'mesh')
      const rule = rules ? this.pick(rules, headers) : undefined
      const dest = rule ? this.choose(rule) : { host: 'catalog' }
      const version = this.serve(dest)
      if (!version) return 'catalog-error'
      const cluster = outboundCluster(80, dest.subset ?? '', CATALOG_FQDN)
      this.log(
        'webapp-1',
        'istio-proxy',
        `[${new Date(this.t).toISOString()}] "GET /items HTTP/1.1" 200 - via_upstream - "-" 0 502 3 2 "-" "beegoServer" "${requestId}" "catalog.istioinaction:80" "10.244.0.12:3000" ${cluster} 10.244.0.9:41234 10.96.10.20:80 10.244.0.9:53210 - -`,
      )
      this.log(
        `catalog-${version}-1`,
        'catalog',
        `GET catalog.istioinaction:80 /items 200 ${version === 'v1' ? 502 : 698} - 0.6 ms`,
      )
      if (rule?.mirror && this.serve(rule.mirror)) {
        const host = this.shadowSuffix ? 'catalog.istioinaction-shadow' : 'catalog.istioinaction'
        this.log('catalog-v2-1', 'catalog', `GET ${host}:80 /items 200 698 - 0.6 ms`)
      }
      return version
    }
    return 'not-found'
  }

  readonly cluster: LabCluster = {
    istioVersion: async () => this.istio,
    events: async (_ns, name): Promise<ClusterEvent[]> =>
      name === 'catalog-release' ? [...(this.flagger?.events ?? [])] : [],
    exec: async (_ns, selector, container, commands) => {
      for (const command of commands) {
        this.execs.push({ selector, container, command })
        if (!this.execTools.has(command[0] ?? '')) continue
        const at = new Date(this.t).toISOString()
        if (this.registryOnly()) {
          this.log(
            'webapp-1',
            'istio-proxy',
            `[${at}] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - 104.21.48.1:443 10.244.0.9:34868 - -`,
          )
          return {
            command,
            exitCode: 35,
            stdout: '',
            stderr: 'OpenSSL SSL_connect: Connection reset by peer',
          }
        }
        this.log(
          'webapp-1',
          'istio-proxy',
          `[${at}] "- - -" 0 - - - "-" 812 4200 90 - "-" "-" "-" "-" "104.21.48.1:443" PassthroughCluster 10.244.0.9:40000 104.21.48.1:443 10.244.0.9:34868 - -`,
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
        this.objects.set(key(refOf(o)), o as Obj)
        this.applied.push(`${o.kind}/${o.metadata?.name}`)
        if (o.kind === 'Canary' && !this.flagger) {
          const interval = Number.parseInt(
            String(((o as Obj).spec?.analysis as { interval?: string } | undefined)?.interval ?? '10s'),
            10,
          )
          this.flagger = new FakeFlagger(this.t, interval * 1000, this.failingSpecs)
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
      const lines = this.logs.filter(
        (l) => l.container === query.container && l.pod.startsWith(version ? `${app}-${version}` : app),
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
      const routes: RouteView[] = rules.map((rule, index) => ({
        index,
        match: {
          prefix: '/',
          headers: (rule.match ?? []).flatMap((m) =>
            Object.entries(m.headers ?? {}).map(([name, c]) => ({ name, exact: c.exact ?? '' })),
          ),
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
        const { cls } = this.request(load.probe, `load-${++this.seq}`, at)
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
        const { cls } = this.request(probe, `converge-${i}`)
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
        const requestId = `req-${++this.seq}`
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
 * Flagger's canary loop, simplified: every analysis interval it initializes, detects a new
 * revision, advances the weight by 10 to 50, promotes and finalises; a failing revision fails
 * 5 checks and is rolled back. It emits the events Flagger emits.
 */
class FakeFlagger {
  phase = 'Initializing'
  weight = 0
  primary: 'v1' | 'v2' | 'failing' | undefined
  canary: 'v1' | 'v2' | 'failing' | undefined
  rejected: string | undefined
  failedChecks = 0
  readonly events: ClusterEvent[] = []
  private next: number

  constructor(
    start: number,
    private readonly intervalMs: number,
    private readonly failing: ReadonlySet<string>,
  ) {
    this.next = start + intervalMs
  }

  private event(at: number, message: string): void {
    this.events.push({ reason: 'Synced', message, at: new Date(at).toISOString() })
  }

  advance(now: number, spec: 'v1' | 'v2' | 'failing' | undefined): void {
    while (now >= this.next) {
      this.step(this.next, spec)
      this.next += this.intervalMs
    }
  }

  private step(at: number, spec: 'v1' | 'v2' | 'failing' | undefined): void {
    switch (this.phase) {
      case 'Initializing':
        this.primary = spec
        this.phase = 'Initialized'
        return
      case 'Initialized':
      case 'Succeeded':
      case 'Failed':
        if (spec && spec !== this.primary && spec !== this.rejected) {
          this.canary = spec
          this.phase = 'Progressing'
          this.weight = 0
          this.failedChecks = 0
          this.event(at, 'New revision detected! Scaling up catalog.istioinaction')
        }
        return
      case 'Progressing':
        if (this.weight > 0 && this.canary && this.failing.has(this.canary)) {
          this.failedChecks++
          if (this.failedChecks >= 5) {
            this.event(at, 'Rolling back catalog-release.istioinaction failed checks threshold reached 5')
            this.event(at, 'Canary failed! Scaling down catalog.istioinaction')
            this.rejected = this.canary
            this.phase = 'Failed'
            this.weight = 0
          }
          return
        }
        if (this.weight < 50) {
          this.weight += 10
          this.event(at, `Advance catalog-release.istioinaction canary weight ${this.weight}`)
          return
        }
        this.phase = 'Promoting'
        return
      case 'Promoting':
        this.primary = this.canary
        this.phase = 'Finalising'
        return
      case 'Finalising':
        this.phase = 'Succeeded'
        this.weight = 0
        this.event(at, 'Promotion completed! Scaling down catalog.istioinaction')
        return
    }
  }

  /** Which pod spec serves one of webapp's calls. */
  pick(random: number): 'v1' | 'v2' | 'failing' {
    const primary = this.primary ?? 'v1'
    const served =
      this.phase === 'Progressing' && this.canary && random < this.weight / 100 ? this.canary : primary
    return this.failing.has(served) ? 'failing' : served
  }
}
