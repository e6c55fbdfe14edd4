import { designFixed } from './fixed.js'
import { assertRatioSpec, type RatioSpec, relativeIndifference } from './spec.js'

/**
 * The sequential ratio test of new evidence ('2-sprt-v2'): a two-sided 2-SPRT.
 *
 * Lorden's 2-SPRT (Ann. Statist. 4, 1976) tests p0 against an alternative p1 through an
 * intermediate share t between them: it rejects p0 when the likelihood ratio of t against p0
 * reaches e^a, and accepts p0 when the ratio of t against p1 reaches e^b. The two boundaries
 * are lines in (n, k) of different slopes, so the continuation region is a triangle: the test
 * is truncated by its own geometry, its worst expected n sits near t instead of growing
 * without bound as a Wald SPRT's does between the hypotheses, and its largest n is the apex.
 *
 * Here one 2-SPRT runs on each side, on the same responses, with t at the middle of p0 and
 * the alternative (tLo = p0 - d/2, tHi = p0 + d/2, d = indifference):
 * - fail as soon as either side rejects p0 (k <= failLo[n] or k >= failHi[n]);
 * - pass as soon as both sides accept p0 (passLo[n] <= k <= passHi[n]);
 * - otherwise continue. Failing takes precedence where both hold.
 * Where the apex lies beyond 1.25x the smallest fixed n, the test is cut there and decided by
 * the middle lines between each side's boundaries (Huffman's truncation, Ann. Statist. 11,
 * 1983); for the specs the suite uses the apex comes first, so this never applies.
 *
 * The thresholds start from Ville's inequality (a = ln(2/alpha), b = ln(1/beta) bound the
 * errors without any computation) and are then lowered to the smallest values, on a grid of
 * 1/256, at which the exact operating characteristic (dynamic programming over (n, k)) still
 * meets alpha and beta. Both errors are monotone in each threshold (a larger a shrinks the
 * fail region at every n, so every path that fails afterwards failed before; likewise for b
 * and passing), so alternating the two searches descends to a point meeting both.
 */
export interface TwoSprtBoundaries {
  /** Fail when k <= failLo[n] or k >= failHi[n]; else pass when passLo[n] <= k <= passHi[n]; else continue. */
  readonly failLo: Int32Array
  readonly failHi: Int32Array
  readonly passLo: Int32Array
  readonly passHi: Int32Array
  /** The largest n: every (maxN, k) is decided. */
  readonly maxN: number
}

export interface TwoSprtParameters {
  readonly p0: number
  readonly alternatives: readonly [number, number]
  readonly intermediates: readonly [number, number]
  /** Reject p0 when ln LR(t : p0) >= failThreshold on either side. */
  readonly failThreshold: number
  /** Accept p0 when ln LR(t : p1) >= passThreshold on both sides. */
  readonly passThreshold: number
  /** No test goes beyond this n (decided by the middle lines there). */
  readonly cap: number
}

export interface OcPoint {
  readonly p: number
  readonly failProbability: number
  readonly expectedN: number
  /** Standard deviation of N. */
  readonly sdN: number
}

/** Exact properties of a design at p0 and at its alternatives. */
export interface OperatingCharacteristic {
  /** P(fail | p = p0). */
  readonly falseFailure: number
  /** Max over the alternatives of P(pass | p). */
  readonly miss: number
  readonly expectedNAtP0: number
  readonly maxN: number
  readonly points: readonly OcPoint[]
}

export interface TwoSprtDesign {
  readonly kind: 'sequential'
  readonly version: '2-sprt-v2'
  readonly spec: RatioSpec
  readonly parameters: TwoSprtParameters
  readonly maxN: number
  /** The smallest fixed-n exact test meeting the same alpha, beta and alternatives. */
  readonly fixedN: number
  readonly boundaries: TwoSprtBoundaries
  readonly oc: OperatingCharacteristic
}

export type Decision = 'pass' | 'fail' | 'continue'

const logit = (x: number) => Math.log(x / (1 - x))

/** The four boundary lines k(n) of a parameter set, in counts of v2 (real-valued). */
function lines(q: TwoSprtParameters) {
  const [pLo, pHi] = q.alternatives
  const [tLo, tHi] = q.intermediates
  const { p0, failThreshold: a, passThreshold: b } = q
  // ln LR(t : p) = k (logit t - logit p) + n ln((1 - t) / (1 - p)), linear in k.
  const gFH = logit(tHi) - logit(p0)
  const uFH = Math.log((1 - p0) / (1 - tHi))
  const gFL = logit(p0) - logit(tLo)
  const uFL = Math.log((1 - tLo) / (1 - p0))
  const gPH = logit(pHi) - logit(tHi)
  const uPH = Math.log((1 - tHi) / (1 - pHi))
  const gPL = logit(tLo) - logit(pLo)
  const uPL = Math.log((1 - pLo) / (1 - tLo))
  return {
    failHi: (n: number) => (a + n * uFH) / gFH,
    failLo: (n: number) => (n * uFL - a) / gFL,
    passHi: (n: number) => (n * uPH - b) / gPH,
    passLo: (n: number) => (b + n * uPL) / gPL,
  }
}

/** The integer boundaries of a parameter set up to its apex or its cap. Pure and deterministic. */
export function boundariesOf(q: TwoSprtParameters): TwoSprtBoundaries {
  const line = lines(q)
  const failLo: number[] = [-1]
  const failHi: number[] = [1]
  const passLo: number[] = [1]
  const passHi: number[] = [-1]
  let n = 1
  for (; ; n++) {
    const fl = Math.max(-1, Math.min(n, Math.floor(line.failLo(n))))
    const fh = Math.max(0, Math.min(n + 1, Math.ceil(line.failHi(n))))
    const pl = Math.max(0, Math.ceil(line.passLo(n)))
    const ph = Math.min(n, Math.floor(line.passHi(n)))
    // Decided everywhere: every k strictly between the fail boundaries lies in the pass range.
    const closed = pl <= fl + 1 && ph >= fh - 1
    if (closed || n < q.cap) {
      failLo.push(fl)
      failHi.push(fh)
      passLo.push(pl)
      passHi.push(ph)
      if (closed) break
      continue
    }
    // The cap: pass between the middle lines of each side's fail and pass boundaries.
    const lo = Math.max(0, Math.ceil((line.failLo(n) + line.passLo(n)) / 2))
    const hi = Math.min(n, Math.floor((line.failHi(n) + line.passHi(n)) / 2))
    failLo.push(lo - 1)
    failHi.push(Math.max(hi + 1, lo))
    passLo.push(lo)
    passHi.push(hi)
    break
  }
  return {
    failLo: Int32Array.from(failLo),
    failHi: Int32Array.from(failHi),
    passLo: Int32Array.from(passLo),
    passHi: Int32Array.from(passHi),
    maxN: n,
  }
}

export function decideAt(b: TwoSprtBoundaries, n: number, k: number): Decision {
  if (n <= 0) return 'continue'
  // Beyond maxN nothing is left undecided; a count there is judged by the last row.
  const i = Math.min(n, b.maxN)
  if (k <= (b.failLo[i] as number) || k >= (b.failHi[i] as number)) return 'fail'
  if (k >= (b.passLo[i] as number) && k <= (b.passHi[i] as number)) return 'pass'
  return n >= b.maxN ? 'fail' : 'continue'
}

/**
 * Mass below this is dropped: subnormal doubles slow the arithmetic a hundredfold, and all
 * dropped mass together stays below 1e-270, far under the 1e-15 resolution of the results.
 */
const NEGLIGIBLE = 1e-280

/**
 * P(fail), P(pass), E[N] and sd(N) at true share p, exactly: the probability of every
 * undecided (n, k), carried forward one response at a time. Only the two bands between each
 * side's fail and pass boundaries hold mass, so a step costs their width, not n.
 */
export function evaluateBoundaries(b: TwoSprtBoundaries, p: number): OcPoint & { passProbability: number } {
  const q = 1 - p
  const mass = new Float64Array(b.maxN + 2)
  mass[0] = 1
  // Live ranges [lo, hi] at n - 1, ascending, at least two dead counts apart.
  let los = [0]
  let his = [0]
  let fail = 0
  let pass = 0
  // E[N] = sum over n >= 0 of P(N > n); E[N^2] = sum of (2n + 1) P(N > n).
  let expectedN = 1
  let expectedN2 = 1
  for (let n = 1; n <= b.maxN && los.length > 0; n++) {
    const fl = b.failLo[n] as number
    const fh = b.failHi[n] as number
    const pl = b.passLo[n] as number
    const ph = b.passHi[n] as number
    let alive = 0
    // Built top-down, so in descending order.
    const nextLos: number[] = []
    const nextHis: number[] = []
    for (let r = los.length - 1; r >= 0; r--) {
      const lo = los[r] as number
      const hi = his[r] as number
      let runTop = -1
      // One more response, from the top down so mass[k - 1] still holds the old value; each
      // count is decided as soon as its new mass is known.
      for (let k = hi + 1; k >= lo; k--) {
        const m = k > lo ? (mass[k] as number) * q + (mass[k - 1] as number) * p : (mass[k] as number) * q
        if (k <= fl || k >= fh) {
          fail += m
          mass[k] = 0
        } else if (k >= pl && k <= ph) {
          pass += m
          mass[k] = 0
        } else if (m < NEGLIGIBLE) {
          mass[k] = 0
        } else {
          mass[k] = m
          alive += m
          if (runTop < 0) runTop = k
          continue
        }
        if (runTop >= 0) {
          nextLos.push(k + 1)
          nextHis.push(runTop)
          runTop = -1
        }
      }
      if (runTop >= 0) {
        nextLos.push(lo)
        nextHis.push(runTop)
      }
    }
    // Ascending, merging ranges whose update windows would overlap.
    los = []
    his = []
    for (let i = nextLos.length - 1; i >= 0; i--) {
      const lo = nextLos[i] as number
      const hi = nextHis[i] as number
      const last = his.length - 1
      if (last >= 0 && lo <= (his[last] as number) + 2) his[last] = Math.max(his[last] as number, hi)
      else {
        los.push(lo)
        his.push(hi)
      }
    }
    expectedN += alive
    expectedN2 += (2 * n + 1) * alive
  }
  const sdN = Math.sqrt(Math.max(0, expectedN2 - expectedN * expectedN))
  return { p, failProbability: fail, passProbability: pass, expectedN, sdN }
}

function ocOf(q: TwoSprtParameters, b: TwoSprtBoundaries): OperatingCharacteristic {
  const atP0 = evaluateBoundaries(b, q.p0)
  const atAlternatives = q.alternatives.map((p) => evaluateBoundaries(b, p))
  const point = ({ p, failProbability, expectedN, sdN }: OcPoint): OcPoint => ({
    p,
    failProbability,
    expectedN,
    sdN,
  })
  return {
    falseFailure: atP0.failProbability,
    miss: Math.max(...atAlternatives.map((pt) => pt.passProbability)),
    expectedNAtP0: atP0.expectedN,
    maxN: b.maxN,
    points: [point(atP0), ...atAlternatives.map(point)],
  }
}

/** Threshold grid: 1/256 in log likelihood ratio. */
const QUANTUM = 256
/** The cap relative to the smallest fixed n. */
export const CAP_FACTOR = 1.25

function parametersFor(spec: RatioSpec, failThreshold: number, passThreshold: number): TwoSprtParameters {
  const d = relativeIndifference(spec.p0, spec.delta)
  const [pLo, pHi] = [spec.p0 - d, spec.p0 + d]
  return {
    p0: spec.p0,
    alternatives: [pLo, pHi],
    intermediates: [spec.p0 - d / 2, spec.p0 + d / 2],
    failThreshold,
    passThreshold,
    cap: Math.floor(CAP_FACTOR * designFixed(spec).n),
  }
}

/**
 * The smallest thresholds on the 1/256 grid meeting alpha and beta exactly, by alternating
 * monotone searches from Ville's bounds. Deterministic; a few hundred DP passes.
 */
export function tuneThresholds(spec: RatioSpec): { failThreshold: number; passThreshold: number } {
  assertRatioSpec(spec)
  const at = (a: number, b: number) => boundariesOf(parametersFor(spec, a / QUANTUM, b / QUANTUM))
  const [pLo, pHi] = parametersFor(spec, 0, 0).alternatives
  const alphaOk = (a: number, b: number) =>
    evaluateBoundaries(at(a, b), spec.p0).failProbability <= spec.alpha
  const betaOk = (a: number, b: number) => {
    const bounds = at(a, b)
    return (
      evaluateBoundaries(bounds, pLo).passProbability <= spec.beta &&
      evaluateBoundaries(bounds, pHi).passProbability <= spec.beta
    )
  }
  let a = Math.ceil(Math.log(2 / spec.alpha) * QUANTUM)
  let b = Math.ceil(Math.log(1 / spec.beta) * QUANTUM)
  // Ville's bounds hold for the untruncated test; where the cap cuts it, widen until both hold.
  for (let i = 0; !(alphaOk(a, b) && betaOk(a, b)); i++) {
    if (i > 20) throw new Error(`no 2-SPRT meets alpha=${spec.alpha}, beta=${spec.beta} for p0=${spec.p0}`)
    a = Math.ceil(a * 1.25)
    b = Math.ceil(b * 1.25)
  }
  /** The smallest x in [0, hi] with ok(x), given ok(hi) and ok monotone. */
  const smallest = (hi: number, ok: (x: number) => boolean) => {
    let lo = -1
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (ok(mid)) hi = mid
      else lo = mid
    }
    return hi
  }
  for (;;) {
    const a2 = smallest(a, (x) => alphaOk(x, b))
    const b2 = smallest(b, (x) => betaOk(a2, x))
    if (a2 === a && b2 === b) break
    a = a2
    b = b2
  }
  return { failThreshold: a / QUANTUM, passThreshold: b / QUANTUM }
}

const designCache = new Map<string, TwoSprtDesign>()

/**
 * The 2-SPRT for a spec with its exact operating characteristic. The threshold search takes
 * 0.1-0.3 s, so it runs when a spec is first judged (never at import) and is cached per spec.
 */
export function designTwoSprt(spec: RatioSpec): TwoSprtDesign {
  assertRatioSpec(spec)
  const key = JSON.stringify([spec.p0, spec.delta, spec.alpha, spec.beta])
  const cached = designCache.get(key)
  if (cached) return cached
  const { failThreshold, passThreshold } = tuneThresholds(spec)
  const parameters = parametersFor(spec, failThreshold, passThreshold)
  const boundaries = boundariesOf(parameters)
  const oc = ocOf(parameters, boundaries)
  if (oc.falseFailure > spec.alpha || oc.miss > spec.beta)
    throw new Error(`2-SPRT thresholds for ${key} do not meet alpha and beta`)
  const design: TwoSprtDesign = {
    kind: 'sequential',
    version: '2-sprt-v2',
    spec,
    parameters,
    maxN: boundaries.maxN,
    fixedN: designFixed(spec).n,
    boundaries,
    oc,
  }
  designCache.set(key, design)
  return design
}
