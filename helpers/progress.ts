import { SuiteError } from './errors.js'
import { describeError } from './kube/describe-error.js'

export interface PhaseTiming {
  readonly phase: string
  readonly seconds: number
  readonly outcome: 'ok' | 'failed' | 'skipped'
  readonly detail?: string
}

/**
 * A timing with when the phase started, in seconds since the phases began. Kept apart from
 * `PhaseTiming` because run.json's schema (helpers/report) describes `upTimings` without it.
 */
export interface PhaseSpan extends PhaseTiming {
  readonly startS: number
}

/** A phase of a graph: it starts once every phase it waits for (`after`) has ended. */
export interface GraphPhase {
  readonly id: string
  readonly after: readonly string[]
  /** What the phase does, printed when it starts. */
  readonly what: string
  readonly body: () => Promise<unknown>
}

/** A phase of a graph failed: names it, and keeps the tool's own explanation. */
export class PhaseFailed extends Error {
  constructor(
    readonly phase: string,
    override readonly cause: unknown,
    alsoFailed: readonly string[] = [],
  ) {
    super(
      `phase ${phase} failed: ${describeError(cause)}${alsoFailed.length ? ` (also failed: ${alsoFailed.join(', ')})` : ''}`,
    )
    this.name = 'PhaseFailed'
  }
}

/**
 * Runs named phases, printing a line when each starts and ends with the elapsed time, and
 * keeps their timings for the closing table and the JSON record. Phases may run at the same
 * time (`runGraph`): every line is whole and starts with the elapsed time and the phase's
 * name, and a phase that ends says which are still running.
 */
export class Phases {
  private readonly started: number
  readonly spans: PhaseSpan[] = []
  private readonly running = new Set<string>()

  constructor(
    private readonly out: (line: string) => void,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.started = now()
  }

  /** The timings without their start (the shape run.json records). */
  get timings(): PhaseTiming[] {
    return this.spans.map(({ startS: _startS, ...timing }) => timing)
  }

  elapsed(): string {
    return `${((this.now() - this.started) / 1000).toFixed(1).padStart(6)}s`
  }

  private stillRunning(): string {
    return this.running.size ? `; still running: ${[...this.running].join(', ')}` : ''
  }

  async run<T>(phase: string, what: string, body: () => Promise<T>): Promise<T> {
    const t0 = this.now()
    const startS = (t0 - this.started) / 1000
    this.out(`[${this.elapsed()}] ${phase}: ${what}`)
    this.running.add(phase)
    try {
      const value = await body()
      const seconds = (this.now() - t0) / 1000
      this.running.delete(phase)
      this.spans.push({ phase, startS, seconds, outcome: 'ok' })
      this.out(`[${this.elapsed()}] ${phase}: done in ${seconds.toFixed(1)} s${this.stillRunning()}`)
      return value
    } catch (error) {
      const seconds = (this.now() - t0) / 1000
      this.running.delete(phase)
      this.spans.push({ phase, startS, seconds, outcome: 'failed', detail: describeError(error) })
      this.out(`[${this.elapsed()}] ${phase}: FAILED after ${seconds.toFixed(1)} s${this.stillRunning()}`)
      throw error
    }
  }

  skip(phase: string, why: string): void {
    this.spans.push({
      phase,
      startS: (this.now() - this.started) / 1000,
      seconds: 0,
      outcome: 'skipped',
      detail: why,
    })
    this.out(`[${this.elapsed()}] ${phase}: skipped (${why})`)
  }

  /**
   * Runs a graph of phases: each starts as soon as every phase it waits for has ended, phases
   * ready together start in the order given. When one fails, none starts any more; those
   * running are waited for, those never started are recorded as skipped, and it throws
   * `PhaseFailed` naming the first that failed (a SuiteError keeps its exit code and fix).
   * An unknown phase in `after`, or a cycle, throws before anything starts.
   */
  async runGraph(graph: readonly GraphPhase[]): Promise<void> {
    const ids = graph.map((p) => p.id)
    if (new Set(ids).size !== ids.length) throw new Error('runGraph: phase ids must be unique')
    for (const p of graph)
      for (const d of p.after)
        if (!ids.includes(d)) throw new Error(`runGraph: ${p.id} waits for unknown phase ${d}`)
    if (!acyclic(graph))
      throw new Error(`runGraph: the phases wait for each other in a cycle (${ids.join(', ')})`)

    const ended = new Set<string>()
    const pending = [...graph]
    const inFlight = new Map<string, Promise<{ id: string; error?: unknown }>>()
    const failures: { id: string; error: unknown }[] = []
    for (;;) {
      if (failures.length === 0) {
        for (const p of pending.filter((q) => q.after.every((d) => ended.has(d)))) {
          pending.splice(pending.indexOf(p), 1)
          inFlight.set(
            p.id,
            this.run(p.id, p.what, p.body).then(
              () => ({ id: p.id }),
              (error: unknown) => ({ id: p.id, error: error ?? new Error(`${p.id} failed`) }),
            ),
          )
        }
      }
      if (inFlight.size === 0) break
      const done = await Promise.race(inFlight.values())
      inFlight.delete(done.id)
      if ('error' in done) {
        failures.push({ id: done.id, error: done.error })
        if (failures.length === 1 && inFlight.size)
          this.out(
            `[${this.elapsed()}] ${done.id} failed: starting nothing new, waiting for ${[...inFlight.keys()].join(', ')}`,
          )
      } else ended.add(done.id)
    }
    const [first, ...others] = failures
    if (!first) return
    for (const p of pending) this.skip(p.id, `not started: ${first.id} failed`)
    const also = others.map((f) => f.id)
    if (first.error instanceof SuiteError) {
      const e = first.error
      throw new SuiteError(new PhaseFailed(first.id, e, also).message, e.exitCode, e.fix)
    }
    throw new PhaseFailed(first.id, first.error, also)
  }
}

/** Whether every phase of the graph can start some time: no phase waits for itself through others. */
function acyclic(graph: readonly GraphPhase[]): boolean {
  const done = new Set<string>()
  let left = [...graph]
  while (left.length) {
    const ready = left.filter((p) => p.after.every((d) => done.has(d)))
    if (!ready.length) return false
    for (const p of ready) done.add(p.id)
    left = left.filter((p) => !done.has(p.id))
  }
  return true
}

/**
 * A fixed-width table of phase timings. With start offsets (phases that ran side by side), it
 * has a start column, and closes with the wall-clock time beside the phases' sum; with a
 * critical path, it marks its phases (`*`) and names it. Pure.
 */
export function renderTimings(
  timings: readonly (PhaseTiming & { readonly startS?: number })[],
  criticalPath?: {
    readonly phases: readonly { readonly phase: string; readonly seconds: number }[]
    readonly seconds: number
  },
): string {
  const spans = timings.length > 0 && timings.every((t) => t.startS !== undefined)
  const width = Math.max(spans ? 'wall clock'.length : 5, ...timings.map((t) => t.phase.length))
  const total = timings.reduce((sum, t) => sum + t.seconds, 0)
  const onPath = new Set(criticalPath?.phases.map((p) => p.phase) ?? [])
  const start = (t: { readonly startS?: number }) =>
    spans ? `  ${(t.startS ?? 0).toFixed(1).padStart(7)}` : ''
  const mark = (phase: string) => (criticalPath ? (onPath.has(phase) ? '* ' : '  ') : '')
  // From the first start to the last end of what ran (a phase never started did not take time).
  const ran = timings.filter((t) => t.outcome !== 'skipped')
  const wall = Math.max(0, ...ran.map((t) => (t.startS ?? 0) + t.seconds))
  const first = Math.min(wall, ...ran.map((t) => t.startS ?? 0))
  return [
    `${mark('')}${'phase'.padEnd(width)}${spans ? `  ${'start'.padStart(7)}` : ''}  ${'seconds'.padStart(8)}  outcome`,
    // Side by side, phases are listed in the order they started (they are recorded as they end).
    ...(spans ? [...timings].sort((a, b) => (a.startS ?? 0) - (b.startS ?? 0)) : timings).map(
      (t) =>
        `${mark(t.phase)}${t.phase.padEnd(width)}${start(t)}  ${t.seconds.toFixed(1).padStart(8)}  ${t.outcome}${t.detail ? ` (${t.detail})` : ''}`,
    ),
    spans
      ? `${mark('')}${'wall clock'.padEnd(width)}${' '.repeat(9)}  ${(wall - first).toFixed(1).padStart(8)}  (phases added up: ${total.toFixed(1)} s)`
      : `${mark('')}${'total'.padEnd(width)}  ${total.toFixed(1).padStart(8)}`,
    ...(criticalPath
      ? [
          `critical path (*), ${criticalPath.seconds.toFixed(1)} s: ${criticalPath.phases.map((p) => p.phase).join(' -> ')}`,
        ]
      : []),
  ].join('\n')
}
