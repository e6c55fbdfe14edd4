import type { ServerResponse } from 'node:http'
import { expect as baseExpect, describe, expect, it, type TestContext } from 'vitest'
import { type Clock, pollUntil, realClock } from '../poll.js'
import { type RecordedRequest, startRecordingServer } from '../testing/recording-server.js'
import { classifyCatalog } from './classify.js'
import { connectionCap, type LoadRun, pace, startLoad } from './load.js'

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

/** The most sends in any window one period long: 1 or 2 when paced, more in a burst. */
function maxPerPeriod(times: readonly number[], periodMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= periodMs) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

/** The rate as the server saw it: (n − 1) over the span of arrivals. */
const arrivalRate = (times: readonly number[]) =>
  ((times.length - 1) * 1000) / (Math.max(...times) - Math.min(...times))

// What every run must show, whatever the server does: nothing made by the client, the asked
// rate held within 10 % as sent and as received, every request on the wire within one period
// of its slot (plus a connect; so no catch-up burst), and each record's time its send time.
function expectHeldAndHonest(run: LoadRun, rps: number, arrivals: Map<string, number>) {
  const period = 1000 / rps
  const expect = (value: unknown) => baseExpect(value, `at ${rps}/s`)
  const e = run.evidence
  expect(e.clientErrors).toBe(0)
  expect(run.filter((r) => r.class === 'error').every((r) => r.madeBy === 'server')).toBe(true)
  expect(e.askedRps).toBe(rps)
  expect(Math.abs(e.achievedRps - rps) / rps).toBeLessThanOrEqual(0.1)
  expect(e.missedLate + e.missedAtCap).toBeLessThanOrEqual(0.1 * e.due)
  expect(run).toHaveLength(e.due - e.missedLate - e.missedAtCap)
  const arrived = run.map((r) => arrivals.get(r.requestId))
  expect(arrived.every((t) => t !== undefined)).toBe(true)
  expect(arrivals.size).toBe(run.length)
  expect(Math.abs(arrivalRate([...arrivals.values()]) - rps) / rps).toBeLessThanOrEqual(0.1)
  for (const r of run) {
    expect(r.sentAt).not.toBeNull()
    const sentAt = r.sentAt as number
    expect(sentAt).toBeGreaterThanOrEqual(r.dueAt)
    expect(sentAt - r.dueAt).toBeLessThan(period + 100)
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
    const records = await load.stop()
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

  // The canary's rates against servers that are slow, flaky or hung: 2 s at 10/s and at 100/s,
  // each case against its own server, all at once (the offline tier's time is short).
  describe.concurrent('holds the rate with no error of its own', () => {
    const RATES = [10, 100]

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

    it('when the pacer wakes late it skips the slots it missed and says so, never bursts', async (context) => {
      const s = await server(context, (_req, res) => res.end(BODY))
      // A clock that jumps 250 ms at 300 ms: to the pacer, a 250 ms stall of its event loop.
      let skew = 0
      const clock: Clock = { now: () => Date.now() + skew, sleep: realClock.sleep }
      const jump = setTimeout(() => {
        skew = 250
      }, 300)
      const run = await runFor(s.target, 100, 1_000, { clock })
      clearTimeout(jump)
      const e = run.evidence
      expect(e.clientErrors).toBe(0)
      // 25 slots fell due inside the jump and only the newest is sent: at least 24 are missed
      // (more if the real event loop was late too, which is a shortfall as well).
      expect(e.missedLate).toBeGreaterThanOrEqual(24)
      expect(run).toHaveLength(e.due - e.missedLate)
      // Without the skip, those 24 would have gone out at once.
      expect(maxPerPeriod([...s.arrivals.values()], 10)).toBeLessThanOrEqual(3)
      for (const r of run) expect((r.sentAt as number) - r.dueAt).toBeLessThan(10 + 100)
    })
  })
})

describe('pace', () => {
  const start = 1_000
  it('sends each slot as it falls due and sleeps until the next', () => {
    expect(pace(1_000, start, 10, 0, 0, 5)).toEqual({
      send: 0,
      missedLate: 0,
      missedAtCap: 0,
      next: 1,
      wakeAt: 1_010,
    })
    expect(pace(1_019.9, start, 10, 1, 0, 5)).toEqual({
      send: 1,
      missedLate: 0,
      missedAtCap: 0,
      next: 2,
      wakeAt: 1_020,
    })
  })
  it('sends nothing when woken early', () => {
    expect(pace(1_015, start, 10, 2, 0, 5)).toEqual({
      send: null,
      missedLate: 0,
      missedAtCap: 0,
      next: 2,
      wakeAt: 1_020,
    })
  })
  it('woken late, sends only the newest slot due and counts the others missed', () => {
    expect(pace(1_047, start, 10, 1, 0, 5)).toEqual({
      send: 4,
      missedLate: 3,
      missedAtCap: 0,
      next: 5,
      wakeAt: 1_050,
    })
  })
  it('at the connection cap misses the slot rather than queueing it', () => {
    expect(pace(1_010, start, 10, 1, 5, 5)).toEqual({
      send: null,
      missedLate: 0,
      missedAtCap: 1,
      next: 2,
      wakeAt: 1_020,
    })
  })
  it('caps connections at what a never-answering server can hold, with headroom', () => {
    // 10/s for (5 s timeout + 1 s of timer ticks) = 60 in flight at worst; 75 with headroom.
    expect(connectionCap(10, 5_000)).toBe(75)
    expect(connectionCap(100, 5_000)).toBe(750)
  })
})
