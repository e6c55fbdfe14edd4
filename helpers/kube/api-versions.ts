import type { KubernetesObject } from '@kubernetes/client-node'

/**
 * One manifest set for Istio 1.17 (networking v1alpha3/v1beta1, Telemetry v1alpha1 only) and
 * current Istio (v1 everywhere): each Istio object is applied at the newest version the
 * server serves for its kind. Pure.
 */
export const VERSION_PREFERENCE = ['v1', 'v1beta1', 'v1alpha3', 'v1alpha2', 'v1alpha1'] as const

/** Groups whose objects are re-versioned on apply. Core and apps stay as written. */
export const REVERSIONED_GROUPS = ['networking.istio.io', 'telemetry.istio.io', 'security.istio.io'] as const

/** group -> version -> kinds served at that version. */
export type ServedKinds = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>

const rank = (version: string): number => {
  const i = (VERSION_PREFERENCE as readonly string[]).indexOf(version)
  return i === -1 ? VERSION_PREFERENCE.length : i
}

export function chooseApiVersion(served: ServedKinds, group: string, kind: string): string | undefined {
  const versions = Object.entries(served[group] ?? {})
    .filter(([, kinds]) => kinds.includes(kind))
    .map(([version]) => version)
    .sort((a, b) => rank(a) - rank(b))
  return versions[0] === undefined ? undefined : `${group}/${versions[0]}`
}

/** Rewrites each Istio object's apiVersion to the newest served one; refuses kinds not served. */
export function withServedApiVersions<T extends KubernetesObject>(
  objects: readonly T[],
  served: ServedKinds,
): T[] {
  return objects.map((obj) => {
    const [group, version] = (obj.apiVersion ?? '').split('/')
    if (
      version === undefined ||
      group === undefined ||
      !(REVERSIONED_GROUPS as readonly string[]).includes(group)
    )
      return obj
    const chosen = chooseApiVersion(served, group, obj.kind ?? '')
    if (!chosen) {
      const offered = Object.entries(served[group] ?? {})
        .map(([v, kinds]) => `${v}: ${kinds.join(', ') || 'nothing'}`)
        .join('; ')
      throw new Error(
        `${obj.kind} ${obj.metadata?.name ?? ''} cannot be applied: this cluster serves no ${group} version with kind ${obj.kind} (${offered || 'group not served'})`,
      )
    }
    return chosen === obj.apiVersion ? obj : { ...obj, apiVersion: chosen }
  })
}
