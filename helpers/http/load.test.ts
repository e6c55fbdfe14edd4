import type { ServerResponse } from 'node:http'
import { expect as baseExpect, describe, expect, it, type TestContext } from 'vitest'
import { type Clock, pollUntil, realClock } from '../poll.js'
import { type RecordedRequest, startRecordingServer } from '../testing/recording-server.js'
import { classifyCatalog } from './classify.js'
import { connectionCap, LATE_LIMIT_MS, type LoadRun, pace, startLoad } from './load.js'

const BODY = '[{"id":1}]'
const HOST = 'webapp.istioinaction.io'

/** A loopback server noting when each request arrived, by x-request-id; closed after its test. */
// The context's hook: vitest does not track which of several concurrent tests a global hook is for.
async function server(
  context: Pick<TestContext, 'onTestFinished'>,
  handler: (req: RecordedRequest, res: ServerResponse) => void,
) {
  const arrivals = new Map<string, number>()
  const s = await startRecordingServer((req, res) => {
    arrivals.set(String(req.headers['x-request-id']), Date.now())
    handler(req, res)
  })
  context.onTestFinished(s.close)
  return { ...s, arrivals, target: { address: '127.0.0.1', port: s.port } }
}

/** Runs the load for durationMs of the real clock, then stops it. */
async function runFor(
  target: { address: string; port: number },
  rps: number,
  durationMs: number,
  options: { timeoutMs?: number; clock?: Clock } = {},
): Promise<LoadRun> {
  const load = startLoad(target, { host: HOST, path: '/api/catalog' }, classifyCatalog, rps, options)
  await new Promise((resolve) => setTimeout(resolve, durationMs))
  return load.stop()
}

/** The most sends in any window `periodMs` long. */
function maxPerPeriod(times: readonly number[], periodMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= periodMs) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

// What every run must show, whatever the server does: nothing made by the client; at least
// 90 % of the asked rate sent, every missed slot counted; every request received by the server
// within the late limit of its slot (plus a connect: so no queueing); each record's time its
// send time.
function expectHeldAndHonest(run: LoadRun, rps: number, arrivals: Map<string, number>) {
  const expect = (value: unknown) => baseExpect(value, `at ${rps}/s`)
  const e = run.evidence
  expect(e.clientErrors).toBe(0)
  expect(run.filter((r) => r.class === 'error').every((r) => r.madeBy === 'server')).toBe(true)
  expect(e.askedRps).toBe(rps)
  expect(e.achievedRps).toBeGreaterThanOrEqual(0.9 * rps)
  expect(e.achievedRps).toBeCloseTo((rps * e.sent) / e.due, 9)
  expect(run).toHaveLength(e.due - e.missedLate - e.missedAtCap)
  expect(e.sent).toBe(run.length)
  expect(arrivals.size).toBe(run.length)
  for (const r of run) {
    const arrived = arrivals.get(r.requestId)
    expect(arrived).toBeDefined()
    expect(r.sentAt).not.toBeNull()
    const sentAt = r.sentAt as number
    expect(sentAt).toBeGreaterThanOrEqual(r.dueAt)
    expect((arrived as number) - r.dueAt).toBeLessThan(LATE_LIMIT_MS + 100)
    expect(Date.parse(r.at)).toBe(Math.floor(sentAt))
  }
  // The record's time is when the request went out, not when it was queued or answered.
  const lags = run
    .map((r) => (arrivals.get(r.requestId) as number) - (r.sentAt as number))
    .sort((a, b) => a - b)
  expect(lags[Math.floor(lags.length / 2)]).toBeLessThan(20)
}

describe('startLoad against a local server', () => {
  it('sends at the requested rate until stopped, and nothing after', async (context) => {
    const s = await server(context, (_req, res) => res.end(BODY))
    const load = startLoad(s.target, { host: HOST, path: '/api/catalog' }, classifyCatalog, 100)
    const started = Date.now()
    await pollUntil(
      '30 requests served',
      async () =>
        s.requests.length >= 30
          ? { done: true, value: true }
          : { done: false, state: `${s.requests.length}` },
      { timeoutMs: 5_000, intervalMs: 10 },
    )
    // While it runs: what has been answered so far, in the order sent.
    const soFar = load.answered()
    expect(soFar.length).toBeGreaterThan(0)
    expect(soFar.length).toBeLessThanOrEqual(s.requests.length)
    expect(soFar.map((r) => r.at)).toEqual([...soFar.map((r) => r.at)].sort())
    const records = await load.stop()
    expect(soFar.every((r) => records.includes(r))).toBe(true)
    const elapsed = (Date.now() - started) / 1000
    const served = s.requests.length
    expect(records.length).toBe(served)
    expect(records.every((r) => r.class === 'v1')).toBe(true)
    // Paced, not flooding: at most the rate over the elapsed time, plus the first request.
    expect(served).toBeLessThanOrEqual(Math.ceil(100 * elapsed) + 1)
    expect(s.requests.every((r) => r.headers.host === HOST)).toBe(true)
    expect(records.map((r) => r.at)).toEqual([...records.map((r) => r.at)].sort())
    await new Promise((resolve) => setImmediate(resolve))
    expect(s.requests.length).toBe(served)
  })

  // Canary rates against servers that are slow, flaky or hung: 2 s at 10, 100 and 200/s,
  // each case against its own server, all at once (the offline tier's time is short).
  describe.concurrent('holds the rate with no error of its own', () => {
    // The scenario's old 10/s, and around what flagger-canary's step plan asks (66/s with the
    // book's timing, 161/s by default: canaryLoadPlan).
    const RATES = [10, 100, 200]

    it('slow (450 ms answers): every answer, timed from its send', async (context) => {
      await Promise.all(
        RATES.map(async (rps) => {
          const s = await server(context, (_req, res) => setTimeout(() => res.end(BODY), 450))
          const run = await runFor(s.target, rps, 2_000)
          expectHeldAndHonest(run, rps, s.arrivals)
          expect(run.every((r) => r.class === 'v1')).toBe(true)
          for (const r of run) {
            const latency = r.answeredAt - (r.sentAt as number)
            expect(latency, `${rps}/s`).toBeGreaterThanOrEqual(445)
            expect(latency, `${rps}/s`).toBeLessThan(450 + 250)
          }
          // Little's law: about rate × 0.45 s in flight, never capped at a few connections.
          expect(run.evidence.maxInFlight, `${rps}/s`).toBeGreaterThanOrEqual(Math.floor(rps * 0.45))
        }),
      )
    })

    it('flaky (503s and resets): errors exactly where the server made them', async (context) => {
      await Promise.all(
        RATES.map(async (rps) => {
          const made = new Map<string, 'ok' | '503' | 'reset'>()
          let n = 0
          const s = await server(context, (req, res) => {
            // A fixed mix: every 5th a 503, every 7th (not 5th) a reset.
            const i = n++
            const what = i % 5 === 4 ? '503' : i % 7 === 6 ? 'reset' : 'ok'
            made.set(String(req.headers['x-request-id']), what)
            if (what === '503') {
              res.statusCode = 503
              res.end('no healthy upstream')
            } else if (what === 'reset') res.socket?.destroy()
            else res.end(BODY)
          })
          const run = await runFor(s.target, rps, 2_000)
          expectHeldAndHonest(run, rps, s.arrivals)
          for (const r of run) {
            const what = made.get(r.requestId)
            expect(r.class === 'error' ? what !== 'ok' : what === 'ok', `${rps}/s ${what}`).toBe(true)
            if (what === '503') expect(r.status).toBe(503)
            if (what === 'reset') expect(r.reason).toMatch(/SOCKET|ECONNRESET|EPIPE/)
          }
          const serverMade = [...made.values()].filter((w) => w !== 'ok').length
          expect(run.evidence.serverErrors, `${rps}/s`).toBe(serverMade)
          expect(serverMade, `${rps}/s`).toBeGreaterThan(0)
        }),
      )
    })

    it('hanging: each request times out, counted from its send', async (context) => {
      const timeoutMs = 300
      await Promise.all(
        RATES.map(async (rps) => {
          const s = await server(context, () => {})
          const run = await runFor(s.target, rps, 2_000, { timeoutMs })
          expectHeldAndHonest(run, rps, s.arrivals)
          expect(run.every((r) => r.class === 'error' && r.reason === 'timeout')).toBe(true)
          expect(run.evidence.serverErrors, `${rps}/s`).toBe(run.length)
          for (const r of run) {
            // undici's header timer ticks every ~0.5 s (lib/util/timers.js): it fires late, never early.
            const waited = r.answeredAt - (r.sentAt as number)
            expect(waited, `${rps}/s`).toBeGreaterThanOrEqual(timeoutMs)
            expect(waited, `${rps}/s`).toBeLessThan(timeoutMs + 1_000 + 250)
          }
        }),
      )
    })

    it('when the pacer wakes late it catches up at twice the rate, and counts what is too late', async (context) => {
      const s = await server(context, (_req, res) => res.end(BODY))
      // A clock that jumps 500 ms at 300 ms: to the pacer, a 500 ms stall of its event loop.
      let skew = 0
      const clock: Clock = { now: () => Date.now() + skew, sleep: realClock.sleep }
      const jump = setTimeout(() => {
        skew = 500
      }, 300)
      const run = await runFor(s.target, 100, 1_500, { clock })
      clearTimeout(jump)
      const e = run.evidence
      expect(e.clientErrors).toBe(0)
      // 50 slots fell due inside the jump: those more than 250 ms late (about 25) are missed,
      // the rest go out late, at twice the rate.
      expect(e.missedLate).toBeGreaterThanOrEqual(24)
      expect(e.missedLate).toBeLessThanOrEqual(0.1 * e.due + 26)
      expect(e.lateSends).toBeGreaterThanOrEqual(20)
      // Nothing goes out later than the limit; but a request on its way to its socket as the
      // clock jumps is stamped after the jump.
      const tooLate = run.filter((r) => (r.sentAt as number) - r.dueAt >= LATE_LIMIT_MS + 100)
      expect(tooLate.length).toBeLessThanOrEqual(1)
      expect(run).toHaveLength(e.due - e.missedLate)
      // Never a burst: at twice the rate, 10 in any 50 ms (12 with timer jitter); a burst would
      // put the 25 caught-up requests in one.
      expect(maxPerPeriod([...s.arrivals.values()], 50)).toBeLessThanOrEqual(12)
    })

    it('stopped while catching up, counts the slots still owed as missed', async (context) => {
      const s = await server(context, (_req, res) => res.end(BODY))
      // 200 ms of schedule fall due at once 100 ms before the stop: half is caught up at most.
      let skew = 0
      const clock: Clock = { now: () => Date.now() + skew, sleep: realClock.sleep }
      const jump = setTimeout(() => {
        skew = 200
      }, 900)
      const run = await runFor(s.target, 100, 1_000, { clock })
      clearTimeout(jump)
      const e = run.evidence
      // The clock made about 1.2 s of slots due: every one is sent or counted.
      expect(e.due).toBeGreaterThanOrEqual(118)
      expect(e.missedLate).toBeGreaterThanOrEqual(5)
      expect(run).toHaveLength(e.due - e.missedLate)
    })
  })
})

describe('pace', () => {
  // 100/s from t = 1000, slots late by more than 50 ms missed.
  const schedule = { start: 1_000, periodMs: 10, lateLimitMs: 50 }
  const step = (
    send: number | null,
    missedLate: number,
    missedAtCap: 0 | 1,
    next: number,
    wakeAt: number,
  ) => ({
    send,
    missedLate,
    missedAtCap,
    next,
    wakeAt,
  })

  it('sends each slot as it falls due and sleeps until the next', () => {
    expect(pace(1_000, schedule, 0, 0, 5)).toEqual(step(0, 0, 0, 1, 1_010))
    expect(pace(1_019.9, schedule, 1, 0, 5)).toEqual(step(1, 0, 0, 2, 1_020))
  })

  it('sends nothing when woken early', () => {
    expect(pace(1_015, schedule, 2, 0, 5)).toEqual(step(null, 0, 0, 2, 1_020))
  })

  it('woken late, sends the oldest slot still within the limit and comes back at twice the rate', () => {
    // At 1047, slots 1..4 are due; all within 50 ms: send 1, wake again in half a period.
    expect(pace(1_047, schedule, 1, 0, 5)).toEqual(step(1, 0, 0, 2, 1_052))
    // Caught up: slot 4 was the last due, so the next wake is slot 5's time.
    expect(pace(1_047, schedule, 4, 0, 5)).toEqual(step(4, 0, 0, 5, 1_050))
  })

  it('counts slots older than the limit as missed and never sends them', () => {
    // At 1200, slots 0..20 are due; those before 1150 (0..14) are missed, 15 goes out.
    expect(pace(1_200, schedule, 0, 0, 5)).toEqual(step(15, 15, 0, 16, 1_205))
  })

  it('a catch-up never goes faster than twice the rate: replayed, no period holds more than 2 sends', () => {
    // A 300 ms stall, then wakes exactly when asked to.
    let now = 1_300
    let next = 0
    const sends: number[] = []
    let missed = 0
    while (now < 2_000) {
      const s = pace(now, schedule, next, 0, 5)
      missed += s.missedLate
      if (s.send !== null) sends.push(now)
      next = s.next
      now = s.wakeAt
    }
    expect(missed).toBe(25) // slots due before 1250
    expect(next).toBe(100) // every slot up to t = 2000 handled: sent or counted
    expect(sends).toHaveLength(75)
    for (let i = 2; i < sends.length; i++)
      expect((sends[i] as number) - (sends[i - 2] as number)).toBeGreaterThanOrEqual(10)
  })

  it('at the connection cap misses the slot rather than queueing it', () => {
    expect(pace(1_010, schedule, 1, 5, 5)).toEqual(step(null, 0, 1, 2, 1_020))
  })

  it('caps connections at what a never-answering server can hold, with headroom', () => {
    // 10/s for (5 s timeout + 1 s of timer ticks) = 60 in flight at worst; 75 with headroom.
    expect(connectionCap(10, 5_000)).toBe(75)
    expect(connectionCap(100, 5_000)).toBe(750)
  })
})
