import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fetch } from 'undici'
import { SuiteError } from '../errors.js'
import { onInterrupt } from './interrupt.js'

export class DownloadError extends SuiteError {
  constructor(message: string, fix?: string) {
    super(message, 1, fix)
  }
}

/**
 * Downloads `url` to `dest`, verifying its sha256 against `expectedSha256` before the file
 * appears under its name. The bytes go to a `.partial-*` file beside `dest` that is removed
 * on any failure, mismatch or Ctrl-C, so `dest` is either absent or complete and verified.
 * Returns the sha256 seen.
 */
export async function downloadVerified(url: string, dest: string, expectedSha256: string): Promise<string> {
  await mkdir(dirname(dest), { recursive: true })
  const partial = `${dest}.partial-${process.pid}-${randomBytes(4).toString('hex')}`
  const unregister = onInterrupt(() => rm(partial, { force: true }))
  try {
    const response = await fetchOk(url)
    const hash = createHash('sha256')
    const hasher = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk)
        done(null, chunk)
      },
    })
    if (!response.body) throw new DownloadError(`empty body from ${url}`)
    await pipeline(Readable.fromWeb(response.body), hasher, createWriteStream(partial, { mode: 0o644 }))
    const actual = hash.digest('hex')
    if (actual !== expectedSha256.toLowerCase()) {
      throw new DownloadError(
        `checksum mismatch for ${url}: expected sha256 ${expectedSha256}, got ${actual}; nothing was kept`,
        'the download was altered or the pinned checksum is wrong: check the release page before changing cluster/profiles.ts',
      )
    }
    await rename(partial, dest)
    return actual
  } finally {
    unregister()
    await rm(partial, { force: true })
  }
}

/** Fetches a small text file (a publisher's checksum file) and returns its first sha256 token. */
export async function fetchPublishedSha256(checksumUrl: string): Promise<string> {
  const text = await (await fetchOk(checksumUrl)).text()
  // Formats: "<sha256>  <file>" (sha256sum) or a bare "<sha256>".
  const token = /\b([0-9a-fA-F]{64})\b/.exec(text)?.[1]
  if (!token) throw new DownloadError(`no sha256 in ${checksumUrl}`)
  return token.toLowerCase()
}

async function fetchOk(url: string) {
  let response: Awaited<ReturnType<typeof fetch>>
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    throw new DownloadError(
      `cannot download ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      'check the internet connection (the main job needs it for tools and images)',
    )
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new DownloadError(
      `HTTP ${response.status} for ${url}`,
      'check that the version in cluster/profiles.ts exists for this platform',
    )
  }
  return response
}
