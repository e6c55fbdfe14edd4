import type { CanarySample, FlaggerEvent } from '../flagger/canary.js'
import type { LoadEvidence } from '../http/load.js'
import { clopperPearson, logCdf, logSf } from '../stats/binomial.js'
import { stepPower } from '../stats/canary-steps.js'
import { detectableErrorRate, type ErrorBound, errorCheckPasses } from '../stats/error-bound.js'
import { acceptanceRegion } from '../stats/fixed.js'
import { percent } from '../text/format.js'
import type { BasicVerdict } from './basic.js'
import { countOutcomes, formatCaughtRate, formatRate } from './shares.js'

/**
 * The canary's evidence and both of its judges: the status timeline Flagger wrote (weights,
 * phases, final phase) and the share of v2 the load saw at each weight step. Pure.
 */

export interface CanaryTimelineEvidence {
  readonly kind: 'canary-timeline'
  /** What this check judges: the weight progression, the phase order, or only the final phase. */
  readonly aspect: 'weights' | 'phases' | 'final'
  readonly stepWeight: number
  readonly maxWeight: number
  /** The final phase the check expects: Succeeded for a good revision, Failed for a bad one. */
  readonly expectFinal: 'Succeeded' | 'Failed'
  /** How long a weight may stay unchanged while Progressing before it counts as stalled. */
  readonly stallMs: number
  readonly samples: readonly CanarySample[]
  readonly events: readonly FlaggerEvent[]
}

/** Collapses consecutive equal values. */
function runs<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1])
}

export interface CanaryTimelineVerdict {
  readonly passed: boolean
  readonly cause: string
  readonly details: {
    readonly phases: readonly string[]
    readonly weights: readonly number[]
    /** What the events said, for people: never part of the decision (they can be lost). */
    readonly events: { readonly read: number; readonly aggregated: number; readonly halts: number }
  }
}

/** An event for a cause line, saying when Kubernetes combined it with others. */
const describeEvent = (e: FlaggerEvent): string =>
  e.aggregated ? `${e.message} (combined by Kubernetes with similar events)` : e.message

/**
 * Weights rise by stepWeight to maxWeight, never back, never stalled; phases in order; final
 * phase as expected. Decided by the sampled status alone: the events only name the likely
 * reason in a cause, since Kubernetes aggregates and drops them.
 */
export function judgeCanaryTimeline(ev: CanaryTimelineEvidence): CanaryTimelineVerdict {
  const phases = runs(ev.samples.map((s) => s.phase))
  const progressing = ev.samples.filter((s) => s.phase === 'Progressing' && s.weight > 0)
  const weights = runs(progressing.map((s) => s.weight))
  const halts = ev.events.filter((e) => e.kind === 'halt' || e.kind === 'halt-no-values')
  const details = {
    phases,
    weights,
    events: {
      read: ev.events.length,
      aggregated: ev.events.filter((e) => e.aggregated).length,
      halts: halts.length,
    },
  }
  const final = phases.at(-1) ?? 'none'
  const last = ev.events.filter((e) => e.kind !== 'other').at(-1)
  const lastEvent = last ? describeEvent(last) : undefined
  const lastHalt = halts.at(-1)
  const fail = (cause: string): CanaryTimelineVerdict => ({ passed: false, cause, details })

  if (final !== ev.expectFinal) {
    return fail(
      `ended ${final}, expected ${ev.expectFinal} (phases ${phases.join(' > ') || 'none'}${lastEvent ? `; last event: ${lastEvent}` : ''})`,
    )
  }
  if (ev.aspect === 'final') {
    if (!phases.includes('Progressing'))
      return fail(`ended ${final} without analysing (phases ${phases.join(' > ')})`)
    return {
      passed: true,
      cause:
        ev.expectFinal === 'Failed'
          ? `rolled back after weights ${weights.join(', ') || 'none'}: ${lastEvent ?? 'Failed'}`
          : `ended ${final} after weights ${weights.join(', ')}`,
      details,
    }
  }
  if (ev.aspect === 'phases') {
    const order = ['Progressing', 'Promoting', 'Finalising', 'Succeeded']
    const seen = phases.filter((p) => order.includes(p))
    return seen.join(',') === order.join(',')
      ? { passed: true, cause: `phases ${phases.join(' > ')}`, details }
      : fail(`phases ${phases.join(' > ')} do not go Progressing > Promoting > Finalising > Succeeded`)
  }
  if (weights.length === 0) return fail('canaryWeight never rose above 0 while Progressing')
  if (weights[0] !== ev.stepWeight) return fail(`canaryWeight started at ${weights[0]}, not ${ev.stepWeight}`)
  for (let i = 1; i < weights.length; i++) {
    const prev = weights[i - 1] as number
    const cur = weights[i] as number
    if (cur < prev) return fail(`canaryWeight went back from ${prev} to ${cur}`)
    if (cur !== prev + ev.stepWeight)
      return fail(`canaryWeight skipped from ${prev} to ${cur} (stepWeight ${ev.stepWeight})`)
  }
  let since = progressing[0]
  for (const s of progressing) {
    if (!since || s.weight !== since.weight) since = s
    else if (Date.parse(s.at) - Date.parse(since.at) > ev.stallMs) {
      return fail(
        `stalled at canaryWeight ${s.weight} for more than ${Math.round(ev.stallMs / 1000)} s${lastHalt ? ` (last halt event: ${describeEvent(lastHalt)})` : ''}`,
      )
    }
  }
  if (weights.at(-1) !== ev.maxWeight)
    return fail(`reached canaryWeight ${weights.at(-1)}, not maxWeight ${ev.maxWeight}, before promotion`)
  return { passed: true, cause: `canaryWeight ${weights.join(', ')} by ${ev.stepWeight}`, details }
}

/** The load's responses during one canaryWeight step, in request order ('1' v1, '2' v2, 'e' error). */
export interface CanaryStep {
  readonly weight: number
  readonly outcomes: string
}

/** Evidence recorded before issue 12: each step judged by a bare two-sided exact test at alpha. */
export interface CanaryStepsEvidenceV1 {
  readonly kind: 'canary-steps'
  readonly design?: undefined
  readonly alpha: number
  /** Responses this long after a weight change are skipped: the new weights are still propagating. */
  readonly settleMs: number
  readonly steps: readonly CanaryStep[]
}

/**
 * Since issue 12: each step's last n counted responses are judged by the smallest fixed-n
 * exact test that fails a share off by min(delta, w/200, (1 - w/100)/2) with probability
 * >= 1 - beta at false-failure alpha per step (helpers/stats/canary-steps.ts); a step with
 * fewer responses is judged on what it has and its verdict says what that could catch. The
 * steps' errors, pooled, are held to errorBound.
 */
export interface CanaryStepsEvidenceV2 {
  readonly kind: 'canary-steps'
  readonly design: 'fixed-exact-v2'
  /** How well the load generator held its rate, and whose errors it saw (what it can detect depends on it). */
  readonly load?: LoadEvidence
  readonly alpha: number
  readonly beta: number
  readonly delta: number
  readonly settleMs: number
  readonly errorBound: ErrorBound
  readonly steps: readonly CanaryStep[]
}

export type CanaryStepsEvidence = CanaryStepsEvidenceV1 | CanaryStepsEvidenceV2

/**
 * Each step's observed v2 share against its canaryWeight. Evidence since issue 12 names its
 * design and is judged with stated power (judgeCanaryStepsV2); older evidence by the exact
 * two-sided binomial test at alpha, as it was recorded: a step fails when its count is in
 * either tail of probability <= alpha/2.
 */
export function judgeCanarySteps(ev: CanaryStepsEvidence): BasicVerdict {
  if (ev.design === 'fixed-exact-v2') return judgeCanaryStepsV2(ev)
  const rows = ev.steps.map((s) => {
    const c = countOutcomes(s.outcomes)
    const n = c.v1 + c.v2
    const p = s.weight / 100
    const lowTail = n ? Math.exp(logCdf(c.v2, n, p)) : 1
    const highTail = n ? Math.exp(logSf(c.v2, n, p)) : 1
    const consistent = n > 0 && lowTail > ev.alpha / 2 && highTail > ev.alpha / 2
    return {
      weight: s.weight,
      n,
      v2: c.v2,
      errors: c.error,
      share: n ? c.v2 / n : null,
      interval: clopperPearson(c.v2, n, ev.alpha),
      consistent,
    }
  })
  const details = { steps: rows }
  const missing = missingStep(rows, details)
  if (missing) return missing
  const bad = rows.find((r) => !r.consistent)
  if (bad) {
    return {
      passed: false,
      cause: `at canaryWeight ${bad.weight} the v2 share was ${percent(bad.share ?? 0)} (${bad.v2}/${bad.n}), inconsistent with ${bad.weight}% at alpha ${ev.alpha}`,
      details,
    }
  }
  return {
    passed: true,
    cause: rows.map((r) => `${r.weight}%: ${percent(r.share ?? 0)} of ${r.n}`).join(', '),
    details,
  }
}

/** Fails a judgement with no step observed, or a step without a single measured response. */
function missingStep(
  rows: readonly { readonly weight: number; readonly n: number }[],
  details: Record<string, unknown>,
): BasicVerdict | undefined {
  if (rows.length === 0) return { passed: false, cause: 'no canaryWeight step was observed', details }
  const empty = rows.find((r) => r.n === 0)
  if (empty)
    return { passed: false, cause: `no responses were measured at canaryWeight ${empty.weight}`, details }
  return undefined
}

/**
 * What a step's test catches, in words: "a share <= 5.0% or >= 15.0%", rounded outward to
 * 0.1% so the words never claim a share the test does not catch.
 */
function catches(p0: number, below: number | null, above: number | null): string {
  const down = (x: number) => `${(Math.floor(x * 1000 + 1e-9) / 10).toFixed(1)}%`
  const up = (x: number) => `${(Math.ceil(x * 1000 - 1e-9) / 10).toFixed(1)}%`
  const sides = [
    below === null ? null : `<= ${down(p0 - below)}`,
    above === null ? null : `>= ${up(p0 + above)}`,
  ].filter((x): x is string => x !== null)
  return sides.length ? `a share ${sides.join(' or ')}` : 'no share at all'
}

/**
 * Each step by the smallest fixed-n exact test with stated power: its last `needed` counted
 * responses (the furthest from the weight change) pass when the v2 count lies in the
 * equal-tailed acceptance region at alpha. With `needed` responses it fails a share off by
 * the indifference with probability >= 1 - beta; with fewer it is judged on what it has and
 * the verdict states the shares it could catch instead. Errors of all steps are pooled under
 * the error bound. The check's false-failure bound is alpha per step, summed over the steps.
 */
function judgeCanaryStepsV2(ev: CanaryStepsEvidenceV2): BasicVerdict {
  const spec = { delta: ev.delta, alpha: ev.alpha, beta: ev.beta }
  const rows = ev.steps.map((s) => {
    const p0 = s.weight / 100
    const counted = s.outcomes.replaceAll('e', '')
    const power = stepPower(p0, counted.length, spec)
    const used = counted.slice(counted.length - power.n)
    const v2 = countOutcomes(used).v2
    const region = acceptanceRegion(power.n, p0, ev.alpha)
    return {
      weight: s.weight,
      available: counted.length,
      n: power.n,
      needed: power.needed,
      v2,
      errors: countOutcomes(s.outcomes).error,
      share: power.n ? v2 / power.n : null,
      interval: clopperPearson(v2, power.n, ev.alpha),
      passRange: [region.low, region.high] as const,
      full: power.full,
      catchesBelow: power.below === null ? null : p0 - power.below,
      catchesAbove: power.above === null ? null : p0 + power.above,
      consistent: power.n > 0 && v2 >= region.low && v2 <= region.high,
      what: catches(p0, power.below, power.above),
    }
  })
  const requests = ev.steps.reduce((sum, s) => sum + s.outcomes.length, 0)
  const errors = rows.reduce((sum, r) => sum + r.errors, 0)
  const errorOk = errorCheckPasses(errors, requests, ev.errorBound)
  const power = ev.errorBound.power ?? 0.999
  const detectableRate = detectableErrorRate(requests, ev.errorBound, power)
  const details = {
    steps: rows,
    alphaPerStep: ev.alpha,
    checkAlpha: ev.alpha * rows.length,
    beta: ev.beta,
    errorCheck: {
      passed: errorOk,
      errors,
      requests,
      maxRate: ev.errorBound.maxRate,
      alpha: ev.errorBound.alpha,
      detectableRate,
      power,
    },
  }
  const errorsText = `errors ${errors} of ${requests} under the ${formatRate(ev.errorBound.maxRate)} bound, ${
    detectableRate === null
      ? `too few requests to fail any error rate with probability ${power}`
      : `which fails an error rate of ${formatCaughtRate(detectableRate)} with probability ${power}`
  }`
  const missing = missingStep(rows, details)
  if (missing) return missing
  const bad = rows.find((r) => !r.consistent)
  if (bad) {
    return {
      passed: false,
      cause: `at canaryWeight ${bad.weight} the v2 share was ${percent(bad.share ?? 0)} (${bad.v2} of the last ${bad.n} responses), outside ${bad.passRange[0]}..${bad.passRange[1]}, the exact test's pass range at alpha ${ev.alpha.toExponential(0)}`,
      details,
    }
  }
  if (!errorOk)
    return {
      passed: false,
      cause: `${errors} errors in ${requests} requests during the steps exceed the error bound (rate <= ${ev.errorBound.maxRate})`,
      details,
    }
  const stepsText = rows
    .map(
      (r) =>
        `${r.weight}%: ${percent(r.share ?? 0)} of ${r.n} (${r.full ? '' : `${r.needed} needed; only `}catches ${r.what})`,
    )
    .join(', ')
  return {
    passed: true,
    cause: `${stepsText}, each with probability >= ${1 - ev.beta} at alpha ${ev.alpha.toExponential(0)} per step; ${errorsText}${loadText(ev.load)}`,
    details: { ...details, ...(ev.load ? { load: ev.load } : {}) },
  }
}

/** How the load held its rate, for a cause: its shortfall and who made its errors. */
function loadText(load: LoadEvidence | undefined): string {
  if (!load) return ''
  const missed = load.missedLate + load.missedAtCap
  return `; load ${load.achievedRps.toFixed(1)} of ${load.askedRps} req/s${missed ? ` (${missed} requests never sent)` : ''}, ${load.clientErrors} client-made errors`
}
