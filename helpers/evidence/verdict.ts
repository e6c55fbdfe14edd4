import type { ResponseClass } from '../http/classify.js'
import { clopperPearson, logSf } from '../stats/binomial.js'
import {
  DEFAULT_SPEC,
  type Decision,
  designSequential,
  designZeroTolerance,
  type OperatingCharacteristic,
  type RatioSpec,
  sequentialDecision,
} from '../stats/ratio-tests.js'

/** Outcomes in request order, one character each ('1', '2', 'e'): compact and re-judgeable. */
export type OutcomeString = string

export const encodeOutcomes = (classes: readonly ResponseClass[]): OutcomeString =>
  classes.map((c) => (c === 'v1' ? '1' : c === 'v2' ? '2' : 'e')).join('')

export function countOutcomes(outcomes: OutcomeString): { v1: number; v2: number; error: number } {
  let v1 = 0
  let v2 = 0
  let error = 0
  for (const c of outcomes) {
    if (c === '1') v1++
    else if (c === '2') v2++
    else error++
  }
  return { v1, v2, error }
}

/** Errors have their own bound: a verdict never drops them silently. */
export interface ErrorBound {
  /** Highest error rate that still counts as conforming; 0 means any error fails. */
  readonly maxRate: number
  /** False-failure bound of the error check at maxRate. */
  readonly alpha: number
}

export const DEFAULT_ERROR_BOUND: ErrorBound = { maxRate: 0.001, alpha: 1e-6 }

export interface RatioEvidence {
  readonly kind: 'ratio'
  readonly spec: RatioSpec
  readonly errorBound: ErrorBound
  readonly outcomes: OutcomeString
}

export interface ZeroToleranceEvidence {
  readonly kind: 'zero-tolerance'
  /** The only class allowed. */
  readonly expected: 'v1' | 'v2'
  /** What the classes mean, where they are not catalog versions (e.g. v1 = "blocked"). */
  readonly labels?: { readonly v1: string; readonly v2: string }
  readonly leak: number
  readonly beta: number
  readonly errorBound: ErrorBound
  readonly outcomes: OutcomeString
}

export type ShareEvidence = RatioEvidence | ZeroToleranceEvidence

export interface ShareVerdict {
  readonly passed: boolean
  /** One line naming the cause and the numbers. */
  readonly cause: string
  readonly procedure: 'sequential' | 'zero-tolerance'
  /** Requests used for the decision (errors included), and the counted trials among them. */
  readonly requests: number
  readonly n: number
  readonly counts: { readonly v1: number; readonly v2: number; readonly error: number }
  readonly expectedShare: number
  readonly observedShare: number | null
  readonly interval: readonly [number, number]
  readonly confidence: number
  readonly alpha: number
  readonly beta: number
  readonly delta: number
  /** Decision boundaries at the decided n, in counts of v2. */
  readonly boundaries: { readonly passLow: number; readonly passHigh: number; readonly atN: number }
  readonly oc:
    | OperatingCharacteristic
    | { readonly miss: number; readonly falseFailure: 0; readonly maxN: number }
  readonly errorCheck: {
    readonly passed: boolean
    readonly errors: number
    readonly maxRate: number
    readonly alpha: number
  }
}

/** 1 - alpha as a percentage with the decimals it needs: 1e-6 reads 99.9999%, not a rounded 100.0%. */
export function formatConfidence(alpha: number): string {
  return `${(100 * (1 - alpha)).toFixed(Math.max(1, Math.ceil(-Math.log10(alpha)) - 2))}%`
}

/** Whether `errors` among `total` requests is consistent with an error rate <= maxRate. Pure. */
export function checkErrors(errors: number, total: number, bound: ErrorBound): boolean {
  if (errors === 0) return true
  if (bound.maxRate === 0) return false
  return logSf(errors, total, bound.maxRate) > Math.log(bound.alpha)
}

/** The pass range of v2 counts at n for a sequential design (continuation excluded). Pure. */
export function passRangeAt(spec: RatioSpec, lnA: number, lnB: number, maxN: number, n: number) {
  let passLow = -1
  let passHigh = -1
  for (let k = 0; k <= n; k++) {
    if (sequentialDecision({ spec, lnA, lnB, maxN }, n, k) === 'pass') {
      if (passLow < 0) passLow = k
      passHigh = k
    }
  }
  return { passLow, passHigh, atN: n }
}

/**
 * Judges a share check from its evidence alone. Pure and deterministic, so a saved verdict
 * can be recomputed from saved evidence (`report rejudge`).
 */
export function judgeShare(evidence: ShareEvidence): ShareVerdict {
  return evidence.kind === 'ratio' ? judgeRatio(evidence) : judgeZeroTolerance(evidence)
}

function judgeRatio(ev: RatioEvidence): ShareVerdict {
  const design = designSequential(ev.spec)
  let n = 0
  let k = 0
  let requests = 0
  let decision: Decision = 'continue'
  for (const c of ev.outcomes) {
    requests++
    if (c === 'e') continue
    n++
    if (c === '2') k++
    decision = sequentialDecision(design, n, k)
    if (decision !== 'continue') break
  }
  const used = ev.outcomes.slice(0, requests)
  const counts = countOutcomes(used)
  const errorOk = checkErrors(counts.error, requests, ev.errorBound)
  const interval = clopperPearson(k, n, ev.spec.alpha)
  const share = n ? k / n : null
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`
  const confidence = formatConfidence(ev.spec.alpha)
  let cause: string
  if (!errorOk)
    cause = `${counts.error} errors in ${requests} requests exceed the error bound (rate <= ${ev.errorBound.maxRate})`
  else if (decision === 'continue')
    cause = `undecided after ${n} of at most ${design.maxN} counted responses: the evidence ran out`
  else if (decision === 'fail')
    cause = `v2 share ${pct(share ?? 0)} (${k}/${n}) is inconsistent with the expected ${pct(ev.spec.p0)}; ${confidence} interval [${pct(interval[0])}, ${pct(interval[1])}]`
  else
    cause = `v2 share ${pct(share ?? 0)} (${k}/${n}) is consistent with the expected ${pct(ev.spec.p0)} +- ${pct(ev.spec.delta)}`
  return {
    passed: decision === 'pass' && errorOk,
    cause,
    procedure: 'sequential',
    requests,
    n,
    counts,
    expectedShare: ev.spec.p0,
    observedShare: share,
    interval,
    confidence: 1 - ev.spec.alpha,
    alpha: ev.spec.alpha,
    beta: ev.spec.beta,
    delta: ev.spec.delta,
    boundaries: passRangeAt(design.spec, design.lnA, design.lnB, design.maxN, Math.max(n, 1)),
    oc: design.oc,
    errorCheck: {
      passed: errorOk,
      errors: counts.error,
      maxRate: ev.errorBound.maxRate,
      alpha: ev.errorBound.alpha,
    },
  }
}

function judgeZeroTolerance(ev: ZeroToleranceEvidence): ShareVerdict {
  const design = designZeroTolerance(ev.leak, ev.beta)
  const expectedChar = ev.expected === 'v1' ? '1' : '2'
  let n = 0
  let requests = 0
  let leaked = -1
  for (const c of ev.outcomes) {
    if (n >= design.n) break
    requests++
    if (c === 'e') continue
    n++
    if (c !== expectedChar && leaked < 0) leaked = requests - 1
  }
  const used = ev.outcomes.slice(0, requests)
  const counts = countOutcomes(used)
  const k = counts.v2
  const errorOk = checkErrors(counts.error, requests, ev.errorBound)
  const name = (c: 'v1' | 'v2') => ev.labels?.[c] ?? c
  const other = ev.expected === 'v1' ? 'v2' : 'v1'
  const unexpected = ev.expected === 'v1' ? counts.v2 : counts.v1
  let cause: string
  if (unexpected > 0)
    cause = `${unexpected} of ${n} responses were ${name(other)} (first at request ${leaked + 1}); expected only ${name(ev.expected)}`
  else if (!errorOk)
    cause = `${counts.error} errors in ${requests} requests exceed the error bound (rate <= ${ev.errorBound.maxRate})`
  else if (n < design.n)
    cause = `only ${n} of the ${design.n} responses needed to rule out a ${ev.leak * 100}% leak`
  else
    cause = `all ${n} responses were ${name(ev.expected)}: a ${ev.leak * 100}% leak would show with probability >= ${1 - design.beta}`
  return {
    passed: unexpected === 0 && errorOk && n >= design.n,
    cause,
    procedure: 'zero-tolerance',
    requests,
    n,
    counts,
    expectedShare: ev.expected === 'v2' ? 1 : 0,
    observedShare: n ? k / n : null,
    interval: clopperPearson(k, n, DEFAULT_SPEC.alpha),
    confidence: 1 - DEFAULT_SPEC.alpha,
    alpha: 0,
    beta: design.beta,
    delta: design.leak,
    boundaries:
      ev.expected === 'v2' ? { passLow: n, passHigh: n, atN: n } : { passLow: 0, passHigh: 0, atN: n },
    oc: { miss: design.miss, falseFailure: 0, maxN: design.n },
    errorCheck: {
      passed: errorOk,
      errors: counts.error,
      maxRate: ev.errorBound.maxRate,
      alpha: ev.errorBound.alpha,
    },
  }
}
