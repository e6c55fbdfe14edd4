import { describe, expect, it } from 'vitest'
import { cdf, clopperPearson, logCdf, logPmf, logSf, sf } from './binomial.js'

/**
 * Independent exact values: binomial tails as exact rationals with BigInt (p = a/b), then
 * converted to a double. No floating point until the final division.
 */
function exactTail(n: number, a: number, b: number, from: number, to: number): number {
  const A = BigInt(a)
  const B = BigInt(b)
  const C = B - A
  let numerator = 0n
  let binom = 1n
  for (let i = 0; i <= n; i++) {
    if (i > 0) binom = (binom * BigInt(n - i + 1)) / BigInt(i)
    if (i >= from && i <= to) numerator += binom * A ** BigInt(i) * C ** BigInt(n - i)
  }
  const denominator = B ** BigInt(n)
  return ratioToNumber(numerator, denominator)
}

function ratioToNumber(num: bigint, den: bigint): number {
  if (num === 0n) return 0
  const shift = den.toString(2).length - num.toString(2).length + 80
  const q = shift >= 0 ? (num << BigInt(shift)) / den : num / (den << BigInt(-shift))
  return Number(q) * 2 ** -shift
}

const rel = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected)

describe('binomial tails against exact rational arithmetic', () => {
  const cases: [n: number, a: number, b: number, k: number][] = [
    [10, 1, 2, 3],
    [100, 1, 2, 30],
    [500, 1, 10, 30],
    [688, 1, 100, 0],
    [1500, 1, 2, 650],
    [1500, 1, 2, 750],
    [2000, 9, 10, 1750],
    [300, 3, 5, 150],
  ]
  it.each(cases)('n=%i p=%i/%i: P(X<=%i) and P(X>=k) to 1e-9 relative', (n, a, b, k) => {
    const p = a / b
    expect(rel(cdf(k, n, p), exactTail(n, a, b, 0, k))).toBeLessThan(1e-9)
    expect(rel(sf(k, n, p), exactTail(n, a, b, k, n))).toBeLessThan(1e-9)
  })

  it('keeps relative precision deep in the tail (1e-40 and below)', () => {
    const exact = exactTail(1000, 1, 2, 0, 300)
    expect(exact).toBeLessThan(1e-30)
    expect(rel(Math.exp(logCdf(300, 1000, 0.5)), exact)).toBeLessThan(1e-9)
  })

  it('pmf sums to one and handles p = 0 and p = 1', () => {
    let total = 0
    for (let k = 0; k <= 400; k++) total += Math.exp(logPmf(k, 400, 0.37))
    expect(Math.abs(total - 1)).toBeLessThan(1e-12)
    expect(logPmf(0, 50, 0)).toBe(0)
    expect(logPmf(1, 50, 0)).toBe(Number.NEGATIVE_INFINITY)
    expect(logPmf(50, 50, 1)).toBe(0)
    expect(logSf(0, 10, 0.5)).toBe(0)
  })
})

describe('Clopper-Pearson interval', () => {
  it('its ends are where the exact tails equal alpha/2', () => {
    const alpha = 1e-6
    const [lo, hi] = clopperPearson(437, 1000, alpha)
    expect(rel(sf(437, 1000, lo), alpha / 2)).toBeLessThan(1e-9)
    expect(rel(cdf(437, 1000, hi), alpha / 2)).toBeLessThan(1e-9)
    expect(lo).toBeLessThan(0.437)
    expect(hi).toBeGreaterThan(0.437)
  })

  it('is one-sided at 0 and n: [0, 1 - (a/2)^(1/n)] for k = 0', () => {
    const [lo, hi] = clopperPearson(0, 688, 0.01)
    expect(lo).toBe(0)
    expect(rel(hi, 1 - 0.005 ** (1 / 688))).toBeLessThan(1e-9)
    expect(clopperPearson(50, 50, 0.01)[1]).toBe(1)
  })
})
