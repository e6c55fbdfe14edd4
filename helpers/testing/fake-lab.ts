import type { KubernetesObject } from '@kubernetes/client-node'
import type { ResponseClass } from '../evidence/verdict.js'
import type { Probe, RequestRecord, SampleResult } from '../http/sampler.js'
import type { ObjectRef } from '../kube/client.js'
import { refOf } from '../kube/client.js'
import type { LogQuery, LogRead } from '../logs/reader.js'
import { type LogLine, type LogWindow, selectWindow } from '../logs/window.js'
import type { RouteQuery } from '../routes/fetch.js'
import { outboundCluster, type RouteView } from '../routes/inspect.js'
import type { LabAdapters, LabCluster, LabIngress } from '../runner/lab.js'

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

/** Seeded PRNG (mulberry32) so weighted routing is random but reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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

  /** One request through the simulated ingress. */
  private request(probe: Probe, requestId: string): { status: number; cls: ResponseClass } {
    this.tick()
    const forced = this.override?.(probe)
    if (forced) return { status: forced === 'error' ? 503 : 200, cls: forced }
    const headers = { ...probe.headers }
    if (probe.host === 'catalog.istioinaction.io') {
      const rules = this.rules('catalog.istioinaction.io', 'catalog-gateway')
      const rule = rules && this.pick(rules, headers)
      const version = rule ? this.serve(this.choose(rule)) : undefined
      return version ? { status: 200, cls: version } : { status: 404, cls: 'error' }
    }
    if (probe.host === 'webapp.istioinaction.io' && probe.path === '/api/catalog') {
      if (
        !this.rules('webapp.istioinaction.io', 'coolstore-gateway') ||
        !this.of('Deployment').some((d) => d.metadata?.name === 'webapp')
      ) {
        return { status: 404, cls: 'error' }
      }
      const rules = this.rules('catalog', 'mesh')
      const rule = rules ? this.pick(rules, headers) : undefined
      const dest = rule ? this.choose(rule) : { host: 'catalog' }
      const version = this.serve(dest)
      if (!version) return { status: 500, cls: 'error' }
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
      return { status: 200, cls: version }
    }
    return { status: 404, cls: 'error' }
  }

  readonly cluster: LabCluster = {
    istioVersion: async () => this.istio,
    read: async (ref) => this.objects.get(key(ref)),
    apply: async (objects) => {
      for (const o of objects) {
        this.objects.set(key(refOf(o)), o as Obj)
        this.applied.push(`${o.kind}/${o.metadata?.name}`)
      }
    },
    delete: async (refs) => {
      for (const r of refs) if (this.objects.delete(key(r))) this.deleted.push(`${r.kind}/${r.name}`)
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

  readonly ingress: LabIngress = {
    converge: async (probe, expected) => {
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
          this.t += ms
        },
      },
    }
  }
}
