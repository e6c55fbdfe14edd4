import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { DeadlineError } from '../poll.js'
import { type RecordedRequest, startRecordingServer } from '../testing/recording-server.js'
import { classifyCatalog } from './classify.js'
import { awaitConvergence, type RequestRecord, sample } from './sampler.js'

// Bodies shaped like catalog's GET /items (ch5-lab.md): v2 adds imageUrl to every item.
const V1_BODY = JSON.stringify(
  [{ id: 1, color: 'amber', department: 'Eyewear', name: 'Elinor Glasses', price: '282.00' }],
  null,
  2,
)
const V2_BODY = JSON.stringify(
  [
    {
      id: 1,
      color: 'amber',
      department: 'Eyewear',
      name: 'Elinor Glasses',
      price: '282.00',
      imageUrl: 'http://lorempixel.com/640/480',
    },
  ],
  null,
  2,
)

let servers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function server(handler: (req: RecordedRequest, res: ServerResponse) => void) {
  const s = await startRecordingServer(handler)
  servers.push(s)
  return { ...s, target: { address: '127.0.0.1', port: s.port } }
}

describe('sample against a local HTTP server', () => {
  it('counts exactly under concurrency, sends the Host header and a unique x-request-id', async () => {
    let served = 0
    let inFlight = 0
    let maxInFlight = 0
    const s = await server((_req, res) => {
      const n = served++
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      setImmediate(() => {
        inFlight--
        res.end(n % 10 === 9 ? V2_BODY : V1_BODY)
      })
    })
    const result = await sample(
      s.target,
      { host: 'catalog.istioinaction.io', path: '/items' },
      { maxRequests: 200, classify: classifyCatalog },
    )
    expect(result.records).toHaveLength(200)
    expect(result.counts).toEqual({ v1: 180, v2: 20, error: 0 })
    expect(s.requests.every((r) => r.headers.host === 'catalog.istioinaction.io' && r.url === '/items')).toBe(
      true,
    )
    expect(new Set(s.requests.map((r) => r.headers['x-request-id'])).size).toBe(200)
    expect(maxInFlight).toBeGreaterThan(1)
    expect(maxInFlight).toBeLessThanOrEqual(8)
    expect(result.records.map((r) => r.index)).toEqual([...Array(200).keys()])
  })

  it('passes extra headers such as x-istio-cohort', async () => {
    const s = await server((_req, res) => res.end(V2_BODY))
    await sample(
      s.target,
      { host: 'webapp.istioinaction.io', path: '/api/catalog', headers: { 'x-istio-cohort': 'internal' } },
      { maxRequests: 3, classify: classifyCatalog },
    )
    expect(s.requests.map((r) => r.headers['x-istio-cohort'])).toEqual(['internal', 'internal', 'internal'])
  })

  it('counts timeouts and resets as errors with a reason', async () => {
    const s = await server((req, res) => {
      if (req.url === '/slow') return // never answers
      res.socket?.destroy() // reset
    })
    const slow = await sample(
      s.target,
      { host: 'h', path: '/slow' },
      { maxRequests: 2, timeoutMs: 200, classify: classifyCatalog },
    )
    expect(slow.counts.error).toBe(2)
    expect(slow.records.every((r) => r.reason === 'timeout' && r.status === null)).toBe(true)
    const reset = await sample(
      s.target,
      { host: 'h', path: '/reset' },
      { maxRequests: 2, classify: classifyCatalog },
    )
    expect(reset.counts.error).toBe(2)
    expect(reset.records[0]?.reason).toMatch(/SOCKET|ECONNRESET|other side closed/i)
  })

  it('hands records over in issue order although they complete out of order, and stops on request', async () => {
    let served = 0
    const s = await server((_req, res) => {
      const n = served++
      setTimeout(() => res.end(V1_BODY), n % 2 === 0 ? 30 : 1) // even requests finish later
    })
    const seen: number[] = []
    const result = await sample(
      s.target,
      { host: 'h', path: '/items' },
      {
        maxRequests: 1000,
        classify: classifyCatalog,
        onOrdered: (r: RequestRecord) => {
          seen.push(r.index)
          return seen.length === 20
        },
      },
    )
    expect(seen).toEqual([...Array(20).keys()])
    expect(result.stoppedEarly).toBe(true)
    expect(result.records.length).toBeLessThan(40)
  })
})

describe('classifyCatalog', () => {
  it('tells v1 from v2 by imageUrl and explains errors', () => {
    expect(classifyCatalog(200, V1_BODY)).toEqual({ class: 'v1' })
    expect(classifyCatalog(200, V2_BODY)).toEqual({ class: 'v2' })
    expect(classifyCatalog(500, 'error calling Catalog service')).toEqual({
      class: 'error',
      reason: 'status 500: error calling Catalog service',
    })
    expect(classifyCatalog(200, '<html>')).toEqual({ class: 'error', reason: 'unparsable body: <html>' })
    expect(classifyCatalog(200, '{"a":1}').class).toBe('error')
    expect(classifyCatalog(200, '[]')).toEqual({ class: 'error', reason: 'empty item list' })
  })
})

describe('awaitConvergence', () => {
  it('passes after K consecutive expected responses, once the route has switched', async () => {
    let served = 0
    const s = await server((_req, res) => {
      served++
      if (served <= 4) {
        res.statusCode = 404
        res.end()
      } else res.end(V2_BODY)
    })
    const result = await awaitConvergence(s.target, { host: 'h', path: '/items' }, classifyCatalog, 'v2', {
      intervalMs: 5,
    })
    expect(result.requests).toBe(7)
  })

  it('times out reporting the classes seen and the last error', async () => {
    let served = 0
    const s = await server((_req, res) => {
      if (served++ % 2) res.end(V1_BODY)
      else {
        res.statusCode = 503
        res.end('no healthy upstream')
      }
    })
    const error = await awaitConvergence(s.target, { host: 'h', path: '/items' }, classifyCatalog, 'v2', {
      timeoutMs: 300,
      intervalMs: 20,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineError)
    expect((error as Error).message).toMatch(
      /^3 consecutive v2 responses from h\/items: not reached within 0\.3 s; last state seen: classes seen: v1 x\d+, error x\d+ \(last error: status 503: no healthy upstream\)$/,
    )
  })
})
