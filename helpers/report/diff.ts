import {
  ACCESS_LOG_CLUSTER_FIELD,
  type Behaviour,
  expectedBehaviour,
  MIRROR_SHADOW_SUFFIX,
} from '../istio-behaviour.js'
import { terminalText as term } from '../text/escape.js'
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

export interface DiffCounts {
  readonly unchanged: number
  readonly newlyFailing: number
  readonly newlyPassing: number
  readonly changedByDesign: number
  readonly onlyInA: number
  readonly onlyInB: number
  /** Of the checks only in B, those that fail. */
  readonly failingOnlyInB: number
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
  readonly counts: DiffCounts
  /**
   * Why B is worse than A, one phrase each; empty when it is not. `report diff` exits 1 exactly
   * when this is not empty, and prints it: a check that newly fails, a check of A that B lacks
   * (a lost guarantee), a new check that fails in B.
   */
  readonly worse: readonly string[]
}

function byDesign(key: string, istioA: string, istioB: string): string | undefined {
  const behaviour = CHECK_BEHAVIOURS[key]
  if (!behaviour) return undefined
  const a = expectedBehaviour(behaviour, istioA)
  const b = expectedBehaviour(behaviour, istioB)
  if (!a || !b || JSON.stringify(a.value) === JSON.stringify(b.value)) return undefined
  return `${behaviour.topic}: Istio ${istioA}: ${a.note}; Istio ${istioB}: ${b.note}`
}

/** The scenario-level verdict beyond its checks (error, cleanup), as a pseudo-check. */
const SCENARIO_ITSELF = '(scenario)'

function scenarioCause(s: RunRecord['scenarios'][number]): string {
  if (s.error) return `stopped: ${s.error}`
  if (s.cleanup.errors.length) return `cleanup failed: ${s.cleanup.errors.join('; ')}`
  return s.passed ? 'passed' : 'failed'
}

/**
 * Per check, what changed from run A to run B (say, the old Istio and the new one). A check
 * whose documented behaviour differs between the two versions is "changed by design" when it
 * passes in B; if it fails in B it is newly failing all the same, with the note. A scenario
 * that newly fails (or passes) for a reason outside its checks (it stopped, its cleanup failed)
 * gets an entry of its own. Pure.
 */
export function diffRuns(a: RunRecord, b: RunRecord): RunDiff {
  const index = (run: RunRecord) =>
    new Map(
      run.scenarios.flatMap((s) => [
        ...s.checks.map((c) => [`${s.id}/${c.check}`, { passed: c.passed, cause: c.cause }] as const),
        [`${s.id}/${SCENARIO_ITSELF}`, { passed: s.passed, cause: scenarioCause(s) }] as const,
      ]),
    )
  const ia = index(a)
  const ib = index(b)
  const keys = [...new Set([...ia.keys(), ...ib.keys()])]
  const entries: DiffEntry[] = keys.flatMap((key): DiffEntry[] => {
    const slash = key.indexOf('/')
    const scenario = key.slice(0, slash)
    const check = key.slice(slash + 1)
    const ca = ia.get(key)
    const cb = ib.get(key)
    if (check === SCENARIO_ITSELF) {
      // Only when it tells something the checks do not: the scenario's verdict changed while
      // none of its checks did.
      const checksChanged = [...ib.keys(), ...ia.keys()].some(
        (k) =>
          k.startsWith(`${scenario}/`) &&
          k !== key &&
          (ia.get(k)?.passed ?? null) !== (ib.get(k)?.passed ?? null),
      )
      if (!ca || !cb || ca.passed === cb.passed || checksChanged) return []
    }
    const note = byDesign(key, a.versions.istioControlPlane, b.versions.istioControlPlane)
    const base = {
      scenario,
      check,
      ...(ca ? { a: ca } : {}),
      ...(cb ? { b: cb } : {}),
      ...(note ? { byDesign: note } : {}),
    }
    if (!ca) return [{ ...base, status: 'only in B' }]
    if (!cb) return [{ ...base, status: 'only in A' }]
    if (ca.passed && !cb.passed) return [{ ...base, status: 'newly failing' }]
    if (!ca.passed && cb.passed) return [{ ...base, status: 'newly passing' }]
    if (note && cb.passed) return [{ ...base, status: 'changed by design' }]
    return [{ ...base, status: 'unchanged' }]
  })
  const side = (r: RunRecord) => ({
    istio: r.versions.istioControlPlane,
    kubernetes: r.versions.kubernetes,
    profile: r.profile,
    startedAt: r.startedAt,
  })
  const count = (status: DiffStatus) => entries.filter((e) => e.status === status).length
  const counts: DiffCounts = {
    unchanged: count('unchanged'),
    newlyFailing: count('newly failing'),
    newlyPassing: count('newly passing'),
    changedByDesign: count('changed by design'),
    onlyInA: count('only in A'),
    onlyInB: count('only in B'),
    failingOnlyInB: entries.filter((e) => e.status === 'only in B' && e.b && !e.b.passed).length,
  }
  const worse = [
    counts.newlyFailing ? `${counts.newlyFailing} newly failing` : '',
    counts.onlyInA ? `${counts.onlyInA} of A's checks missing from B` : '',
    counts.failingOnlyInB ? `${counts.failingOnlyInB} new check(s) failing in B` : '',
  ].filter(Boolean)
  return { a: side(a), b: side(b), entries, counts, worse }
}

/** For a terminal: every value from the two records is stripped of control characters. */
export function renderDiff(d: RunDiff): string {
  const label = (e: DiffEntry) => term(`${e.scenario}/${e.check}`)
  const width = Math.max(...d.entries.map((e) => label(e).length), 10)
  const lines = [
    `A: Istio ${term(d.a.istio)}, Kubernetes ${term(d.a.kubernetes)}, profile ${term(d.a.profile)}, ${term(d.a.startedAt)}`,
    `B: Istio ${term(d.b.istio)}, Kubernetes ${term(d.b.kubernetes)}, profile ${term(d.b.profile)}, ${term(d.b.startedAt)}`,
    '',
  ]
  for (const e of d.entries) {
    lines.push(`${label(e).padEnd(width)}  ${e.status}`)
    if (e.status !== 'unchanged' && e.b) lines.push(`${''.padEnd(width)}  B: ${term(e.b.cause)}`)
    if (e.status === 'only in A' && e.a) lines.push(`${''.padEnd(width)}  A: ${term(e.a.cause)}`)
    if (e.byDesign) lines.push(`${''.padEnd(width)}  by design: ${term(e.byDesign)}`)
  }
  const c = d.counts
  lines.push(
    '',
    `${c.unchanged} unchanged, ${c.newlyFailing} newly failing, ${c.newlyPassing} newly passing, ${c.changedByDesign} changed by design, ${c.onlyInA} only in A, ${c.onlyInB} only in B (${c.failingOnlyInB} failing)`,
    d.worse.length
      ? `B is worse than A: ${d.worse.join(', ')}`
      : 'B is not worse than A: no check newly fails or went missing',
  )
  return lines.join('\n')
}
