import { setTimeout as delay } from 'node:timers/promises'
import { SuiteError } from './errors.js'
import { describeError } from './kube/describe-error.js'

export class DeadlineError extends SuiteError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastState: string,
  ) {
    super(`${what}: not reached within ${seconds(timeoutMs)} s; last state seen: ${lastState}`, 1)
  }
}

const seconds = (ms: number) => (ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000)))

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => delay(ms) }

export type PollResult<T> = { done: true; value: T } | { done: false; state: string }

/**
 * Polls `check` until it reports done or the deadline passes. Each round's `state` is kept, so
 * a timeout says what was last seen (pod phases, container reasons, weights...), not just
 * "timed out". A check that throws counts as a state, not a failure: the API may be
 * briefly unavailable while a component restarts.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<PollResult<T>>,
  options: {
    timeoutMs: number
    intervalMs?: number
    clock?: Clock
    /**
     * Called before every attempt; what it throws ends the wait at once (the user pressed
     * Ctrl-C), where an error of the check itself is only the last state seen.
     */
    guard?: () => void
  },
): Promise<T> {
  const clock = options.clock ?? realClock
  const interval = options.intervalMs ?? 1_000
  const deadline = clock.now() + options.timeoutMs
  let lastState = 'no observation yet'
  for (;;) {
    options.guard?.()
    try {
      const result = await check()
      if (result.done) return result.value
      lastState = result.state
    } catch (error) {
      lastState = `error: ${describeError(error)}`
    }
    const left = deadline - clock.now()
    if (left <= 0) throw new DeadlineError(what, options.timeoutMs, lastState)
    await clock.sleep(Math.min(interval, left))
  }
}
