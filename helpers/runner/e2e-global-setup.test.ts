import { afterEach, describe, expect, it, vi } from 'vitest'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json, startRecordingServer } from '../testing/recording-server.js'
import setup from './e2e-global-setup.js'

class Exit extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`exit ${code}`)
  }
}

function capture() {
  const lines: string[] = []
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  })
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exit(code)
  })
  return lines
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('e2e global setup', () => {
  it('stops with exit 2 and one line naming the context and the up command when unreachable', async () => {
    vi.stubEnv(
      'ITC_KUBECONFIG',
      writeKubeconfig({
        currentContext: 'kind-istio-conformance',
        contexts: ['kind-istio-conformance'],
        server: 'http://127.0.0.1:1',
      }),
    )
    const lines = capture()
    await expect(setup()).rejects.toEqual(new Exit(2))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('kube context kind-istio-conformance')
    expect(lines[0]).toContain("'npm run conformance -- up --name istio-conformance'")
  })

  it('refuses a foreign context even when started by hand', async () => {
    vi.stubEnv('ITC_KUBECONFIG', writeKubeconfig({ currentContext: 'prod', contexts: ['prod'] }))
    vi.stubEnv('ITC_CONTEXT', 'prod')
    const lines = capture()
    await expect(setup()).rejects.toEqual(new Exit(2))
    expect(lines[0]).toContain('--allow-existing-cluster')
  })

  it('lets the run go on when the API server answers', async () => {
    const api = await startRecordingServer((_req, res) => json(res, 200, { gitVersion: 'v1.26.15' }))
    try {
      vi.stubEnv(
        'ITC_KUBECONFIG',
        writeKubeconfig({
          currentContext: 'kind-istio-conformance',
          contexts: ['kind-istio-conformance'],
          server: api.url,
        }),
      )
      capture()
      await expect(setup()).resolves.toBeUndefined()
      expect(api.requests.map((r) => r.url)).toEqual(['/version'])
    } finally {
      await api.close()
    }
  })
})
