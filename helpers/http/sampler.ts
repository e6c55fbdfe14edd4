import { randomUUID } from 'node:crypto'
import { Client, type Dispatcher, Pool } from 'undici'
import { type Clock, type PollResult, pollUntil, realClock } from '../poll.js'
import { SAMPLER_CONNECTIONS } from '../schedule/budget.js'
import {
  type BodyClassifier,
  type Classifier,
  type ClassifierName,
  decoding,
  type ResponseClass,
  remembering,
} from './classify.js'
import { exchangeThen } from './exchange.js'

import type { Target } from './target.js'

export interface Probe {
  /** Host header: how the gateway picks the virtual host, with no /etc/hosts edit. */
  readonly host: string
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  /** How responses are classified (see classify.ts); catalog's v1/v2 by default. */
  readonly classifier?: ClassifierName
}

export interface RequestRecord {
  readonly index: number
  readonly requestId: string
  readonly status: number | null
  readonly class: ResponseClass
  readonly reason?: string
  readonly latencyMs: number
}

export interface SampleResult {
  /** Every request sent, in the order it was issued. */
  readonly records: readonly RequestRecord[]
  readonly counts: Readonly<Record<ResponseClass, number>>
  /** True when onOrdered asked to stop before maxRequests. */
  readonly stoppedEarly: boolean
  readonly elapsedMs: number
}

export interface SampleOptions {
  readonly maxRequests: number
  /** Connections, one request in flight on each: SAMPLER_CONNECTIONS (8) unless given. */
  readonly concurrency?: number
  /**
   * How long the server may take to answer once the request is on the wire (and between body
   * chunks, and to accept a connection): 5 s by default. Longer is an error, reason `timeout`.
   */
  readonly timeoutMs?: number
  /**
   * Called with each record in issue order (never completion order, which would favour the
   * faster version); return true to stop sending. Requests already in flight finish and are
   * recorded, but come after the decision point.
   */
  readonly onOrdered?: (record: RequestRecord) => boolean
  readonly classify: Classifier
}

/**
 * Sends up to maxRequests requests through one keep-alive connection pool with bounded
 * concurrency, consuming and classifying every body. Timeouts and resets are errors with a
 * reason, never dropped.
 */
export async function sample(target: Target, probe: Probe, options: SampleOptions): Promise<SampleResult> {
  // As many lanes as the run's request budget plans for each sampler (schedule/budget.ts).
  const concurrency = Math.min(options.concurrency ?? SAMPLER_CONNECTIONS, options.maxRequests)
  const timeoutMs = options.timeoutMs ?? 5_000
  const classify = remembering(options.classify)
  // One keep-alive connection per lane: a pool would look for a free connection on every request.
  const clients = Array.from({ length: concurrency }, () => clientFor(target, timeoutMs))
  const records: (RequestRecord | undefined)[] = []
  let next = 0
  let ordered = 0
  let stop = false
  const started = performance.now()

  const advance = () => {
    while (ordered < records.length && records[ordered] !== undefined) {
      const record = records[ordered] as RequestRecord
      ordered++
      if (!stop && options.onOrdered?.(record)) stop = true
    }
  }

  try {
    // Each lane sends its next request from the callback of its last: no promise per request.
    await new Promise<void>((resolve) => {
      let lanes = concurrency
      const lane = (client: Client) => {
        if (stop || next >= options.maxRequests) {
          if (--lanes === 0) resolve()
          return
        }
        const index = next++
        sendOneThen(client, probe, index, timeoutMs, classify, (record) => {
          records[index] = record
          advance()
          lane(client)
        })
      }
      for (const client of clients) lane(client)
    })
  } finally {
    await Promise.all(clients.map((c) => c.close()))
  }
  const done = records.filter((r): r is RequestRecord => r !== undefined)
  const counts: Record<ResponseClass, number> = { v1: 0, v2: 0, error: 0 }
  for (const r of done) counts[r.class]++
  return { records: done, counts, stoppedEarly: stop, elapsedMs: performance.now() - started }
}

/**
 * A keep-alive pool for one target. A connection that cannot be made within the timeout is an
 * error like a late answer; requests themselves are bounded by the timeouts in `exchange`.
 */
export function poolFor(target: Target, connections: number, timeoutMs: number): Pool {
  return new Pool(`http://${target.address}:${target.port}`, {
    connections,
    pipelining: 1,
    connect: { timeout: timeoutMs },
  })
}

/** One keep-alive connection to the target, bounded like `poolFor`'s. */
export function clientFor(target: Target, timeoutMs: number): Client {
  return new Client(`http://${target.address}:${target.port}`, {
    pipelining: 1,
    connect: { timeout: timeoutMs },
  })
}

/** The headers every probe request carries: the probe's own, its Host and a fresh x-request-id. */
export function probeHeaders(probe: Probe, requestId: string): Record<string, string> {
  // Without extra headers, a plain literal: a spread on every request costs the sampler.
  return probe.headers
    ? { ...probe.headers, host: probe.host, 'x-request-id': requestId }
    : { host: probe.host, 'x-request-id': requestId }
}

const now = () => performance.now()

/** One request with a fresh x-request-id; `done` gets its record (errors are records too). */
export function sendOneThen(
  dispatcher: Dispatcher,
  probe: Probe,
  index: number,
  timeoutMs: number,
  classify: BodyClassifier,
  done: (record: RequestRecord) => void,
): void {
  const requestId = randomUUID()
  exchangeThen(
    dispatcher,
    { path: probe.path, headers: probeHeaders(probe, requestId), timeoutMs },
    now,
    (x) => {
      // From the moment it was on the wire: a wait for a connection is not the server's latency.
      const latencyMs = x.answeredAt - (x.sentAt ?? x.dispatchedAt)
      if (x.failure) {
        done({ index, requestId, status: null, class: 'error', reason: x.failure.reason, latencyMs })
        return
      }
      const status = x.status as number
      const c = classify(status, x.body)
      done(
        c.reason
          ? { index, requestId, status, class: c.class, reason: c.reason, latencyMs }
          : { index, requestId, status, class: c.class, latencyMs },
      )
    },
  )
}

/** `sendOneThen` as a promise that never rejects. */
export function sendOne(
  dispatcher: Dispatcher,
  probe: Probe,
  index: number,
  timeoutMs: number,
  classify: Classifier,
): Promise<RequestRecord> {
  return new Promise((resolve) =>
    sendOneThen(dispatcher, probe, index, timeoutMs, decoding(classify), resolve),
  )
}

const CONVERGENCE_TIMEOUT_MS = 5_000

export interface Convergence {
  readonly requests: number
  readonly elapsedMs: number
}

/**
 * The gate before any measurement: K consecutive responses of the expected class within T,
 * one request about every intervalMs. Route changes reach the proxies asynchronously; a
 * measurement started before they have would be judging the old configuration. On timeout
 * it reports the classes seen and the last error.
 */
export async function awaitConvergence(
  target: Target,
  probe: Probe,
  classify: Classifier,
  expected: ResponseClass,
  options: { consecutive?: number; timeoutMs?: number; intervalMs?: number; clock?: Clock } = {},
): Promise<Convergence> {
  const consecutive = options.consecutive ?? 3
  const clock = options.clock ?? realClock
  const started = clock.now()
  const seen: Record<ResponseClass, number> = { v1: 0, v2: 0, error: 0 }
  let lastReason = ''
  let streak = 0
  let requests = 0
  const pool = poolFor(target, 1, CONVERGENCE_TIMEOUT_MS)
  try {
    return await pollUntil(
      `${consecutive} consecutive ${expected} responses from ${probe.host}${probe.path}`,
      async (): Promise<PollResult<Convergence>> => {
        const record = await sendOne(pool, probe, requests++, CONVERGENCE_TIMEOUT_MS, classify)
        seen[record.class]++
        if (record.reason) lastReason = record.reason
        streak = record.class === expected ? streak + 1 : 0
        if (streak >= consecutive)
          return { done: true, value: { requests, elapsedMs: clock.now() - started } }
        const summary = Object.entries(seen)
          .filter(([, n]) => n > 0)
          .map(([c, n]) => `${c} x${n}`)
          .join(', ')
        return {
          done: false,
          state: `classes seen: ${summary}${lastReason ? ` (last error: ${lastReason})` : ''}`,
        }
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: options.intervalMs ?? 100, clock },
    )
  } finally {
    await pool.close()
  }
}
