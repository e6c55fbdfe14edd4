import { afterEach, describe, expect, it } from 'vitest'
import { pollUntil } from '../poll.js'
import { startRecordingServer } from '../testing/recording-server.js'
import { classifyCatalog } from './classify.js'
import { startLoad } from './load.js'

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
})

describe('startLoad against a local server', () => {
  it('sends at the requested rate until stopped, and nothing after', async () => {
    const server = await startRecordingServer((_req, res) => res.end('[{"id":1}]'))
    close = server.close
    const load = startLoad(
      { address: '127.0.0.1', port: server.port },
      { host: 'webapp.istioinaction.io', path: '/api/catalog' },
      classifyCatalog,
      100,
    )
    const started = Date.now()
    await pollUntil(
      '30 requests served',
      async () =>
        server.requests.length >= 30
          ? { done: true, value: true }
          : { done: false, state: `${server.requests.length}` },
      {
        timeoutMs: 5_000,
        intervalMs: 10,
      },
    )
    const records = await load.stop()
    const elapsed = (Date.now() - started) / 1000
    const served = server.requests.length
    expect(records.length).toBe(served)
    expect(records.every((r) => r.class === 'v1')).toBe(true)
    // Paced, not flooding: at most the rate over the elapsed time, plus the first request.
    expect(served).toBeLessThanOrEqual(Math.ceil(100 * elapsed) + 1)
    expect(server.requests.every((r) => r.headers.host === 'webapp.istioinaction.io')).toBe(true)
    expect(records.map((r) => r.at)).toEqual([...records.map((r) => r.at)].sort())
    await new Promise((resolve) => setImmediate(resolve))
    expect(server.requests.length).toBe(served)
  })
})
