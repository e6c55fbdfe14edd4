import { Pool } from 'undici'
import { type Clock, realClock } from '../poll.js'
import type { Classifier, ResponseClass } from './classify.js'
import { type Probe, sendOne } from './sampler.js'
import type { Target } from './target.js'

/** One response of the background load, with the time it was sent. */
export interface LoadRecord {
  readonly at: string
  readonly class: ResponseClass
}

export interface LoadHandle {
  /** Stops sending and returns every response, in the order sent. */
  stop(): Promise<LoadRecord[]>
  /** The responses answered so far, in the order sent, while the load goes on. */
  answered(): readonly LoadRecord[]
}

/**
 * Steady background load at a fixed rate (Flagger needs traffic during its analysis, or it
 * halts on "no values found"). Requests are paced by a schedule, not by waiting for
 * responses; each record carries the time it was sent, for per-weight-step analysis.
 */
export function startLoad(
  target: Target,
  probe: Probe,
  classify: Classifier,
  requestsPerSecond: number,
  clock: Clock = realClock,
): LoadHandle {
  const pool = new Pool(`http://${target.address}:${target.port}`, { connections: 4 })
  const records: (LoadRecord | undefined)[] = []
  const inFlight = new Set<Promise<void>>()
  let running = true
  const period = 1000 / requestsPerSecond
  const loop = (async () => {
    let next = clock.now()
    while (running) {
      const index = records.length
      records.push(undefined)
      const at = new Date(clock.now()).toISOString()
      const request = sendOne(pool, probe, index, 5_000, classify).then((r) => {
        records[index] = { at, class: r.class }
      })
      inFlight.add(request)
      void request.finally(() => inFlight.delete(request))
      next += period
      const wait = next - clock.now()
      if (wait > 0) await clock.sleep(wait)
    }
  })()
  return {
    answered: () => records.filter((r): r is LoadRecord => r !== undefined),
    async stop() {
      running = false
      await loop
      await Promise.all(inFlight)
      await pool.close()
      return records.filter((r): r is LoadRecord => r !== undefined)
    },
  }
}
