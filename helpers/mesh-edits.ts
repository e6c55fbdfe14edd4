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
  return `${corefile.slice(0, at)}    hosts {\n       ${entry}\n       fallthrough\n    }\n${corefile.slice(at)}`
}
