import { evaluateBoundaries, type TwoSprtBoundaries } from './two-sprt.js'

/**
 * How many responses a sequential design needs at its worst: the largest E[N | p] over every
 * true share p in [0, 1], found on a grid and refined, and a certificate that it stays below
 * a bound everywhere, not only on the grid.
 */

export interface WorstCase {
  /** The share where E[N | p] is largest (to about 1e-7). */
  readonly p: number
  readonly expectedN: number
}

/**
 * The largest E[N | p]: E on `gridPoints` + 1 evenly spaced shares, then a golden-section
 * search on both neighbouring cells of every grid point that beats its neighbours (E[N | p]
 * is a polynomial in p, smooth at the scale of a cell). The grid alone can miss the top by a
 * little; certifyExpectedNBelow proves the bound between grid points.
 */
export function worstExpectedN(b: TwoSprtBoundaries, gridPoints = 200): WorstCase {
  const at = (p: number) => evaluateBoundaries(b, p).expectedN
  const grid = Array.from({ length: gridPoints + 1 }, (_, i) => i / gridPoints)
  const values = grid.map(at)
  let best: WorstCase = { p: 0, expectedN: values[0] as number }
  for (let i = 0; i <= gridPoints; i++) {
    const v = values[i] as number
    if (v < (values[i - 1] ?? Number.NEGATIVE_INFINITY) || v < (values[i + 1] ?? Number.NEGATIVE_INFINITY))
      continue
    const refined = goldenMax(
      at,
      grid[Math.max(0, i - 1)] as number,
      grid[Math.min(gridPoints, i + 1)] as number,
    )
    const top = refined.expectedN > v ? refined : { p: grid[i] as number, expectedN: v }
    if (top.expectedN > best.expectedN) best = top
  }
  return best
}

function goldenMax(f: (p: number) => number, lo: number, hi: number): WorstCase {
  const r = (Math.sqrt(5) - 1) / 2
  let a = lo
  let b = hi
  let c = b - r * (b - a)
  let d = a + r * (b - a)
  let fc = f(c)
  let fd = f(d)
  while (b - a > 1e-7) {
    if (fc >= fd) {
      b = d
      d = c
      fd = fc
      c = b - r * (b - a)
      fc = f(c)
    } else {
      a = c
      c = d
      fc = fd
      d = a + r * (b - a)
      fd = f(d)
    }
  }
  return fc >= fd ? { p: c, expectedN: fc } : { p: d, expectedN: fd }
}

export interface ExpectedNCertificate {
  /** true: E[N | p] <= bound for every p in [0, 1]. */
  readonly holds: boolean
  /** Shares where E[N | p] was computed exactly. */
  readonly evaluations: number
  /** Where the sweep stopped when it does not hold: E[N | p] > bound there. */
  readonly counterexample?: number
}

/**
 * Proves E[N | p] <= bound for all p in [0, 1] from finitely many exact evaluations.
 *
 * For a stopping time N <= M of Bernoulli(p) trials with K_N successes, the score of the
 * stopped path is S = (K_N - N p) / (p (1 - p)), d/dp E[N] = E[N S] = Cov(N, S) (as E[S] = 0),
 * and E[S^2] = E[N] / (p (1 - p)) by Wald's second identity. So
 *   |d/dp E[N | p]| <= sd(N) sqrt(E[N] / (p (1 - p))) <= (M / 2) sqrt(M / (p (1 - p))).
 * From each evaluated share a, the sweep steps to a + h with h (bound - E[N | a]) / L, where
 * L is that slope bound over [a, a + h]: no share in between can exceed the bound. Near 0,
 * E[N | p] <= E[N | 0] + M * P(a success among M trials) <= E[N | 0] + M^2 p (the all-v1
 * path is followed until a v2 comes), and symmetrically near 1.
 */
export function certifyExpectedNBelow(b: TwoSprtBoundaries, bound: number): ExpectedNCertificate {
  const M = b.maxN
  const at = (p: number) => evaluateBoundaries(b, p).expectedN
  let evaluations = 2
  const atZero = at(0)
  const atOne = at(1)
  if (atZero > bound) return { holds: false, evaluations, counterexample: 0 }
  if (atOne > bound) return { holds: false, evaluations, counterexample: 1 }
  const epsLo = Math.min(0.01, (bound - atZero) / (M * M))
  const epsHi = Math.min(0.01, (bound - atOne) / (M * M))
  const slope = (from: number, to: number) => {
    const m = Math.min(from * (1 - from), to * (1 - to))
    return (M / 2) * Math.sqrt(M / m)
  }
  let a = epsLo
  while (a < 1 - epsHi) {
    const f = at(a)
    evaluations++
    if (f > bound) return { holds: false, evaluations, counterexample: a }
    const slack = bound - f
    const h0 = slack / slope(a, a)
    const h = Math.min(slack / slope(a, Math.min(a + h0, 1 - epsHi)), 1 - epsHi - a)
    // Below 1e-12 the sweep could not finish: E[N | a] is too close to the bound to prove it.
    if (h < 1e-12 && a + h < 1 - epsHi) return { holds: false, evaluations, counterexample: a }
    a += h
    if (1 - epsHi - a < 1e-15) break
  }
  return { holds: true, evaluations }
}

/**
 * Proves P(pass | p) <= beta for every p at or beyond the alternatives (p <= pLo, p >= pHi):
 * the check fails every share off by the indifference or more with probability >= 1 - beta,
 * not only the two alternatives.
 *
 * With g(p) = P(pass | p), d/dp g = Cov(1_pass, S), so |g'| <= sqrt(g (1 - g)) sd(S) and
 * u = sqrt(g) has |u'| <= (1/2) sqrt(E[N] / (p (1 - p))): a slope bound that does not need g
 * to be small, so the sweep can start at the alternative, where g is just below beta. Over a
 * step of length h, E[N] stays below min(M, E[N | a] exp(h sqrt(M / v))), v the least
 * p (1 - p) on the step: with sd(N) <= sqrt(M E[N]) (as N <= M) the slope bound above gives
 * |d/dp ln E[N]| <= sqrt(M / (p (1 - p))). From each evaluated share the sweep steps outward
 * as far as (sqrt(beta) - sqrt(g)) over that bound allows. Near 0 (and 1),
 * g(p) <= g(0) + M p, as before.
 */
export function certifyMissBelow(
  b: TwoSprtBoundaries,
  alternativesLoHi: readonly [number, number],
  beta: number,
): ExpectedNCertificate {
  const M = b.maxN
  let evaluations = 0
  const root = Math.sqrt(beta)
  const minVar = (x: number, y: number) => Math.min(x * (1 - x), y * (1 - y))
  for (const [from, edge, dir] of [
    [alternativesLoHi[0], 0, -1],
    [alternativesLoHi[1], 1, 1],
  ] as const) {
    const atEdge = evaluateBoundaries(b, edge).passProbability
    evaluations++
    if (atEdge > beta) return { holds: false, evaluations, counterexample: edge }
    // Within eps of the edge, g <= g(edge) + M eps <= beta.
    const eps = Math.min(0.01, (beta - atEdge) / M)
    const stop = dir < 0 ? eps : 1 - eps
    let a = from
    while (dir < 0 ? a > stop : a < stop) {
      const at = evaluateBoundaries(b, a)
      evaluations++
      if (at.passProbability > beta) return { holds: false, evaluations, counterexample: a }
      const slack = root - Math.sqrt(at.passProbability)
      // The longest step h (doubling from the step M alone allows) whose slope bound holds on it.
      const allows = (h: number) => {
        const far = dir < 0 ? Math.max(a - h, stop) : Math.min(a + h, stop)
        const v = minVar(a, far)
        const expectedN = Math.min(M, at.expectedN * Math.exp(h * Math.sqrt(M / v)))
        return h * 0.5 * Math.sqrt(expectedN / v) <= slack
      }
      let h = slack / (0.5 * Math.sqrt(M / minVar(a, a)))
      for (let i = 0; i < 200 && !allows(h); i++) h /= 1.25
      if (!allows(h)) h = 0
      for (let i = 0; i < 200 && h > 0 && h < Math.abs(stop - a) && allows(1.25 * h); i++) h *= 1.25
      if (h < 1e-12) return { holds: false, evaluations, counterexample: a }
      a += dir * Math.min(h, Math.abs(stop - a))
    }
  }
  return { holds: true, evaluations }
}
