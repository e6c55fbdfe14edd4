import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { pollUntil } from '../poll.js'
import { startRecordingServer } from '../testing/recording-server.js'
import { tempDir } from '../testing/temp-dir.js'
import { downloadVerified, fetchPublishedSha256 } from './download.js'
import { runInterruptCleanups } from './interrupt.js'

describe('downloadVerified when interrupted', () => {
  it('Ctrl-C mid-download removes the partial file', async () => {
    const server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-length': '2048' })
      res.write(Buffer.alloc(1024, 1)) // half the body, then stall until the test ends
    })
    const dir = tempDir('dl')
    const download = downloadVerified(`${server.url}/kind`, join(dir, 'kind'), '0'.repeat(64)).catch(
      (e: unknown) => e,
    )
    await pollUntil(
      'partial file written',
      async () =>
        readdirSync(dir).some((f) => f.startsWith('kind.partial-'))
          ? { done: true, value: true }
          : { done: false, state: readdirSync(dir).join(',') || 'empty' },
      { timeoutMs: 5_000, intervalMs: 20 },
    )
    await runInterruptCleanups() // what the SIGINT handler runs before exiting
    expect(readdirSync(dir)).toEqual([])
    await server.close()
    expect(await download).toBeInstanceOf(Error)
    expect(existsSync(join(dir, 'kind'))).toBe(false)
  })
})

describe('fetchPublishedSha256', () => {
  it('reads sha256sum format and bare hashes', async () => {
    const hash = 'a'.repeat(64)
    // Format of Istio's <archive>.sha256 and kind's .sha256sum: "<hash>  <file name>".
    const server = await startRecordingServer((req, res) =>
      res.end(req.url === '/a' ? `${hash}  istio-1.17.8-linux-amd64.tar.gz\n` : 'no hash here'),
    )
    try {
      expect(await fetchPublishedSha256(`${server.url}/a`)).toBe(hash)
      await expect(fetchPublishedSha256(`${server.url}/b`)).rejects.toThrow('no sha256 in')
    } finally {
      await server.close()
    }
  })
})
