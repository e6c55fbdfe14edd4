import { parse, stringify } from 'yaml'

/**
 * Edits of cluster-wide configuration the egress scenarios make (and undo). Pure.
 */

/** istio-system/istio ConfigMap, key `mesh`: sets meshConfig.outboundTrafficPolicy.mode. */
export function withOutboundPolicy(meshYaml: string, mode: 'REGISTRY_ONLY' | 'ALLOW_ANY'): string {
  const mesh = (parse(meshYaml) ?? {}) as Record<string, unknown>
  const policy = (mesh.outboundTrafficPolicy ?? {}) as Record<string, unknown>
  return stringify({ ...mesh, outboundTrafficPolicy: { ...policy, mode } })
}

export function outboundPolicyOf(meshYaml: string): string {
  const mesh = (parse(meshYaml) ?? {}) as { outboundTrafficPolicy?: { mode?: string } }
  return mesh.outboundTrafficPolicy?.mode ?? 'ALLOW_ANY'
}

/**
 * kube-system/coredns ConfigMap, key `Corefile`: answers `host` with `ip` from a hosts block in
 * the root server block (`.:53 { ... }`), falling through to the rest for every other name.
 * The answer's TTL is 5 s (the hosts plugin's default is 3600 s, coredns.io/plugins/hosts):
 * Istio sets respect_dns_ttl on DNS clusters, so Envoy re-resolves when the TTL expires, and a
 * short one lets the stand-in's address, and its removal, take effect promptly.
 */
export function withHostsEntry(corefile: string, ip: string, host: string): string {
  const entry = `${ip} ${host}`
  if (/\n\s*hosts\s*\{/.test(corefile)) {
    return corefile.replace(
      /(\n(\s*)hosts\s*\{\n)/,
      (_m, head: string, indent: string) => `${head}${indent}   ${entry}\n`,
    )
  }
  const open = /\.:53\s*\{\n/.exec(corefile)
  if (!open) throw new Error('Corefile has no ".:53 {" server block')
  const at = open.index + open[0].length
  return `${corefile.slice(0, at)}    hosts {\n       ${entry}\n       ttl 5\n       fallthrough\n    }\n${corefile.slice(at)}`
}

/** What the suite's scenarios would leave behind if their cleanup never ran. */
export interface MeshState {
  /** istio-system/istio `mesh`, or undefined when absent. */
  readonly mesh: string | undefined
  /** kube-system/coredns `Corefile`, or undefined when absent. */
  readonly corefile: string | undefined
  /** Names of Sidecars in the lab namespace whose outboundTrafficPolicy is REGISTRY_ONLY. */
  readonly registryOnlySidecars: readonly string[]
}

/** The outside host the egress scenarios point the cluster DNS at. */
export const OUTSIDE_HOST = 'jsonplaceholder.typicode.com'

/**
 * Before a run: is the mesh in the state the scenarios expect? A lock-down or DNS entry the
 * journal does not explain was left by a run that could not undo it (or made by hand); the
 * scenarios would measure it instead of their own configuration. On a cluster that is not the
 * suite's own, mesh-wide settings are the owner's business: only the lab namespace is judged.
 * Returns one problem per line, each with its fix. Pure.
 */
export function judgeMeshState(state: MeshState, options: { existingCluster: boolean }): string[] {
  const problems: string[] = []
  if (
    !options.existingCluster &&
    state.mesh !== undefined &&
    outboundPolicyOf(state.mesh) === 'REGISTRY_ONLY'
  ) {
    problems.push(
      "the mesh config (istio-system/istio) sets outboundTrafficPolicy REGISTRY_ONLY and no journal entry explains it; set it back with 'kubectl -n istio-system edit configmap istio' (remove outboundTrafficPolicy), or rebuild with 'npm run conformance -- down' and 'up'",
    )
  }
  if (!options.existingCluster && state.corefile?.includes(OUTSIDE_HOST)) {
    problems.push(
      `the cluster DNS (kube-system/coredns) answers ${OUTSIDE_HOST} from a hosts entry and no journal entry explains it; remove that line with 'kubectl -n kube-system edit configmap coredns'`,
    )
  }
  for (const name of state.registryOnlySidecars) {
    problems.push(
      `Sidecar ${name} in namespace istioinaction locks egress down (REGISTRY_ONLY) and no journal entry explains it; remove it with 'kubectl -n istioinaction delete sidecar ${name}'`,
    )
  }
  return problems
}
