import type { ResponseClass } from '../http/classify.js'
import { clopperPearson } from '../stats/binomial.js'
import { detectableErrorRate, type ErrorBound, errorCheckPasses } from '../stats/error-bound.js'
import {
  type AnyOperatingCharacteristic,
  alternatives,
  DEFAULT_SPEC,
  type Decision,
  designSequential,
  designZeroTolerance,
  indifference,
  type RatioSpec,
  type SequentialDesign,
  sequentialDecision,
} from '../stats/ratio-tests.js'
import { waldV1Decision } from '../stats/wald-v1.js'
import { percent } from '../text/format.js'

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

export { DEFAULT_ERROR_BOUND, type ErrorBound } from '../stats/error-bound.js'

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
  /** Which ratio design decided (absent: zero tolerance, or a verdict saved before issue 12). */
  readonly design?: 'wald-sprt-v1' | '2-sprt-v2'
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
  /** The indifference: shares off by this much are caught with probability >= 1 - beta. */
  readonly delta: number
  /** The shares the test must fail with probability >= 1 - beta (ratio checks since issue 12). */
  readonly alternatives?: readonly number[]
  /** Decision boundaries at the decided n, in counts of v2. */
  readonly boundaries: { readonly passLow: number; readonly passHigh: number; readonly atN: number }
  readonly oc:
    | AnyOperatingCharacteristic
    | { readonly miss: number; readonly falseFailure: 0; readonly maxN: number }
  readonly errorCheck: {
    readonly passed: boolean
    readonly errors: number
    readonly maxRate: number
    readonly alpha: number
    /** The error rate this bound fails with probability `power` at the requests used (null: none). */
    readonly detectableRate?: number | null
    readonly power?: number
  }
}

/** 1 - alpha as a percentage with the decimals it needs: 1e-6 reads 99.9999%, not a rounded 100.0%. */
export function formatConfidence(alpha: number): string {
  return `${(100 * (1 - alpha)).toFixed(Math.max(1, Math.ceil(-Math.log10(alpha)) - 2))}%`
}

/** Whether `errors` among `total` requests is consistent with an error rate <= maxRate. Pure. */
export const checkErrors = errorCheckPasses

/** A rate with the digits it needs: 0.1% stays 0.1%, 0.02% is not rounded to 0.0%. */
export const formatRate = (x: number) => `${Number((100 * x).toPrecision(2))}%`

/**
 * A rate a check catches, rounded up to two significant digits: "catches 3.1%" must never
 * name a rate below the one it catches (3.04% reads 3.1%, not 3%).
 */
export function formatCaughtRate(x: number): string {
  const percent = 100 * x
  const unit = 10 ** (Math.floor(Math.log10(percent)) - 1)
  return `${Number((Math.ceil(percent / unit - 1e-9) * unit).toPrecision(2))}%`
}

/** The verdict's error check, with the rate the bound catches at the requests used. */
function errorCheckOf(errors: number, requests: number, bound: ErrorBound) {
  const power = bound.power ?? 0.999
  return {
    passed: errorCheckPasses(errors, requests, bound),
    errors,
    maxRate: bound.maxRate,
    alpha: bound.alpha,
    detectableRate: detectableErrorRate(requests, bound, power),
    power,
  }
}

/**
 * What the error bound could catch, for the cause of a pass (a failure names its own cause):
 * only for evidence that asks for it (bound.power set), so verdicts saved before it re-judge
 * to their original words.
 */
function errorClause(check: ReturnType<typeof errorCheckOf>, requests: number, bound: ErrorBound): string {
  if (bound.power === undefined) return ''
  const caught =
    check.detectableRate === null
      ? `too few requests to fail any error rate with probability ${bound.power}`
      : `which fails an error rate of ${formatCaughtRate(check.detectableRate)} with probability ${bound.power}`
  return `; errors ${check.errors} of ${requests} under the ${formatRate(bound.maxRate)} bound, ${caught}`
}

/** The pass range of v2 counts at n for a sequential design (continuation excluded). Pure. */
function passRange(design: SequentialDesign, n: number) {
  if (design.version === '2-sprt-v2') {
    const b = design.boundaries
    const i = Math.min(n, b.maxN)
    const low = Math.max(b.passLo[i] as number, (b.failLo[i] as number) + 1)
    const high = Math.min(b.passHi[i] as number, (b.failHi[i] as number) - 1, n)
    return low <= high ? { passLow: low, passHigh: high, atN: n } : { passLow: -1, passHigh: -1, atN: n }
  }
  let passLow = -1
  let passHigh = -1
  for (let k = 0; k <= n; k++) {
    if (waldV1Decision(design, n, k) === 'pass') {
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
  const errorCheck = errorCheckOf(counts.error, requests, ev.errorBound)
  const errorOk = errorCheck.passed
  const interval = clopperPearson(k, n, ev.spec.alpha)
  const share = n ? k / n : null
  const confidence = formatConfidence(ev.spec.alpha)
  const d = indifference(ev.spec)
  const alts = alternatives(ev.spec)
  const v2 = design.version === '2-sprt-v2'
  let cause: string
  if (!errorOk)
    cause = `${counts.error} errors in ${requests} requests exceed the error bound (rate <= ${ev.errorBound.maxRate})`
  else if (decision === 'continue')
    cause = `undecided after ${n} of at most ${design.maxN} counted responses: the evidence ran out`
  else if (decision === 'fail')
    cause = `v2 share ${percent(share ?? 0)} (${k}/${n}) is inconsistent with the expected ${percent(ev.spec.p0)}; ${confidence} interval [${percent(interval[0])}, ${percent(interval[1])}]`
  else if (v2)
    cause = `v2 share ${percent(share ?? 0)} (${k}/${n}) is consistent with the expected ${percent(ev.spec.p0)}: a share of ${alts.map(percent).join(' or ')} would fail with probability >= ${1 - ev.spec.beta}`
  else
    cause = `v2 share ${percent(share ?? 0)} (${k}/${n}) is consistent with the expected ${percent(ev.spec.p0)} +- ${percent(ev.spec.delta)}`
  const passed = decision === 'pass' && errorOk
  if (passed) cause += errorClause(errorCheck, requests, ev.errorBound)
  return {
    passed,
    cause,
    procedure: 'sequential',
    design: design.version,
    requests,
    n,
    counts,
    expectedShare: ev.spec.p0,
    observedShare: share,
    interval,
    confidence: 1 - ev.spec.alpha,
    alpha: ev.spec.alpha,
    beta: ev.spec.beta,
    delta: d,
    alternatives: alts,
    boundaries: passRange(design, Math.max(n, 1)),
    oc: design.oc,
    errorCheck,
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
  const errorCheck = errorCheckOf(counts.error, requests, ev.errorBound)
  const errorOk = errorCheck.passed
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
  const passed = unexpected === 0 && errorOk && n >= design.n
  if (passed) cause += errorClause(errorCheck, requests, ev.errorBound)
  return {
    passed,
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
    errorCheck,
  }
}
