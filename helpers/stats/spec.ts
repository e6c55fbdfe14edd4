/**
 * What a ratio check asks: is the share of the counted class (v2) p0? Plain data, saved in
 * every run record with the evidence, so a verdict can be recomputed later with the design
 * the record was made with.
 */

/**
 * Which design judges the spec. Absent: the Wald SPRT of records made before issue 12
 * (wald-v1.ts), kept so old records re-judge exactly. '2-sprt-v2': the 2-SPRT of two-sprt.ts
 * with alternatives relative to p0 (see `indifference`).
 */
export type RatioDesignVersion = '2-sprt-v2'

export interface RatioSpec {
  /** Expected share of the counted class (v2), e.g. 0.1. */
  readonly p0: number
  /**
   * Indifference. Old records: the alternatives are p0 +- delta. '2-sprt-v2': the largest
   * indifference, shrunk near 0 and 1 (see `indifference`).
   */
  readonly delta: number
  /** Bound on the false-failure probability at p = p0. */
  readonly alpha: number
  /** Bound on the miss probability at each alternative. */
  readonly beta: number
  readonly design?: RatioDesignVersion
}

export const DEFAULT_SPEC = { delta: 0.1, alpha: 1e-6, beta: 1e-3, design: '2-sprt-v2' } as const

/**
 * The shift a check must catch: min(delta, p0/2, (1 - p0)/2) for the 2-SPRT, so both
 * alternatives lie inside (0, 1) and a share off by half of p0 (or of 1 - p0) is caught
 * (at p0 = 0.1: 5% and 15%, not 0% and 20%). Old records: delta itself.
 */
export function indifference(spec: RatioSpec): number {
  return spec.design === undefined ? spec.delta : relativeIndifference(spec.p0, spec.delta)
}

export const relativeIndifference = (p0: number, delta: number): number =>
  Math.min(delta, p0 / 2, (1 - p0) / 2)

/** The shares the check must fail with probability >= 1 - beta (and any share farther out). */
export function alternatives(spec: RatioSpec): number[] {
  const d = indifference(spec)
  return [spec.p0 - d, spec.p0 + d].filter((p) => p >= 0 && p <= 1)
}

/** A spec a design can be built for: 0 < p0 < 1 and error bounds in (0, 1). Throws the cause. */
export function assertRatioSpec(spec: RatioSpec): void {
  const ok = (x: number) => Number.isFinite(x) && x > 0 && x < 1
  if (!ok(spec.p0)) throw new Error(`ratio spec: p0 must lie strictly between 0 and 1, got ${spec.p0}`)
  if (!ok(spec.alpha) || !ok(spec.beta) || !ok(spec.delta))
    throw new Error(
      `ratio spec: delta, alpha and beta must lie strictly between 0 and 1, got ${spec.delta}, ${spec.alpha}, ${spec.beta}`,
    )
}
