import { gatewayRef, meshHost } from './normalize.js'
import { droppedRules, hostMatches, httpRules, meshVirtualServices } from './routing.js'
import {
  hasProxy,
  type LabSnapshot,
  type LiveObject,
  matchesLabels,
  ownedByCanary,
  selectorText,
} from './snapshot.js'

/**
 * The mistakes learners make in chapter 5, found in the live objects before anything is
 * measured, each with what it breaks and the command that shows it (the words are in the
 * message catalogue, `mistake.<id>`). Pure.
 */

export const MISTAKE_IDS = [
  'namespace-not-injected',
  'pod-without-proxy',
  'subset-matches-no-pod',
  'gateway-not-found',
  'host-not-on-gateway',
  'destination-unknown',
  'subset-undefined',
  'gateway-selects-no-pod',
  'weights-not-100',
  'rule-unreachable',
  'duplicate-host',
  'ingress-unreachable',
  'ingress-port-differs',
] as const
export type MistakeId = (typeof MISTAKE_IDS)[number]

export interface Mistake {
  readonly id: MistakeId
  /** error: routing cannot work as written; warning: it works, but not as a reader of the YAML expects. */
  readonly severity: 'error' | 'warning'
  readonly vars: Readonly<Record<string, string | number>>
}

/** What the adapter found when it connected to the ingress address (before any request). */
export interface IngressFacts {
  readonly address: string
  readonly port: number
  readonly reachable: boolean
  readonly reason?: string
}

const spec = (o: LiveObject) => (o.spec ?? {}) as Record<string, unknown>
const nsOf = (o: LiveObject, fallback: string) => o.metadata.namespace ?? fallback
const INJECTION_LABELS = ['istio-injection', 'istio.io/rev']

function injection(snapshot: LabSnapshot): Mistake[] {
  const labels = snapshot.namespaceLabels ?? {}
  const injected = labels['istio-injection'] === 'enabled' || labels['istio.io/rev'] !== undefined
  const out: Mistake[] = []
  if (!injected)
    out.push({
      id: 'namespace-not-injected',
      severity: 'error',
      vars: {
        namespace: snapshot.namespace,
        labels: INJECTION_LABELS.map((l) => `${l}=${labels[l] ?? '(unset)'}`).join(', '),
      },
    })
  for (const pod of snapshot.pods.filter((p) => p.phase === 'Running' && !hasProxy(p)))
    out.push({
      id: 'pod-without-proxy',
      severity: 'error',
      vars: { pod: pod.name, app: pod.labels.app ?? pod.name, namespace: pod.namespace },
    })
  return out
}

function subsets(snapshot: LabSnapshot): Mistake[] {
  const out: Mistake[] = []
  for (const rule of snapshot.objects.filter((o) => o.kind === 'DestinationRule' && !ownedByCanary(o))) {
    const host = meshHost(String(spec(rule).host ?? ''), nsOf(rule, snapshot.namespace))
    const service = snapshot.services.find((s) => `${s.name}.${s.namespace}.svc.cluster.local` === host)
    if (!service) continue
    for (const subset of (spec(rule).subsets as
      | { name?: string; labels?: Record<string, string> }[]
      | undefined) ?? []) {
      const labels = { ...service.selector, ...(subset.labels ?? {}) }
      const pods = snapshot.pods.filter(
        (p) => p.namespace === service.namespace && p.phase === 'Running' && matchesLabels(p.labels, labels),
      )
      if (pods.length === 0)
        out.push({
          id: 'subset-matches-no-pod',
          severity: 'error',
          vars: {
            rule: rule.metadata.name,
            subset: subset.name ?? '',
            selector: selectorText(labels),
            namespace: service.namespace,
          },
        })
    }
  }
  return out
}

function references(snapshot: LabSnapshot): Mistake[] {
  const out: Mistake[] = []
  const gateways = snapshot.objects.filter((o) => o.kind === 'Gateway')
  const virtualServices = snapshot.objects.filter((o) => o.kind === 'VirtualService' && !ownedByCanary(o))
  for (const vs of virtualServices) {
    const ns = nsOf(vs, snapshot.namespace)
    const refs = ((spec(vs).gateways as string[] | undefined) ?? []).filter((g) => g !== 'mesh')
    const bound: LiveObject[] = []
    for (const ref of refs) {
      const full = gatewayRef(ref, ns)
      const found = gateways.find((g) => `${nsOf(g, snapshot.namespace)}/${g.metadata.name}` === full)
      // A Gateway in another namespace is not read: only the lab namespace's can be judged.
      if (!found && full.startsWith(`${snapshot.namespace}/`))
        out.push({
          id: 'gateway-not-found',
          severity: 'error',
          vars: { virtualService: vs.metadata.name, gateway: ref },
        })
      if (found) bound.push(found)
    }
    for (const host of (spec(vs).hosts as string[] | undefined) ?? []) {
      if (!bound.length) continue
      const served = bound.some((g) =>
        ((spec(g).servers as { hosts?: string[] }[] | undefined) ?? []).some((s) =>
          (s.hosts ?? []).some((h) => hostMatches(h, host)),
        ),
      )
      if (!served)
        out.push({
          id: 'host-not-on-gateway',
          severity: 'error',
          vars: {
            virtualService: vs.metadata.name,
            host,
            gateways: bound.map((g) => g.metadata.name).join(', '),
          },
        })
    }
    const rules = httpRules(vs)
    const destinations = rules.flatMap((r) => [
      ...(r.route ?? []).map((d) => d.destination ?? {}),
      ...(r.mirror ? [r.mirror] : []),
    ])
    for (const d of destinations) {
      const host = meshHost(String(d.host ?? ''), ns)
      const service = snapshot.services.find((s) => `${s.name}.${s.namespace}.svc.cluster.local` === host)
      const entry = snapshot.objects.some(
        (o) =>
          o.kind === 'ServiceEntry' &&
          ((spec(o).hosts as string[] | undefined) ?? []).includes(String(d.host)),
      )
      const inLab = host.endsWith(`.${snapshot.namespace}.svc.cluster.local`)
      if (!service && !entry && inLab) {
        out.push({
          id: 'destination-unknown',
          severity: 'error',
          vars: { virtualService: vs.metadata.name, host: String(d.host) },
        })
        continue
      }
      if (!d.subset || !service) continue
      const rule = snapshot.objects.find(
        (o) =>
          o.kind === 'DestinationRule' &&
          meshHost(String(spec(o).host ?? ''), nsOf(o, snapshot.namespace)) === host,
      )
      const names =
        ((rule ? spec(rule).subsets : undefined) as { name?: string }[] | undefined)?.map((s) => s.name) ?? []
      if (!names.includes(d.subset))
        out.push({
          id: 'subset-undefined',
          severity: 'error',
          vars: {
            virtualService: vs.metadata.name,
            host: String(d.host),
            subset: d.subset,
            defined: names.join(', ') || '(none)',
          },
        })
    }
    for (const [index, rule] of rules.entries()) {
      const route = rule.route ?? []
      if (route.length < 2) continue
      const total = route.reduce((s, d) => s + (d.weight ?? 0), 0)
      if (total !== 100)
        out.push({
          id: 'weights-not-100',
          severity: 'warning',
          vars: {
            virtualService: vs.metadata.name,
            rule: index + 1,
            total,
            weights: route
              .map((d) => `${d.destination?.subset ?? d.destination?.host}=${d.weight ?? 0}`)
              .join(', '),
          },
        })
    }
    const kept = rules.length - droppedRules(rules).length
    for (const index of droppedRules(rules))
      out.push({
        id: 'rule-unreachable',
        severity: 'warning',
        vars: { virtualService: vs.metadata.name, rule: index + 1, after: kept },
      })
  }
  for (const gw of gateways) {
    const selector = (spec(gw).selector as Record<string, string> | undefined) ?? {}
    const text = selectorText(selector)
    if (!(snapshot.gatewayPods[text] ?? []).length)
      out.push({
        id: 'gateway-selects-no-pod',
        severity: 'error',
        vars: { gateway: gw.metadata.name, selector: text },
      })
  }
  // Sidecars use one VirtualService per host (the oldest); two for one host is a trap.
  const hosts = new Map<string, string[]>()
  for (const vs of virtualServices) {
    const ns = nsOf(vs, snapshot.namespace)
    for (const host of (spec(vs).hosts as string[] | undefined) ?? []) {
      const h = meshHost(host, ns)
      if (!h.endsWith('.svc.cluster.local')) continue
      if (!meshVirtualServices(snapshot, h).some((m) => m.metadata.name === vs.metadata.name)) continue
      hosts.set(h, [...(hosts.get(h) ?? []), vs.metadata.name])
    }
  }
  for (const [host, names] of hosts)
    if (names.length > 1)
      out.push({
        id: 'duplicate-host',
        severity: 'warning',
        vars: { host, virtualServices: names.join(', ') },
      })
  return out
}

/** The ingress address the probes use, and the node port the ingress Service gives HTTP. */
function ingress(snapshot: LabSnapshot, facts: IngressFacts | undefined): Mistake[] {
  if (!facts) return []
  const nodePort = snapshot.ingressServices
    .flatMap((s) => s.ports.filter((p) => p.port === 80))
    .find((p) => p.nodePort)?.nodePort
  const out: Mistake[] = []
  if (!facts.reachable)
    out.push({
      id: 'ingress-unreachable',
      severity: 'error',
      vars: {
        address: `${facts.address}:${facts.port}`,
        reason: facts.reason ?? '',
        nodePort: nodePort ?? '(none)',
      },
    })
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(facts.address)
  if (loopback && nodePort !== undefined && nodePort !== facts.port)
    out.push({
      id: 'ingress-port-differs',
      severity: facts.reachable ? 'warning' : 'error',
      vars: { address: `${facts.address}:${facts.port}`, nodePort },
    })
  return out
}

/** Every mistake found, in the order a learner should fix them (the namespace first, the ingress last). */
export function findMistakes(snapshot: LabSnapshot, ingressFacts?: IngressFacts): Mistake[] {
  return [
    ...injection(snapshot),
    ...subsets(snapshot),
    ...references(snapshot),
    ...ingress(snapshot, ingressFacts),
  ]
}
