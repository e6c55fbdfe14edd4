import { chmodSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROFILES } from '../../../cluster/profiles.js'
import { isPortFree } from '../../system/ports.js'
import { toolVersion } from '../../system/tool-version.js'
import { tempDir } from '../../testing/temp-dir.js'
import { type DoctorObservations, doctorExitCode, judgeDoctor, renderDoctor } from './doctor.js'
import { parseDockerInfo } from './doctor-probes.js'

const book = PROFILES.book as NonNullable<(typeof PROFILES)['book']>

const healthy: DoctorObservations = {
  docker: { reachable: true, serverVersion: '28.2.2' },
  tools: { kind: '0.25.0', istioctl: '1.17.8', helm: '3.15.2', kubectl: '1.26.15' },
  port30000: { free: true, ownedBySuiteCluster: false },
  currentContext: 'kind-istio-conformance',
  ownership: { state: 'owned', server: 'https://127.0.0.1:41000', profile: 'book' },
}

describe('judgeDoctor', () => {
  it('passes a healthy machine with one OK line per check', () => {
    const lines = judgeDoctor(healthy, book, 'istio-conformance')
    expect(lines.map((l) => l.check)).toEqual([
      'docker',
      'kind',
      'istioctl',
      'helm',
      'kubectl',
      'port 30000',
      'ownership',
      'kube context',
    ])
    expect(lines.every((l) => l.status === 'OK')).toBe(true)
    expect(doctorExitCode(lines)).toBe(0)
  })

  it('shows the ownership proof as its own line, failing on a suite context that points elsewhere', () => {
    const foreign = judgeDoctor(
      { ...healthy, ownership: { state: 'foreign-server', server: 'https://prod.example:6443' } },
      book,
      'istio-conformance',
    )
    expect(foreign.find((l) => l.check === 'ownership')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('points at https://prod.example:6443'),
    })
    expect(doctorExitCode(foreign)).toBe(1)
    const unrecorded = judgeDoctor(
      {
        ...healthy,
        ownership: {
          state: 'not-owned',
          server: 'https://127.0.0.1:41000',
          why: 'it holds no ownership record',
        },
      },
      book,
      'istio-conformance',
    )
    expect(unrecorded.find((l) => l.check === 'ownership')).toMatchObject({ status: 'WARN' })
  })

  it('warns, without failing, when Docker has less memory than the lab wants', () => {
    const small = judgeDoctor(
      { ...healthy, docker: { reachable: true, serverVersion: '28.2.2', memoryBytes: 4 * 2 ** 30 } },
      book,
      'x',
    )
    const line = small.find((l) => l.check === 'docker memory')
    expect(line).toMatchObject({
      status: 'WARN',
      detail: expect.stringContaining('4.0 GiB available to Docker'),
    })
    expect(doctorExitCode(small)).toBe(0)
    const big = judgeDoctor({ ...healthy, docker: { reachable: true, memoryBytes: 16 * 2 ** 30 } }, book, 'x')
    expect(big.find((l) => l.check === 'docker memory')?.status).toBe('OK')
    expect(parseDockerInfo('28.2.2 8233213952\n')).toEqual({
      reachable: true,
      serverVersion: '28.2.2',
      memoryBytes: 8233213952,
    })
    expect(parseDockerInfo('28.2.2')).toEqual({ reachable: true, serverVersion: '28.2.2' })
  })

  it('fails when the Docker daemon is unreachable, with a fix', () => {
    const lines = judgeDoctor(
      { ...healthy, docker: { reachable: false, error: 'Cannot connect' } },
      book,
      'istio-conformance',
    )
    const docker = lines.find((l) => l.check === 'docker')
    expect(docker?.status).toBe('FAIL')
    expect(docker?.fix).toContain('start Docker')
    expect(doctorExitCode(lines)).toBe(1)
  })

  it('fails when port 30000 is taken by something else, and accepts the suite cluster owning it', () => {
    const taken = judgeDoctor(
      { ...healthy, port30000: { free: false, ownedBySuiteCluster: false } },
      book,
      'x',
    )
    expect(doctorExitCode(taken)).toBe(1)
    const owned = judgeDoctor(
      { ...healthy, port30000: { free: false, ownedBySuiteCluster: true } },
      book,
      'x',
    )
    expect(owned.find((l) => l.check === 'port 30000')?.detail).toContain("suite's cluster 'x'")
    expect(doctorExitCode(owned)).toBe(0)
  })

  it('does not fail on missing or mismatched tools: up downloads the pinned ones', () => {
    const lines = judgeDoctor(
      { ...healthy, tools: { kind: '0.20.0', istioctl: undefined, helm: undefined, kubectl: undefined } },
      book,
      'istio-conformance',
    )
    expect(lines.find((l) => l.check === 'kind')?.detail).toContain('profile wants 0.25.0')
    expect(lines.find((l) => l.check === 'istioctl')?.detail).toContain("'up' downloads 1.17.8")
    expect(doctorExitCode(lines)).toBe(0)
  })

  it('warns about a foreign current context without failing', () => {
    const lines = judgeDoctor({ ...healthy, currentContext: 'prod' }, book, 'istio-conformance')
    const ctx = lines.find((l) => l.check === 'kube context')
    expect(ctx?.status).toBe('WARN')
    expect(ctx?.fix).toContain('--allow-existing-cluster')
    expect(doctorExitCode(lines)).toBe(0)
    expect(renderDoctor(lines)).toMatch(/^WARN kube context/m)
  })
})

describe('doctor probes on this machine', () => {
  it('sees a bound port as taken and a released one as free', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    expect(await isPortFree(port)).toBe(false)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    expect(await isPortFree(port)).toBe(true)
  })

  it('reads a tool version from its output and treats a failing or absent tool as missing', async () => {
    const dir = tempDir('tools')
    const kind = join(dir, 'kind')
    // Output format of `kind version`, e.g. "kind v0.25.0 go1.22.9 linux/amd64".
    writeFileSync(kind, '#!/bin/sh\necho "kind v0.25.0 go1.22.9 linux/amd64"\n')
    const broken = join(dir, 'broken')
    writeFileSync(broken, '#!/bin/sh\necho "v9.9.9"; exit 1\n')
    chmodSync(kind, 0o755)
    chmodSync(broken, 0o755)
    expect(await toolVersion(kind, ['version'])).toBe('0.25.0')
    expect(await toolVersion(broken, ['version'])).toBeUndefined()
    expect(await toolVersion(join(dir, 'absent'), ['version'])).toBeUndefined()
  })
})
