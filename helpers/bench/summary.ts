/** The bench's pure parts: its settings, what its server answers, and how it summarizes. */

export interface BenchSettings {
  /** Requests per client per round of the throughput comparison. */
  readonly requests: number
  /** Rounds of the comparison, the order of the two clients alternating. */
  readonly rounds: number
  /** How long the load generator holds each canary rate. */
  readonly loadSeconds: number
}

const SETTINGS = [
  { key: 'requests', env: 'BENCH_REQUESTS', fallback: 20_000, min: 1_000, integer: true },
  // Fewer than 5 rounds make a median that one noisy round can move.
  { key: 'rounds', env: 'BENCH_ROUNDS', fallback: 5, min: 5, integer: true },
  { key: 'loadSeconds', env: 'BENCH_LOAD_SECONDS', fallback: 5, min: 1, integer: false },
] as const

/**
 * The settings, or the one-line cause and fix of the first bad one. Pure.
 */
export function benchSettings(
  env: Readonly<Record<string, string | undefined>>,
): { settings: BenchSettings } | { error: string } {
  const settings: Record<string, number> = {}
  for (const s of SETTINGS) {
    const raw = env[s.env]
    if (raw === undefined || raw === '') {
      settings[s.key] = s.fallback
      continue
    }
    const value = Number(raw)
    if (!Number.isFinite(value) || value < s.min || (s.integer && !Number.isInteger(value)))
      return {
        error: `${s.env}=${JSON.stringify(raw)} is not ${s.integer ? 'an integer' : 'a number'} >= ${s.min}; unset it (default ${s.fallback}) or set e.g. ${s.env}=${s.fallback}`,
      }
    settings[s.key] = value
  }
  return { settings: settings as unknown as BenchSettings }
}

/** The q-quantile (0..1) by the nearest-rank method; NaN for no values. Pure. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1] as number
}

/** Min, median (the mean of the middle two for an even count) and max. Pure. */
export function spread(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length / 2
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(mid)] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { min: sorted[0] as number, median, max: sorted.at(-1) as number }
}

/** Which client runs first in a round: they alternate, so neither always gets the warmer machine. */
export const samplerFirst = (round: number): boolean => round % 2 === 0

/** catalog v1's body, as the bench server answers it. */
export const BENCH_BODY = JSON.stringify([
  { id: 1, color: 'amber', department: 'Eyewear', name: 'Elinor Glasses', price: '282.00' },
])

/** What the bench server answers for a path: a delay range in ms, or undefined (404). Pure. */
export function delayFor(path: string): readonly [number, number] | undefined {
  if (path === '/items') return [0, 0]
  const m = /^\/delay\/(\d+)-(\d+)$/.exec(path)
  if (!m) return undefined
  const min = Number(m[1])
  const max = Number(m[2])
  return min <= max ? [min, max] : undefined
}
