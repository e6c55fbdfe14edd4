import {
  ACCESS_LOG_CLUSTER_FIELD,
  type Behaviour,
  expectedBehaviour,
  MIRROR_SHADOW_SUFFIX,
} from '../istio-behaviour.js'
import type { RunRecord } from './model.js'

/** Checks whose expectation depends on a documented, version-dependent behaviour. */
const CHECK_BEHAVIOURS: Readonly<Record<string, Behaviour<unknown>>> = {
  'mirroring/shadow-host': MIRROR_SHADOW_SUFFIX as Behaviour<unknown>,
  'mesh-routing/proxy-log-v1-cluster': ACCESS_LOG_CLUSTER_FIELD as Behaviour<unknown>,
}

export type DiffStatus =
  | 'unchanged'
  | 'newly failing'
  | 'newly passing'
  | 'changed by design'
  | 'only in A'
  | 'only in B'

export interface DiffEntry {
  readonly scenario: string
  readonly check: string
  readonly status: DiffStatus
  readonly a?: { readonly passed: boolean; readonly cause: string }
  readonly b?: { readonly passed: boolean; readonly cause: string }
  /** The behaviour change that explains a difference, from the behaviour table. */
  readonly byDesign?: string
}

export interface RunDiff {
  readonly a: {
    readonly istio: string
    readonly kubernetes: string
    readonly profile: string
    readonly startedAt: string
  }
  readonly b: {
    readonly istio: string
    readonly kubernetes: string
    readonly profile: string
    readonly startedAt: string
  }
  readonly entries: readonly DiffEntry[]
  readonly newlyFailing: number
}

function byDesign(key: string, istioA: string, istioB: string): string | undefined {
  const behaviour = CHECK_BEHAVIOURS[key]
  if (!behaviour) return undefined
  const a = expectedBehaviour(behaviour, istioA)
  const b = expectedBehaviour(behaviour, istioB)
  if (!a || !b || JSON.stringify(a.value) === JSON.stringify(b.value)) return undefined
  return `${behaviour.topic}: Istio ${istioA}: ${a.note}; Istio ${istioB}: ${b.note}`
}

/**
 * Per check, what changed from run A to run B (say, the old Istio and the new one). A check
 * whose documented behaviour differs between the two versions is "changed by design" when it
 * passes in B; if it fails in B it is newly failing all the same, with the note. Pure.
 */
export function diffRuns(a: RunRecord, b: RunRecord): RunDiff {
  const index = (run: RunRecord) =>
    new Map(
      run.scenarios.flatMap((s) =>
        s.checks.map((c) => [`${s.id}/${c.check}`, { passed: c.passed, cause: c.cause }] as const),
      ),
    )
  const ia = index(a)
  const ib = index(b)
  const keys = [...new Set([...ia.keys(), ...ib.keys()])]
  const entries: DiffEntry[] = keys.map((key) => {
    const [scenario, check] = key.split('/') as [string, string]
    const ca = ia.get(key)
    const cb = ib.get(key)
    const note = byDesign(key, a.versions.istioControlPlane, b.versions.istioControlPlane)
    const base = {
      scenario,
      check,
      ...(ca ? { a: ca } : {}),
      ...(cb ? { b: cb } : {}),
      ...(note ? { byDesign: note } : {}),
    }
    if (!ca) return { ...base, status: 'only in B' }
    if (!cb) return { ...base, status: 'only in A' }
    if (ca.passed && !cb.passed) return { ...base, status: 'newly failing' }
    if (!ca.passed && cb.passed) return { ...base, status: 'newly passing' }
    if (note && cb.passed) return { ...base, status: 'changed by design' }
    return { ...base, status: 'unchanged' }
  })
  const side = (r: RunRecord) => ({
    istio: r.versions.istioControlPlane,
    kubernetes: r.versions.kubernetes,
    profile: r.profile,
    startedAt: r.startedAt,
  })
  return {
    a: side(a),
    b: side(b),
    entries,
    newlyFailing: entries.filter((e) => e.status === 'newly failing' || e.status === 'only in A').length,
  }
}

export function renderDiff(d: RunDiff): string {
  const width = Math.max(...d.entries.map((e) => `${e.scenario}/${e.check}`.length), 10)
  const lines = [
    `A: Istio ${d.a.istio}, Kubernetes ${d.a.kubernetes}, profile ${d.a.profile}, ${d.a.startedAt}`,
    `B: Istio ${d.b.istio}, Kubernetes ${d.b.kubernetes}, profile ${d.b.profile}, ${d.b.startedAt}`,
    '',
  ]
  for (const e of d.entries) {
    lines.push(`${`${e.scenario}/${e.check}`.padEnd(width)}  ${e.status}`)
    if (e.status !== 'unchanged' && e.b) lines.push(`${''.padEnd(width)}  B: ${e.b.cause}`)
    if (e.byDesign) lines.push(`${''.padEnd(width)}  by design: ${e.byDesign}`)
  }
  const count = (s: DiffStatus) => d.entries.filter((e) => e.status === s).length
  lines.push(
    '',
    `${count('unchanged')} unchanged, ${count('newly failing')} newly failing, ${count('newly passing')} newly passing, ${count('changed by design')} changed by design, ${count('only in A') + count('only in B')} in one run only`,
  )
  return lines.join('\n')
}
