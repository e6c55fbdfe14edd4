import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { SCENARIO_IDS } from '../../suites/index.js'
import { writeKubeconfig, writeRaw } from '../testing/kubeconfig-fixtures.js'
import { json, startRecordingServer } from '../testing/recording-server.js'
import { recordingTools } from '../testing/recording-tools.js'
import { main } from './main.js'

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

const OWN = 'kind-istio-conformance'

describe('CLI contract', () => {
  it('plan --json prints one JSON document naming node port 30000 and all twelve scenarios', async () => {
    const { code, out, err } = await cli(['plan', '--json'])
    expect(code).toBe(0)
    expect(err).toBe('')
    const plan = JSON.parse(out)
    expect(plan.hostPorts.http).toBe(30000)
    expect(plan.hostPorts.https).toBe(30005)
    expect(plan.scenarios.map((s: { id: string }) => s.id)).toEqual(SCENARIO_IDS)
    // Each check's design in numbers, and the run's bound on failing a correct mesh.
    const shift = plan.scenarios.find((s: { id: string }) => s.id === 'weighted-shift')
    expect(shift.checks[0].design).toMatchObject({ kind: 'ratio', alternatives: [0.05, 0.15], fixedN: 2728 })
    expect(plan.falseFailureBound).toBeGreaterThan(0)
    expect(plan.falseFailureBound).toBeLessThanOrEqual(1e-5)
    expect(SCENARIO_IDS).toHaveLength(12)
  })

  it('plan --profile book --json shows Istio 1.17.8 and the node image with its digest', async () => {
    const plan = JSON.parse((await cli(['plan', '--profile', 'book', '--json'])).out)
    expect(plan.versions.istio.version).toBe('1.17.8')
    expect(plan.cluster.nodeImage).toMatch(/^kindest\/node:v1\.26\.15@sha256:[0-9a-f]{64}$/)
    expect(plan.toolChecksums.kind['linux-amd64']).toMatch(/^[0-9a-f]{64}$/)
    expect(plan.toolChecksums.istio['darwin-arm64']).toContain("publisher's checksum file")
  })

  it('plan without --json is readable text with every scenario and its checks', async () => {
    const { out } = await cli(['plan'])
    for (const id of SCENARIO_IDS) expect(out).toContain(`  ${id}  [`)
    expect(out).toContain('NodePort 30000')
  })

  it('run --list prints the twelve ids with titles, one per line', async () => {
    const { code, out } = await cli(['run', '--list'])
    expect(code).toBe(0)
    const lines = out.split('\n')
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(SCENARIO_IDS)
  })

  it.each([
    [['frobnicate'], 'frobnicate'],
    [['run', 'no-such-id'], 'no-such-id'],
    [['plan', '--profile', 'nope'], 'nope'],
    [['up', '--profile', 'nope'], 'nope'],
  ])('%j exits 2 naming the bad word', async (argv, word) => {
    const { code, err } = await cli(argv)
    expect(code).toBe(2)
    expect(err.split('\n')[0]).toContain(word)
    expect(err).toContain('fix: ')
  })

  it('run against a kubeconfig whose current context is prod refuses with exit 2', async () => {
    const kubeconfig = writeKubeconfig({ currentContext: 'prod', contexts: ['prod', OWN] })
    const { code, err } = await cli(['run', '--kubeconfig', kubeconfig])
    expect(code).toBe(2)
    expect(err).toContain("'prod'")
    expect(err).toContain('--allow-existing-cluster')
  })

  it('run with a malformed kubeconfig exits 2 with one cause line', async () => {
    const { code, err } = await cli(['run', '--kubeconfig', writeRaw('clusters: [oops\n')])
    expect(code).toBe(2)
    expect(err.split('\n')[0]).toMatch(/^error: malformed kubeconfig/)
  })

  it('a run record of the wrong shape exits 2 naming the first bad field, not a stack trace', async () => {
    // This record used to crash the judge (exit 1); the run.json schema now refuses it first.
    const dir = writeRaw(
      '{"schema": 2, "scenarios": [{"id": "x", "checks": [{"check": "c", "evidence": null}]}]}',
    )
    const { code, err } = await cli(['report', 'rejudge', dir])
    expect(code).toBe(2)
    expect(err.split('\n')).toHaveLength(2)
    expect(err).toMatch(/^error: .* is not a run record of this suite: \/suite is missing\nfix: /)
  })

  it('report with a missing run record exits 2 naming the file', async () => {
    const { code, err } = await cli(['report', 'rejudge', '/nonexistent/run.json'])
    expect(code).toBe(2)
    expect(err).toContain('no run record at /nonexistent/run.json')
  })

  it.each([{ argv: ['up'] }, { argv: ['down'] }, { argv: [] }])(
    '$argv without a Docker daemon exits 2 before touching anything',
    async ({ argv }) => {
      // A fake docker that fails like a client without a daemon: hermetic even where Docker runs.
      const fake = recordingTools({
        docker: { stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock\n', exit: 1 },
      })
      vi.stubEnv('PATH', `${fake.dir}:${process.env.PATH}`)
      try {
        const { code, err } = await cli(argv)
        expect(code).toBe(2)
        expect(err).toContain('Docker daemon not reachable: Cannot connect to the Docker daemon')
        expect(err).toContain('doctor')
        expect(fake.calls()).toEqual([['docker', 'info', '--format', '{{.ServerVersion}}']])
      } finally {
        vi.unstubAllEnvs()
      }
    },
  )

  it('help exists for the CLI and for every command', async () => {
    expect((await cli(['--help'])).out).toContain('commands:')
    for (const command of ['all', 'plan', 'doctor', 'up', 'down', 'run', 'report']) {
      const { code, out } = await cli([command, '--help'])
      expect(code).toBe(0)
      expect(out).toContain('flags:')
    }
  })
})

describe('run against an API server on 127.0.0.1', () => {
  let api: Awaited<ReturnType<typeof startRecordingServer>>
  beforeAll(async () => {
    api = await startRecordingServer((req, res) => {
      if (req.url === '/version') json(res, 200, { major: '1', minor: '36', gitVersion: 'v1.36.4' })
      else json(res, 404, {})
    })
  })
  afterAll(() => api.close())

  it('an unreachable cluster exits 2 with the context and the command that creates it', async () => {
    const kubeconfig = writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: 'http://127.0.0.1:1' })
    const { code, err } = await cli(['run', '--kubeconfig', kubeconfig])
    expect(code).toBe(2)
    expect(err).toContain(`cluster of context ${OWN} is unreachable`)
    expect(err).toContain('npm run conformance -- up --name istio-conformance')
  })
})

describe('package bin', () => {
  it('runs the TypeScript CLI without a build step', async () => {
    const run = promisify(execFile)
    // tsx would otherwise leave its transform cache (tsx-<uid>) in the OS temp directory.
    const { stdout } = await run(process.execPath, ['bin/istio-traffic-conformance.mjs', 'run', '--list'], {
      env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    })
    expect(stdout.trim().split('\n')).toHaveLength(12)
  })
})
