import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startRecordingServer } from '../helpers/testing/recording-server.js'
import { recordingTools } from '../helpers/testing/recording-tools.js'
import { tempDir } from '../helpers/testing/temp-dir.js'
import { PROFILES, type Profile } from './profiles.js'
import { resolveTool } from './resolve-tools.js'

const book = PROFILES.book as Profile
const kindBinary = Buffer.from('#!/bin/sh\necho "kind v0.25.0 go1.22.9 linux/amd64"\n')

describe('resolveTool', () => {
  let server: Awaited<ReturnType<typeof startRecordingServer>>
  beforeAll(async () => {
    server = await startRecordingServer((req, res) => {
      if (req.url === '/kind/v0.25.0/kind-linux-amd64') res.end(kindBinary)
      else {
        res.writeHead(404)
        res.end()
      }
    })
  })
  afterAll(() => server.close())
  afterEach(() => vi.unstubAllEnvs())

  const bases = () => ({
    kind: `${server.url}/kind`,
    istio: `${server.url}/istio`,
    helm: `${server.url}/helm`,
  })
  const pinned: Profile = {
    ...book,
    kind: {
      ...book.kind,
      sha256: { ...book.kind.sha256, 'linux-amd64': createHash('sha256').update(kindBinary).digest('hex') },
    },
  }

  it('uses the tool on PATH when its version matches the profile, downloading nothing', async () => {
    const onPath = recordingTools({ kind: { stdout: 'kind v0.25.0 go1.22.9 linux/amd64\n' } })
    vi.stubEnv('PATH', `${onPath.dir}:${process.env.PATH}`)
    const toolsDir = tempDir('tools')
    const before = server.requests.length
    expect(await resolveTool('kind', pinned, 'linux-amd64', { toolsDir, bases: bases() })).toEqual({
      path: 'kind',
      source: 'path',
      version: '0.25.0',
    })
    expect(server.requests.length).toBe(before)
    expect(readdirSync(toolsDir)).toEqual([])
  })

  it('downloads the pinned version when PATH has another, then reuses it', async () => {
    const onPath = recordingTools({ kind: { stdout: 'kind v0.20.0 go1.20 linux/amd64\n' } })
    vi.stubEnv('PATH', `${onPath.dir}:${process.env.PATH}`)
    const toolsDir = tempDir('tools')
    const first = await resolveTool('kind', pinned, 'linux-amd64', { toolsDir, bases: bases() })
    expect(first).toEqual({
      path: join(toolsDir, 'kind-0.25.0', 'kind'),
      source: 'download',
      version: '0.25.0',
    })
    const second = await resolveTool('kind', pinned, 'linux-amd64', { toolsDir, bases: bases() })
    expect(second.source).toBe('tools-dir')
  })
})
