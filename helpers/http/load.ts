import { randomUUID } from 'node:crypto'
import { type Clock, realClock } from '../poll.js'
import type { Classifier, ResponseClass } from './classify.js'
import { exchange, type MadeBy } from './exchange.js'
import { type Probe, poolFor, probeHeaders } from './sampler.js'
import type { Target } from './target.js'

/** One response of the background load, with the time it was sent. */
export interface LoadRecord {
  readonly at: string
  readonly class: ResponseClass
}

export interface LoadHandle {
  /** Stops sending and returns every response, in the order sent, with how well the rate held. */
  stop(): Promise<LoadRecord[] & { readonly evidence?: LoadEvidence }>
  /** The responses answered so far, in the order sent, while the load goes on. */
  answered(): readonly LoadRecord[]
}

/** A load request as the generator saw it. Times are the clock's epoch milliseconds. */
export interface LoadRequest extends LoadRecord {
  /** Its place in the schedule: slot k falls due at start + k / rate. */
  readonly slot: number
  readonly requestId: string
  readonly dueAt: number
  /** On the wire (after any connect); null when it never got there. `at` is this, or dueAt. */
  readonly sentAt: number | null
  readonly answeredAt: number
  readonly status: number | null
  readonly reason?: string
  /** For errors: the server made it (a status, a reset, no answer within the timeout) or we did. */
  readonly madeBy?: MadeBy
}

/** How well the load held its rate, and whose errors it saw: evidence beside the records. */
export interface LoadEvidence {
  readonly askedRps: number
  /**
   * Requests on the wire per second of the run: sent / (due / askedRps). The shortfall from
   * askedRps is the missed slots; how late each request went out is `maxSendDelayMs`.
   */
  readonly achievedRps: number
  /** Slots that fell due while running. */
  readonly due: number
  /** Requests that reached the wire (a refused connection is a record but was never sent). */
  readonly sent: number
  /** Due but not sent: the pacer was more than `lateLimitMs` behind, or still behind when stopped. */
  readonly missedLate: number
  /** Due but not sent because `connectionCap` requests were already in flight. */
  readonly missedAtCap: number
  readonly serverErrors: number
  readonly clientErrors: number
  /** Most requests in flight at once: by Little's law about rate × latency. */
  readonly maxInFlight: number
  readonly connectionCap: number
  /** Sent more than one period after falling due: caught up after a late wake. */
  readonly lateSends: number
  /** Worst delay from a slot falling due to its request being on the wire. */
  readonly maxSendDelayMs: number
  readonly lateLimitMs: number
  readonly timeoutMs: number
}

/** What the generator's stop() returns: the records, carrying the run's evidence. */
export type LoadRun = LoadRequest[] & { readonly evidence: LoadEvidence }

export interface LoadGenerator extends LoadHandle {
  stop(): Promise<LoadRun>
  answered(): readonly LoadRequest[]
}

export interface LoadOptions {
  readonly clock?: Clock
  /** Bounds each request once sent (response head; each gap in its body) and each connect. */
  readonly timeoutMs?: number
}

/**
 * The most connections the load may hold. A request that is answered at all is answered within
 * the timeout of being sent, give or take undici's 0.5 s timer ticks (undici v7.30.2
 * lib/util/timers.js; the header timer is a "fast" one in lib/dispatcher/client-h1.js), so by
 * Little's law no more than rate × (timeout + 1 s) are in flight even when the server accepts
 * and never answers; a quarter more for headroom. Pure.
 */
export function connectionCap(requestsPerSecond: number, timeoutMs: number): number {
  return Math.ceil(((requestsPerSecond * (timeoutMs + 1000)) / 1000) * 1.25)
}

/**
 * How far behind its schedule the pacer may still send a slot. A busy event loop (a GC pause, a
 * large JSON parse elsewhere in the process) wakes timers tens of milliseconds late; within
 * this the pacer catches up, beyond it the slot is missed and counted.
 */
export const LATE_LIMIT_MS = 250

/** The clock schedule: slot k falls due at start + k × periodMs. */
export interface Schedule {
  readonly start: number
  readonly periodMs: number
  /** A slot due more than this long ago is missed (at least one period). */
  readonly lateLimitMs: number
}

/** What the pacer does when woken: which slot to send, if any, and what it missed. */
export interface PaceStep {
  readonly send: number | null
  /** Slots before `send` that fell due more than lateLimitMs ago: never sent, counted. */
  readonly missedLate: number
  /** 1 when the slot could not be sent because `cap` requests were in flight. */
  readonly missedAtCap: 0 | 1
  /** The first slot not yet handled, and when to wake for it. */
  readonly next: number
  readonly wakeAt: number
}

/**
 * The open-loop pacer: slots fall due by the clock, whatever the responses do. Woken at `now`
 * with `next` the first slot not yet handled, it sends the oldest slot due within the late
 * limit, counting older ones as missed. Behind schedule, it wakes again after half a period:
 * it catches up at twice the rate, never in a burst, and no request goes out more than the
 * late limit after its slot. A slot due while `cap` requests are in flight is missed too,
 * never queued. Pure.
 */
export function pace(now: number, schedule: Schedule, next: number, inFlight: number, cap: number): PaceStep {
  const { start, periodMs } = schedule
  const newest = Math.floor((now - start) / periodMs)
  if (newest < next)
    return { send: null, missedLate: 0, missedAtCap: 0, next, wakeAt: start + next * periodMs }
  // The oldest slot due no more than the late limit ago; never past the newest slot due.
  const lateLimit = Math.max(schedule.lateLimitMs, periodMs)
  const oldest = Math.min(newest, Math.max(next, Math.ceil((now - lateLimit - start) / periodMs)))
  const atCap = inFlight >= cap
  return {
    send: atCap ? null : oldest,
    missedLate: oldest - next,
    missedAtCap: atCap ? 1 : 0,
    next: oldest + 1,
    wakeAt: oldest + 1 <= newest ? now + periodMs / 2 : start + (oldest + 1) * periodMs,
  }
}

/** The evidence of a run from its records and the pacer's counts. Pure. */
export function loadEvidence(
  records: readonly LoadRequest[],
  counts: {
    askedRps: number
    due: number
    missedLate: number
    missedAtCap: number
    maxInFlight: number
    connectionCap: number
    timeoutMs: number
    lateLimitMs: number
  },
): LoadEvidence {
  const periodMs = 1000 / counts.askedRps
  let sent = 0
  let lateSends = 0
  let maxSendDelayMs = 0
  const errors: Record<MadeBy, number> = { server: 0, client: 0 }
  for (const r of records) {
    if (r.class === 'error') errors[r.madeBy ?? 'client']++
    if (r.sentAt === null) continue
    sent++
    if (r.sentAt - r.dueAt > periodMs) lateSends++
    maxSendDelayMs = Math.max(maxSendDelayMs, r.sentAt - r.dueAt)
  }
  return {
    ...counts,
    achievedRps: counts.due > 0 ? (sent * counts.askedRps) / counts.due : 0,
    sent,
    serverErrors: errors.server,
    clientErrors: errors.client,
    lateSends,
    maxSendDelayMs,
  }
}

/**
 * Steady background load at a fixed rate (Flagger needs traffic during its analysis, or it
 * halts on "no values found"). Requests are paced by the clock, not by responses (see `pace`);
 * connections open on demand, one per request in flight and reused when idle, so the pool
 * grows to rate × latency by itself and a request never waits for a connection another holds
 * (up to `connectionCap`, past which a slot is recorded as missed rather than queued). Each
 * record carries when it was due, sent and answered, and who made its error, if any.
 */
export function startLoad(
  target: Target,
  probe: Probe,
  classify: Classifier,
  requestsPerSecond: number,
  options: LoadOptions = {},
): LoadGenerator {
  const clock = options.clock ?? realClock
  const timeoutMs = options.timeoutMs ?? 5_000
  const cap = connectionCap(requestsPerSecond, timeoutMs)
  const pool = poolFor(target, cap, timeoutMs)
  const periodMs = 1000 / requestsPerSecond
  const records: LoadRequest[] = []
  const inFlight = new Set<Promise<void>>()
  const counts = { missedLate: 0, missedAtCap: 0, maxInFlight: 0 }
  let running = true
  let wake: (() => void) | undefined
  const start = clock.now()
  const schedule: Schedule = { start, periodMs, lateLimitMs: LATE_LIMIT_MS }
  let next = 0

  const send = (slot: number) => {
    const requestId = randomUUID()
    const dueAt = start + slot * periodMs
    const request = exchange(
      pool,
      { path: probe.path, headers: probeHeaders(probe, requestId), timeoutMs },
      () => clock.now(),
    ).then((x) => {
      const outcome = x.failure
        ? { class: 'error' as const, reason: x.failure.reason, madeBy: x.failure.madeBy }
        : (() => {
            const c = classify(x.status as number, x.body.toString('utf8'))
            return c.class === 'error' ? { ...c, madeBy: 'server' as const } : c
          })()
      records.push({
        at: new Date(x.sentAt ?? dueAt).toISOString(),
        slot,
        requestId,
        dueAt,
        sentAt: x.sentAt,
        answeredAt: x.answeredAt,
        status: x.failure ? null : x.status,
        ...outcome,
      })
    })
    inFlight.add(request)
    counts.maxInFlight = Math.max(counts.maxInFlight, inFlight.size)
    void request.finally(() => inFlight.delete(request))
  }

  const loop = (async () => {
    while (running) {
      const step = pace(clock.now(), schedule, next, inFlight.size, cap)
      counts.missedLate += step.missedLate
      counts.missedAtCap += step.missedAtCap
      next = step.next
      if (step.send !== null) send(step.send)
      const wait = step.wakeAt - clock.now()
      if (wait > 0) await Promise.race([clock.sleep(wait), new Promise<void>((resolve) => (wake = resolve))])
    }
  })()

  // In the order sent; one still waiting for a connection sorts by when it fell due.
  const bySendTime = (a: LoadRequest, b: LoadRequest) =>
    (a.sentAt ?? a.dueAt) - (b.sentAt ?? b.dueAt) || a.slot - b.slot
  return {
    answered: () => [...records].sort(bySendTime),
    async stop() {
      running = false
      wake?.()
      await loop
      // Slots due but not yet sent (a pacer still catching up) are a shortfall of the run too;
      // not the one falling due as stop() is called, which the pacer was about to send.
      const owed = Math.max(0, Math.floor((clock.now() - start) / periodMs) - next)
      counts.missedLate += owed
      next += owed
      await Promise.all(inFlight)
      await pool.close()
      records.sort(bySendTime)
      const evidence = loadEvidence(records, {
        askedRps: requestsPerSecond,
        due: next,
        ...counts,
        connectionCap: cap,
        timeoutMs,
        lateLimitMs: LATE_LIMIT_MS,
      })
      return Object.assign(records, { evidence })
    },
  }
}
