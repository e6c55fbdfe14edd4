/**
 * npm run bench, three tables on loopback:
 * 1. the sampler's throughput against autocannon's, fairly: the server in its own process, both
 *    clients warmed up, their order alternating, at least 5 rounds, each client timed from its
 *    call to its last response (autocannon's own `duration` runs to its next 1 s tick);
 * 2. the load generator holding canary rates against a server answering in 100-450 ms;
 * 3. how many requests the sequential test needs to reach a verdict, against the fixed test
 *    (the README's design table).
 * Bounded in requests and time; the server exits with this process.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import autocannon from 'autocannon'
import { classifyCatalog } from '../http/classify.js'
import { type LoadRun, startLoad } from '../http/load.js'
import { sample } from '../http/sampler.js'
import { SAMPLER_CONNECTIONS } from '../schedule/budget.js'
import { alternatives, DEFAULT_SPEC, designSequential } from '../stats/ratio-tests.js'
import { worstExpectedN } from '../stats/worst-case.js'
import { type BenchServerReady, SERVE_FLAG } from './server.js'
import { type BenchSettings, benchSettings, quantile, samplerFirst, spread } from './summary.js'

/** The sampler's connections in a run (one sampler per scenario), so the bench measures what runs use. */
const CONCURRENCY = SAMPLER_CONNECTIONS
const WARMUP_REQUESTS = 2_000
const HOST = 'catalog.istioinaction.io'
/**
 * Canary load rates: from 10/s to above what flagger-canary's step plan asks (canaryLoadPlan:
 * 66/s with the book's timing, 161/s by default).
 */
const LOAD_RATES = [10, 50, 100, 200]
/** Answers within Flagger's 500 ms request-duration limit, as a canary's backend would. */
const LOAD_PATH = '/delay/100-450'

// Each run starts on a collected heap, so that neither client pays for the other's garbage
// (the sampler keeps every record; its heap would otherwise be collected during the next run).
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

async function startServer(): Promise<{ port: number; child: ChildProcess }> {
  // Inherits this process's execArgv, so it runs under tsx as main.ts does.
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [SERVE_FLAG], {
    stdio: 'inherit',
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as BenchServerReady).port))
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}) before listening`)))
  })
  return { port, child }
}

/** Requests per second from the call to the last response handled. */
async function runSampler(port: number, requests: number): Promise<{ rps: number; errors: number }> {
  collectGarbage()
  const started = performance.now()
  let last = started
  const result = await sample(
    { address: '127.0.0.1', port },
    { host: HOST, path: '/items' },
    {
      maxRequests: requests,
      concurrency: CONCURRENCY,
      classify: classifyCatalog,
      onOrdered: () => {
        last = performance.now()
        return false
      },
    },
  )
  return { rps: (result.records.length * 1000) / (last - started), errors: result.counts.error }
}

/** The same, for autocannon: timed to its last 'response' event, not to its 1 s tick. */
async function runAutocannon(port: number, requests: number): Promise<{ rps: number; errors: number }> {
  collectGarbage()
  const started = performance.now()
  let last = started
  let responses = 0
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/items`,
        connections: CONCURRENCY,
        amount: requests,
        headers: { host: HOST },
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    )
    instance.on('response', () => {
      responses++
      last = performance.now()
    })
  })
  return { rps: (responses * 1000) / (last - started), errors: result.errors + result.non2xx }
}

async function throughput(port: number, settings: BenchSettings): Promise<void> {
  await runSampler(port, WARMUP_REQUESTS)
  await runAutocannon(port, WARMUP_REQUESTS)
  console.log(
    `sampler vs autocannon on loopback: ${settings.requests} requests per client per round, ${CONCURRENCY} connections each, server in its own process`,
  )
  console.log(
    `  ${'round'.padEnd(6)} ${'first'.padEnd(11)} ${'sampler/s'.padStart(10)} ${'autocannon/s'.padStart(13)} ${'ratio'.padStart(6)}`,
  )
  const ratios: number[] = []
  let errors = 0
  for (let round = 0; round < settings.rounds; round++) {
    const first = samplerFirst(round)
    const a = first ? await runSampler(port, settings.requests) : await runAutocannon(port, settings.requests)
    const b = first ? await runAutocannon(port, settings.requests) : await runSampler(port, settings.requests)
    const [ours, theirs] = first ? [a, b] : [b, a]
    errors += ours.errors + theirs.errors
    ratios.push(ours.rps / theirs.rps)
    console.log(
      `  ${String(round + 1).padEnd(6)} ${(first ? 'sampler' : 'autocannon').padEnd(11)} ${ours.rps.toFixed(0).padStart(10)} ${theirs.rps.toFixed(0).padStart(13)} ${(ours.rps / theirs.rps).toFixed(2).padStart(6)}`,
    )
  }
  const { min, median, max } = spread(ratios)
  console.log(
    `  sampler / autocannon: min ${min.toFixed(2)}, median ${median.toFixed(2)}, max ${max.toFixed(2)} over ${settings.rounds} rounds; errors ${errors} (the sampler also classifies every body, parsing each distinct one once, and keeps a record of every request)`,
  )
}

async function loadRates(port: number, settings: BenchSettings): Promise<void> {
  console.log('')
  console.log(
    `load generator at canary rates, ${settings.loadSeconds} s each, server answering in 100-450 ms`,
  )
  console.log(
    `  ${'asked/s'.padStart(7)} ${'achieved/s'.padStart(10)} ${'sent'.padStart(6)} ${'missed'.padStart(6)} ${'server err'.padStart(10)} ${'client err'.padStart(10)} ${'in flight'.padStart(9)} ${'send delay p99'.padStart(14)} ${'latency p50/p99'.padStart(15)}`,
  )
  for (const rps of LOAD_RATES) {
    const load = startLoad(
      { address: '127.0.0.1', port },
      { host: HOST, path: LOAD_PATH },
      classifyCatalog,
      rps,
    )
    await new Promise((resolve) => setTimeout(resolve, settings.loadSeconds * 1000))
    const run: LoadRun = await load.stop()
    const e = run.evidence
    const sent = run.filter((r) => r.sentAt !== null)
    const delay = quantile(
      sent.map((r) => (r.sentAt as number) - r.dueAt),
      0.99,
    )
    const latencies = sent.map((r) => r.answeredAt - (r.sentAt as number))
    console.log(
      `  ${String(rps).padStart(7)} ${e.achievedRps.toFixed(2).padStart(10)} ${String(e.sent).padStart(6)} ${String(e.missedLate + e.missedAtCap).padStart(6)} ${String(e.serverErrors).padStart(10)} ${String(e.clientErrors).padStart(10)} ${String(e.maxInFlight).padStart(9)} ${`${delay.toFixed(1)} ms`.padStart(14)} ${`${quantile(latencies, 0.5).toFixed(0)}/${quantile(latencies, 0.99).toFixed(0)} ms`.padStart(15)}`,
    )
  }
}

const COLUMN_WIDTHS = [11, 11, 8, 14, 24, 14, 10, 9]

/** The README's design table, computed live: the 2-SPRT against the smallest fixed exact test. */
function requestsToVerdict(): void {
  console.log('')
  console.log(`requests to a verdict at alpha=${DEFAULT_SPEC.alpha}, beta=${DEFAULT_SPEC.beta} (exact)`)
  const row = (cells: readonly string[]) =>
    console.log(
      `  ${cells.map((c, i) => (i < 2 ? c.padEnd(11) : c.padStart(COLUMN_WIDTHS[i] ?? 0))).join(' ')}`,
    )
  row(['p0', 'alternatives', 'fixed n', 'E[N | p0]', 'worst E[N] (at p)', 'max n', 'false fail', 'miss'])
  for (const p0 of [0.1, 0.2, 0.3, 0.4, 0.5, 0.9]) {
    const spec = { p0, ...DEFAULT_SPEC }
    const seq = designSequential(spec)
    if (seq.version !== '2-sprt-v2') continue
    const worst = worstExpectedN(seq.boundaries)
    const share = (n: number) => `${((100 * n) / seq.fixedN).toFixed(1)}%`
    row([
      String(p0),
      alternatives(spec)
        .map((p) => Number(p.toFixed(4)))
        .join(', '),
      String(seq.fixedN),
      `${seq.oc.expectedNAtP0.toFixed(0)} (${share(seq.oc.expectedNAtP0)})`,
      `${worst.expectedN.toFixed(0)} (${share(worst.expectedN)}, ${worst.p.toFixed(3)})`,
      `${seq.maxN} (${(seq.maxN / seq.fixedN).toFixed(2)}x)`,
      seq.oc.falseFailure.toExponential(2),
      seq.oc.miss.toExponential(2),
    ])
  }
}

async function main(): Promise<void> {
  const parsed = benchSettings(process.env)
  if ('error' in parsed) {
    console.error(`bench: ${parsed.error}`)
    process.exit(2)
  }
  const { port, child } = await startServer()
  try {
    await throughput(port, parsed.settings)
    await loadRates(port, parsed.settings)
  } finally {
    child.disconnect()
  }
  requestsToVerdict()
}

await main()
