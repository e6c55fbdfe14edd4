/**
 * Behaviour that changed between Istio versions on purpose, as data: the suite expects what
 * the version in the cluster is documented to do, and a report can tell "changed by design"
 * from "regression". Source: shared/reference/ch5-lab.md, "Behaviour that differs by Istio version".
 */
export interface VersionRange {
  /** Inclusive lower bound, e.g. "1.28". */
  readonly from?: string
  /** Exclusive upper bound. */
  readonly before?: string
}

export interface BehaviourRule<T> {
  readonly versions: VersionRange
  readonly value: T
  readonly note: string
}

export interface Behaviour<T> {
  readonly topic: string
  readonly rules: readonly BehaviourRule<T>[]
}

export const MIRROR_SHADOW_SUFFIX: Behaviour<boolean> = {
  topic: 'mirror-shadow-suffix',
  rules: [
    {
      versions: { before: '1.28' },
      value: true,
      note: 'Envoy appends -shadow to the Host of mirrored requests',
    },
    {
      versions: { from: '1.28' },
      value: false,
      note: 'DISABLE_SHADOW_HOST_SUFFIX defaults to true: no -shadow unless pilot sets it to false',
    },
  ],
}

export const ACCESS_LOG_CLUSTER_FIELD: Behaviour<string> = {
  topic: 'access-log-cluster-field',
  rules: [
    {
      versions: { before: '1.24' },
      value: '%UPSTREAM_CLUSTER%',
      note: 'default format uses UPSTREAM_CLUSTER',
    },
    {
      versions: { from: '1.24' },
      value: '%UPSTREAM_CLUSTER_RAW%',
      note: 'default format uses UPSTREAM_CLUSTER_RAW',
    },
  ],
}

/** Compares dotted versions numerically: -1, 0, 1. Pure. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

export function inRange(version: string, range: VersionRange): boolean {
  return (
    (range.from === undefined || compareVersions(version, range.from) >= 0) &&
    (range.before === undefined || compareVersions(version, range.before) < 0)
  )
}

/** What an Istio version is documented to do for a topic, or undefined for an unknown version. */
export function expectedBehaviour<T>(
  behaviour: Behaviour<T>,
  istioVersion: string,
): BehaviourRule<T> | undefined {
  if (!/^\d+\.\d+/.test(istioVersion)) return undefined
  return behaviour.rules.find((r) => inRange(istioVersion, r.versions))
}
