import { describeError } from './kube/describe-error.js'

export interface PhaseTiming {
  readonly phase: string
  readonly seconds: number
  readonly outcome: 'ok' | 'failed' | 'skipped'
  readonly detail?: string
}

/**
 * Runs named phases, printing a line when each starts and ends with the elapsed time, and
 * keeps their timings for the closing table and the JSON record.
 */
export class Phases {
  private readonly started: number
  readonly timings: PhaseTiming[] = []

  constructor(
    private readonly out: (line: string) => void,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.started = now()
  }

  elapsed(): string {
    return `${((this.now() - this.started) / 1000).toFixed(1).padStart(6)}s`
  }

  async run<T>(phase: string, what: string, body: () => Promise<T>): Promise<T> {
    const t0 = this.now()
    this.out(`[${this.elapsed()}] ${phase}: ${what}`)
    try {
      const value = await body()
      const seconds = (this.now() - t0) / 1000
      this.timings.push({ phase, seconds, outcome: 'ok' })
      this.out(`[${this.elapsed()}] ${phase}: done in ${seconds.toFixed(1)} s`)
      return value
    } catch (error) {
      const seconds = (this.now() - t0) / 1000
      this.timings.push({
        phase,
        seconds,
        outcome: 'failed',
        detail: describeError(error),
      })
      this.out(`[${this.elapsed()}] ${phase}: FAILED after ${seconds.toFixed(1)} s`)
      throw error
    }
  }

  skip(phase: string, why: string): void {
    this.timings.push({ phase, seconds: 0, outcome: 'skipped', detail: why })
    this.out(`[${this.elapsed()}] ${phase}: skipped (${why})`)
  }
}

/** A fixed-width table of phase timings. Pure. */
export function renderTimings(timings: readonly PhaseTiming[]): string {
  const width = Math.max(5, ...timings.map((t) => t.phase.length))
  const total = timings.reduce((sum, t) => sum + t.seconds, 0)
  return [
    `${'phase'.padEnd(width)}  ${'seconds'.padStart(8)}  outcome`,
    ...timings.map(
      (t) =>
        `${t.phase.padEnd(width)}  ${t.seconds.toFixed(1).padStart(8)}  ${t.outcome}${t.detail ? ` (${t.detail})` : ''}`,
    ),
    `${'total'.padEnd(width)}  ${total.toFixed(1).padStart(8)}`,
  ].join('\n')
}
