import { describe, expect, it } from 'vitest'
import { type Clock, DeadlineError, pollUntil } from './poll.js'

/** A clock that advances only when the code under test sleeps: deterministic, instant. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0
  const slept: number[] = []
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
  }
}

describe('pollUntil', () => {
  it('returns the value as soon as the check is done', async () => {
    const clock = fakeClock()
    let calls = 0
    const value = await pollUntil(
      'ready',
      async () => (++calls === 3 ? { done: true, value: 'ok' } : { done: false, state: `call ${calls}` }),
      { timeoutMs: 10_000, intervalMs: 500, clock },
    )
    expect(value).toBe('ok')
    expect(clock.slept).toEqual([500, 500])
  })

  it('reports the last state seen when the deadline passes', async () => {
    const clock = fakeClock()
    let calls = 0
    const error = await pollUntil(
      'istiod ready',
      async () => ({ done: false, state: `0/1 ready (poll ${++calls})` }),
      {
        timeoutMs: 2_000,
        intervalMs: 500,
        clock,
      },
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineError)
    expect((error as DeadlineError).message).toBe(
      'istiod ready: not reached within 2.0 s; last state seen: 0/1 ready (poll 5)',
    )
  })

  it('treats a throwing check as a state and keeps polling', async () => {
    const clock = fakeClock()
    let calls = 0
    const value = await pollUntil(
      'api',
      async () => {
        if (++calls < 2) throw new Error('connect ECONNREFUSED')
        return { done: true, value: calls }
      },
      { timeoutMs: 5_000, clock },
    )
    expect(value).toBe(2)
  })

  it('never sleeps past the deadline', async () => {
    const clock = fakeClock()
    await pollUntil('x', async () => ({ done: false, state: 's' }), {
      timeoutMs: 1_200,
      intervalMs: 1_000,
      clock,
    }).catch(() => undefined)
    expect(clock.slept).toEqual([1_000, 200])
  })

  it('ends at once when the guard throws (Ctrl-C), where an error of the check is waited past', async () => {
    const clock = fakeClock()
    let calls = 0
    let stop = false
    const waiting = pollUntil(
      'ready',
      async () => {
        calls++
        if (calls === 2) stop = true
        throw new Error('not yet')
      },
      {
        timeoutMs: 60_000,
        intervalMs: 1_000,
        clock,
        guard: () => {
          if (stop) throw new Error('interrupted')
        },
      },
    )
    await expect(waiting).rejects.toThrow(/^interrupted$/)
    expect(calls).toBe(2)
    expect(clock.slept).toEqual([1_000, 1_000])
  })
})
