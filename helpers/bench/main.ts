/**
 * npm run bench: how fast the sampler drives a server compared with autocannon on the same
 * loopback server in the same run, and how many requests the sequential test needs to reach a
 * verdict compared with the exact fixed-sample test. Bounded in requests and time; loopback only.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import autocannon from 'autocannon'
import { classifyCatalog } from '../http/classify.js'
import { sample } from '../http/sampler.js'
import { DEFAULT_SPEC, designFixed, designSequential } from '../stats/ratio-tests.js'

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000)
const CONCURRENCY = 8
const BODY = JSON.stringify([
  { id: 1, color: 'amber', department: 'Eyewear', name: 'Elinor Glasses', price: '282.00' },
])

async function main(): Promise<void> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(BODY)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    // Warm both paths once so neither pays for JIT or first connections alone.
    await sample(
      { address: '127.0.0.1', port },
      { host: 'catalog.istioinaction.io', path: '/items' },
      { maxRequests: 500, classify: classifyCatalog },
    )
    const ours = await sample(
      { address: '127.0.0.1', port },
      { host: 'catalog.istioinaction.io', path: '/items' },
      { maxRequests: REQUESTS, concurrency: CONCURRENCY, classify: classifyCatalog },
    )
    const theirs = await autocannon({
      url: `http://127.0.0.1:${port}/items`,
      connections: CONCURRENCY,
      amount: REQUESTS,
      headers: { host: 'catalog.istioinaction.io' },
    })
    const oursRps = (ours.records.length / ours.elapsedMs) * 1000
    const theirsRps = theirs.requests.total / theirs.duration
    console.log(`sampler throughput on loopback (${REQUESTS} requests, concurrency ${CONCURRENCY})`)
    console.log(`  ${'tool'.padEnd(34)} ${'req/s'.padStart(9)}  errors`)
    console.log(
      `  ${'istio-traffic-conformance sampler'.padEnd(34)} ${oursRps.toFixed(0).padStart(9)}  ${ours.counts.error}`,
    )
    console.log(
      `  ${'autocannon'.padEnd(34)} ${theirsRps.toFixed(0).padStart(9)}  ${theirs.errors + theirs.non2xx}`,
    )
    console.log(
      `  sampler / autocannon: ${(oursRps / theirsRps).toFixed(2)} (the sampler also parses and classifies every body)`,
    )
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  console.log('')
  console.log(
    `requests to a verdict at alpha=${DEFAULT_SPEC.alpha}, beta=${DEFAULT_SPEC.beta}, delta=${DEFAULT_SPEC.delta} (exact)`,
  )
  console.log(
    `  ${'p0'.padEnd(5)} ${'fixed n'.padStart(8)} ${'seq E[N|p0]'.padStart(12)} ${'ratio'.padStart(7)} ${'seq E[N|p0-d]'.padStart(14)} ${'seq E[N|p0+d]'.padStart(14)} ${'seq max'.padStart(8)}`,
  )
  for (const p0 of [0.1, 0.5]) {
    const spec = { p0, ...DEFAULT_SPEC }
    const fixed = designFixed(spec)
    const seq = designSequential(spec)
    const at = (p: number) => seq.oc.points.find((pt) => Math.abs(pt.p - p) < 1e-12)?.expectedN ?? Number.NaN
    console.log(
      `  ${String(p0).padEnd(5)} ${String(fixed.n).padStart(8)} ${seq.oc.expectedNAtP0.toFixed(0).padStart(12)} ${`${((100 * seq.oc.expectedNAtP0) / fixed.n).toFixed(1)}%`.padStart(7)} ${at(
        p0 - DEFAULT_SPEC.delta,
      )
        .toFixed(0)
        .padStart(14)} ${at(p0 + DEFAULT_SPEC.delta)
        .toFixed(0)
        .padStart(14)} ${String(seq.maxN).padStart(8)}`,
    )
  }
}

await main()
