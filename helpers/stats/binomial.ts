/**
 * Exact binomial probabilities in log space, accurate to ~1e-14 relative.
 *
 * The pmf uses Loader's saddle-point expansion ("Fast and accurate computation of binomial
 * probabilities", C. Loader, 2000): stirlerr() and bd0() avoid the cancellation that
 * log(n!) - log(k!) - log((n-k)!) suffers at large n. Tails sum pmf terms in log space,
 * so probabilities far below 1e-300 neither underflow nor lose relative precision.
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)
const LN_2PI = Math.log(2 * Math.PI)

/** log(a + b) from log a and log b. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b
  if (b === Number.NEGATIVE_INFINITY) return a
  const hi = Math.max(a, b)
  return hi + Math.log1p(Math.exp(-Math.abs(a - b)))
}

/** log(n!) - log(sqrt(2 pi n) (n/e)^n): the error of Stirling's formula. */
function stirlerr(n: number): number {
  if (n <= 15) {
    let lnFact = 0
    for (let i = 2; i <= n; i++) lnFact += Math.log(i)
    return lnFact - (n + 0.5) * Math.log(n) + n - LN_SQRT_2PI
  }
  const s0 = 1 / 12
  const s1 = 1 / 360
  const s2 = 1 / 1260
  const s3 = 1 / 1680
  const s4 = 1 / 1188
  const nn = n * n
  if (n > 500) return (s0 - s1 / nn) / n
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
}

/** x log(x/np) + np - x, computed without cancellation when x is near np. */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np)
    let s = (x - np) * v
    let ej = 2 * x * v
    v *= v
    for (let j = 1; j < 1000; j++) {
      ej *= v
      const next = s + ej / (2 * j + 1)
      if (next === s) return next
      s = next
    }
    return s
  }
  return x * Math.log(x / np) + np - x
}

/** log P(X = k) for X ~ Binomial(n, p). */
export function logPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n || !Number.isInteger(k)) return Number.NEGATIVE_INFINITY
  const q = 1 - p
  if (p === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY
  if (q === 0) return k === n ? 0 : Number.NEGATIVE_INFINITY
  if (k === 0) return n === 0 ? 0 : p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q)
  if (k === n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p)
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) - bd0(n - k, n * q)
  const lf = LN_2PI + Math.log(k) + Math.log1p(-k / n)
  return lc - 0.5 * lf
}

/**
 * log of the sum of pmf terms from `from` outward (step -1: down to 0; step +1: up to n).
 * Terms grow until the mode and then fall geometrically, with ratio r at most the ratio of
 * the last two terms, so once past the mode the rest is at most term * r / (1 - r): the sum
 * stops when that is below 2^-60 of it. Far tails of large n cost tens of terms, not n.
 */
function logTailFrom(from: number, step: -1 | 1, n: number, p: number): number {
  const mode = Math.floor((n + 1) * p)
  let sum = Number.NEGATIVE_INFINITY
  let prev = Number.NEGATIVE_INFINITY
  for (let i = from; i >= 0 && i <= n; i += step) {
    const term = logPmf(i, n, p)
    sum = logAddExp(sum, term)
    const pastMode = step < 0 ? i < mode : i > mode
    if (pastMode && prev > Number.NEGATIVE_INFINITY) {
      const logRatio = term - prev
      if (logRatio < 0 && term + logRatio - Math.log1p(-Math.exp(logRatio)) < sum - 60 * Math.LN2) break
    }
    if (term === Number.NEGATIVE_INFINITY && pastMode) break
    prev = term
  }
  return sum
}

/** log P(X <= k). */
export function logCdf(k: number, n: number, p: number): number {
  if (k < 0) return Number.NEGATIVE_INFINITY
  if (k >= n) return 0
  return logTailFrom(Math.floor(k), -1, n, p)
}

/** log P(X >= k). */
export function logSf(k: number, n: number, p: number): number {
  if (k <= 0) return 0
  if (k > n) return Number.NEGATIVE_INFINITY
  return logTailFrom(Math.ceil(k), 1, n, p)
}

export const cdf = (k: number, n: number, p: number): number => Math.exp(logCdf(k, n, p))
export const sf = (k: number, n: number, p: number): number => Math.exp(logSf(k, n, p))

/** The p in [0, 1] where a monotone increasing f crosses target, by bisection to full precision. */
function bisect(f: (p: number) => number, target: number): number {
  let lo = 0
  let hi = 1
  for (let i = 0; i < 200 && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2
    if (mid === lo || mid === hi) break
    if (f(mid) < target) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/**
 * The exact (Clopper-Pearson) two-sided confidence interval for p with confidence 1 - alpha:
 * lower solves P(X >= k | p) = alpha/2, upper solves P(X <= k | p) = alpha/2.
 */
export function clopperPearson(k: number, n: number, alpha: number): readonly [number, number] {
  if (n === 0) return [0, 1]
  const half = Math.log(alpha / 2)
  const lower = k === 0 ? 0 : bisect((p) => logSf(k, n, p), half)
  const upper = k === n ? 1 : bisect((p) => -logCdf(k, n, p), -half)
  return [lower, upper]
}
