import type { KubernetesObject } from '@kubernetes/client-node'

/**
 * Cross-reference checks over a set of objects applied together. Pure. Returns every broken
 * reference as one line; empty means the set is consistent:
 * - a VirtualService destination host resolves to a Service in the set;
 * - every subset a VirtualService routes to exists in a DestinationRule for that host;
 * - a DestinationRule's host resolves to a Service in the set;
 * - each subset's labels select exactly one Deployment among the Service's pods;
 * - every Gateway host is served by a VirtualService bound to that Gateway.
 */
type Obj = KubernetesObject & { spec?: Record<string, unknown> }

const ns = (o: KubernetesObject) => o.metadata?.namespace ?? 'default'

/** Kubernetes short names as the mesh resolves them: name, name.ns, name.ns.svc.cluster.local. */
export function fqdn(host: string, namespace: string): string {
  if (host.endsWith('.svc.cluster.local')) return host
  const parts = host.split('.')
  if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`
  if (parts.length === 2) return `${host}.svc.cluster.local`
  return host
}

const isInClusterHost = (host: string) =>
  !host.includes('.') || host.endsWith('.svc.cluster.local') || host.split('.').length === 2

function matches(labels: Record<string, string>, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v)
}

interface Destination {
  host: string
  subset?: string
}

function destinations(vs: Obj): Destination[] {
  const http =
    (vs.spec?.http as { route?: { destination?: Destination }[]; mirror?: Destination }[] | undefined) ?? []
  return http.flatMap((rule) => [
    ...(rule.route ?? []).map((r) => r.destination).filter((d): d is Destination => Boolean(d)),
    ...(rule.mirror ? [rule.mirror] : []),
  ])
}

export function crossReferenceProblems(objects: readonly KubernetesObject[]): string[] {
  const all = objects as readonly Obj[]
  const of = (kind: string) => all.filter((o) => o.kind === kind)
  const services = of('Service')
  const deployments = of('Deployment')
  const rules = of('DestinationRule')
  const problems: string[] = []
  const serviceFor = (host: string, namespace: string) =>
    services.find((s) => fqdn(`${s.metadata?.name}.${ns(s)}`, ns(s)) === fqdn(host, namespace))

  for (const vs of of('VirtualService')) {
    for (const d of destinations(vs)) {
      if (isInClusterHost(d.host) && !serviceFor(d.host, ns(vs))) {
        problems.push(`VirtualService ${vs.metadata?.name}: destination host ${d.host} matches no Service`)
      }
      if (!d.subset) continue
      const host = fqdn(d.host, ns(vs))
      const rule = rules.find((r) => fqdn(String(r.spec?.host), ns(r)) === host)
      const subsets = (rule?.spec?.subsets as { name: string }[] | undefined) ?? []
      if (!subsets.some((s) => s.name === d.subset)) {
        problems.push(
          `VirtualService ${vs.metadata?.name}: subset ${d.subset} of ${host} is defined by no DestinationRule`,
        )
      }
    }
  }
  for (const rule of rules) {
    const service = serviceFor(String(rule.spec?.host), ns(rule))
    if (!service) {
      problems.push(
        `DestinationRule ${rule.metadata?.name}: host ${String(rule.spec?.host)} matches no Service`,
      )
      continue
    }
    const selector = (service.spec?.selector as Record<string, string> | undefined) ?? {}
    for (const subset of (rule.spec?.subsets as
      | { name: string; labels?: Record<string, string> }[]
      | undefined) ?? []) {
      const selected = deployments.filter((d) => {
        const labels =
          (d.spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata
            ?.labels ?? {}
        return ns(d) === ns(service) && matches(labels, selector) && matches(labels, subset.labels ?? {})
      })
      if (selected.length !== 1) {
        problems.push(
          `DestinationRule ${rule.metadata?.name}: subset ${subset.name} selects ${selected.length} Deployments (${selected.map((d) => d.metadata?.name).join(', ') || 'none'}), expected exactly one`,
        )
      }
    }
  }
  for (const gw of of('Gateway')) {
    const hosts = ((gw.spec?.servers as { hosts?: string[] }[] | undefined) ?? []).flatMap(
      (s) => s.hosts ?? [],
    )
    for (const host of hosts) {
      const bound = of('VirtualService').some(
        (vs) =>
          ((vs.spec?.gateways as string[] | undefined) ?? []).includes(gw.metadata?.name ?? '') &&
          ((vs.spec?.hosts as string[] | undefined) ?? []).includes(host),
      )
      if (!bound)
        problems.push(`Gateway ${gw.metadata?.name}: host ${host} is served by no VirtualService bound to it`)
    }
  }
  return problems
}
