import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { classifyCatalog } from '../helpers/http/classify.js'
import { type LoadRun, startLoad } from '../helpers/http/load.js'
import { type SampleResult, sample } from '../helpers/http/sampler.js'
import type { Target } from '../helpers/http/target.js'
import { pollUntil } from '../helpers/poll.js'
import { demandOf } from '../helpers/runner/demand.js'
import { REQUEST_BUDGET, SAMPLER_CONNECTIONS } from '../helpers/schedule/budget.js'
import { summaryOf } from '../helpers/stats/summaries.js'
import { SCENARIOS } from './index.js'

/**
 * The request budget, measured on the client side: the whole of REQUEST_BUDGET driven at once
 * from this one process, as `run` drives it from its own, through the suite's real sampler and
 * load generator. Four samplers of 8 connections (the budget's connections), each measuring
 * check after check, run flat out while the registry's loads (flagger-canary's 161/s and
 * flagger-rollback's 25/s: the budget's load) run beside them. It shows the runner's process
 * does not distort the evidence at the budget: every load holds its rate within the tolerance
 * the load generator's own tests use (every slot it misses is counted in its evidence, and the
 * canary's verdict states a step's lower power), and no request fails, so none fails for a
 * reason the client made (a request the client was too busy to send or read in time).
 *
 * The server runs in a worker thread, another event loop as the ingress is another process,
 * and answers at once: samplers are closed-loop, so the faster the server answers the more they
 * send, and an instant server is the hardest case for the client (about ten thousand requests
 * a second or more, where a sampler through kind's ingress gets a few hundred). README, "How
 * long a run takes", has the figures seen. What this cannot measure is the
 * ingress gateway's side, Envoy and the node under this load: there is no cluster here. On a
 * real run the node's limits show in each check's own evidence as errors or timeouts, judged by
 * the unchanged error bounds, never as a pass.
 */

/** Shaped like catalog v1's GET /items: no imageUrl. */
const V1_BODY = JSON.stringify([{ id: 1, color: 'amber', department: 'Eyewear', name: 'Elinor Glasses' }])
const HOST = 'webapp.itc-budget.istioinaction.io'
/** How long the whole budget runs at once: until each load has answered this many seconds of slots. */
const WINDOW_S = 5

/**
 * A node:http server in a worker thread that answers every request at once with V1_BODY and
 * counts, per x-client header, the requests and the distinct client sockets they came on.
 */
const SERVER = `
const { parentPort } = require('node:worker_threads')
const http = require('node:http')
const body = ${JSON.stringify(V1_BODY)}
const seen = new Map()
let socketIds = 0
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  const who = String(req.headers['x-client'])
  const s = seen.get(who) ?? { requests: 0, sockets: new Set() }
  seen.set(who, s)
  s.requests++
  if (req.socket.budgetId === undefined) req.socket.budgetId = ++socketIds
  s.sockets.add(req.socket.budgetId)
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(body)
})
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }))
parentPort.on('message', (m) => {
  if (m === 'stats')
    parentPort.postMessage({
      stats: Object.fromEntries([...seen].map(([k, v]) => [k, { requests: v.requests, sockets: v.sockets.size }])),
    })
})
`

interface ServerStats {
  readonly [client: string]: { readonly requests: number; readonly sockets: number }
}

async function startServer() {
  const worker = new Worker(SERVER, { eval: true })
  const next = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: Record<string, T>) => {
        if (!(key in m)) return
        worker.off('message', onMessage)
        resolve(m[key] as T)
      }
      worker.on('message', onMessage)
      worker.once('error', reject)
    })
  const port = await next<number>('port')
  return {
    target: { address: '127.0.0.1', port } satisfies Target,
    stats: () => {
      const reply = next<ServerStats>('stats')
      worker.postMessage('stats')
      return reply
    },
    close: async () => {
      await worker.terminate()
    },
  }
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

describe('the request budget, driven whole from one process', () => {
  it('holds every load within its tolerance, with no request failing, beside samplers at every connection', async (context) => {
    const server = await startServer()
    context.onTestFinished(server.close)
    const samplers = REQUEST_BUDGET.samplerConnections / SAMPLER_CONNECTIONS
    const loads = SCENARIOS.map((s) => ({ id: s.id, rps: demandOf(s).loadRps })).filter((l) => l.rps > 0)
    // The whole budget: the most samplers it allows, and every load the registry drives.
    expect(samplers).toBe(4)
    expect(loads.reduce((sum, l) => sum + l.rps, 0)).toBe(REQUEST_BUDGET.loadRps)

    let stopping = false
    // Each sampler as a scenario uses it: one check after another, each at most as many requests
    // as the largest design of the registry lets a check send (its records then go, as a
    // finished check's do), until the window is over.
    const perCheck = Math.max(...SCENARIOS.flatMap((s) => s.checks.map((c) => summaryOf(c.design).maxN ?? 0)))
    const checksDone = Array.from({ length: samplers }, () => 0)
    const sampling = checksDone.map(async (_, i) => {
      const checks: { readonly client: string; readonly result: SampleResult }[] = []
      const started = performance.now()
      while (!stopping) {
        const client = `sampler-${i}-check-${checks.length}`
        const result = await sample(
          server.target,
          { host: HOST, path: '/api/catalog', headers: { 'x-client': client } },
          { maxRequests: perCheck + 100, classify: classifyCatalog, onOrdered: () => stopping },
        )
        checks.push({ client, result })
        checksDone[i] = checks.length
      }
      return { checks, elapsedMs: performance.now() - started }
    })
    // The loads start beside samplers already sending, as in a run: a Flagger scenario starts
    // its load after its Canary's initialisation, tens of seconds in, when the process has long
    // been measuring. (Started cold at the same instant as the samplers, with the process's
    // very first requests, the canary's load missed slots in its first second or two: README,
    // "How long a run takes", has the figures.)
    await pollUntil(
      'every sampler through its first check',
      async () =>
        checksDone.every((n) => n > 0)
          ? { done: true, value: undefined }
          : { done: false, state: `checks done ${checksDone.join(', ')}` },
      { timeoutMs: 30_000, intervalMs: 20 },
    )
    const running = loads.map((l) => ({
      ...l,
      load: startLoad(
        server.target,
        { host: HOST, path: '/api/catalog', headers: { 'x-client': l.id } },
        classifyCatalog,
        l.rps,
      ),
    }))
    const started = performance.now()
    let runs: LoadRun[] = []
    let windowMs = 0
    try {
      // Until every load has answered WINDOW_S seconds of its slots (a deadline, no fixed sleep).
      await pollUntil(
        `every load answering ${WINDOW_S} s of its slots`,
        async () => {
          const short = running.filter((r) => r.load.answered().length < r.rps * WINDOW_S)
          return short.length === 0
            ? { done: true, value: undefined }
            : { done: false, state: short.map((r) => `${r.id}: ${r.load.answered().length}`).join(', ') }
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      )
    } finally {
      windowMs = performance.now() - started
      // The loads end first, so the samplers run beside them the whole time; whatever happened,
      // nothing is left sending when the server goes.
      runs = await Promise.all(running.map((r) => r.load.stop()))
      stopping = true
      await Promise.allSettled(sampling)
    }
    const sampled = await Promise.all(sampling)
    const stats = await server.stats()

    for (const [i, r] of runs.entries()) {
      const { id, rps } = loads[i] as { id: string; rps: number }
      const e = r.evidence
      // The tolerance of load.test.ts's expectHeldAndHonest: at least 90% of the asked rate.
      expect(e.achievedRps, id).toBeGreaterThanOrEqual(0.9 * rps)
      expect(e.clientErrors, id).toBe(0)
      expect(e.serverErrors, id).toBe(0)
      expect(r.every((x) => x.class === 'v1')).toBe(true)
      expect(stats[id]?.requests, id).toBe(e.sent)
    }
    for (const [i, sampler] of sampled.entries()) {
      // Each sampler ran the whole window, check after check.
      expect(sampler.elapsedMs, `sampler ${i}`).toBeGreaterThanOrEqual(windowMs)
      expect(sampler.checks.length, `sampler ${i}`).toBeGreaterThan(1)
      for (const { client, result } of sampler.checks) {
        expect(result.counts.error, client).toBe(0)
        expect(result.counts.v1, client).toBe(result.records.length)
        // On exactly the connections the budget counts for it.
        expect(stats[client]?.sockets, client).toBe(SAMPLER_CONNECTIONS)
        expect(stats[client]?.requests, client).toBe(result.records.length)
      }
    }

    const results = sampled.flatMap((s) => s.checks.map((c) => c.result))
    const latencies = results.flatMap((r) => r.records.map((x) => x.latencyMs)).sort((a, b) => a - b)
    const sampledRps = sampled.reduce(
      (sum, s) => sum + (s.checks.reduce((n, c) => n + c.result.records.length, 0) * 1000) / s.elapsedMs,
      0,
    )
    console.log(
      [
        `request budget driven for ${(windowMs / 1000).toFixed(1)} s: ${samplers} samplers x ${SAMPLER_CONNECTIONS} connections at ${Math.round(sampledRps)} req/s together, ${results.length} checks of at most ${perCheck + 100} requests (latency p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${quantile(latencies, 1).toFixed(1)} ms), no error`,
        ...runs.map((r, i) => {
          const e = r.evidence
          return `  ${loads[i]?.id} load: asked ${e.askedRps}/s, achieved ${e.achievedRps.toFixed(1)}/s, ${e.missedLate + e.missedAtCap} slots missed of ${e.due}, worst send delay ${e.maxSendDelayMs.toFixed(1)} ms, ${e.clientErrors} client errors`
        }),
      ].join('\n'),
    )
  }, 60_000)
})
