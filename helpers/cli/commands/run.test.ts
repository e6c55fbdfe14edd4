import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scenario as edgeRouting } from '../../../suites/edge-routing/scenario.js'
import { NotImplementedError } from '../../errors.js'
import { writeJson } from '../../progress.js'
import { E2E_ENV_KEYS } from '../../runner/e2e-env.js'
import { runScenario } from '../../runner/scenario.js'
import { startFakeApiServer } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { json } from '../../testing/recording-server.js'
import { parseArgv } from '../args.js'
import { type RunDeps, renderRunSummary, runCommand } from './run.js'

const OWN = 'kind-istio-conformance'
let api: Awaited<ReturnType<typeof startFakeApiServer>>
beforeAll(async () => {
  api = await startFakeApiServer((req, res) => {
    if (req.url === '/version') json(res, 200, { gitVersion: 'v1.26.15' })
    else if (req.url.startsWith('/api/v1/namespaces/kube-system/configmaps/istio-traffic-conformance')) {
      json(res, 200, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio-traffic-conformance' },
        data: { profile: 'book' },
      })
    } else return false
    return true
  })
})
afterAll(() => api.close())

function args(argv: string[]) {
  const parsed = parseArgv(argv)
  if (parsed.kind !== 'command') throw new Error('expected a command')
  return parsed.args
}

/** An e2e launcher that runs scenarios against the in-memory lab and saves results like e2e.ts does. */
function fakeLauncher(options: { break?: boolean; writeNothing?: boolean } = {}) {
  const calls: { files: readonly string[]; env: Readonly<Record<string, string>>; failFast: boolean }[] = []
  const spawnE2e: RunDeps['spawnE2e'] = async (files, env, launch) => {
    calls.push({ files, env, failFast: launch.failFast })
    if (options.writeNothing) return 1
    const fake = new FakeLab()
    if (options.break) fake.override = () => 'error'
    const result = await runScenario(edgeRouting, fake.adapters())
    await writeJson(join(env[E2E_ENV_KEYS.runDir] ?? '', 'scenarios', 'edge-routing.json'), result)
    return result.passed ? 0 : 1
  }
  return { calls, spawnE2e }
}

function deps(spawnE2e: RunDeps['spawnE2e'], suiteExists: RunDeps['suiteExists'] = () => true): RunDeps {
  return {
    spawnE2e,
    suiteExists,
    now: () => new Date('2026-11-27T08:00:00Z'),
    reportsDir: mkdtempSync(join(tmpdir(), 'itc-reports-')),
  }
}

describe('run with an injected e2e launcher', () => {
  const kubeconfig = () => writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url })

  it('hands the e2e project the guarded context, the ingress and a run folder named after time and profile', async () => {
    const launcher = fakeLauncher()
    const d = deps(launcher.spawnE2e)
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'edge-routing', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      d,
    )
    expect(code).toBe(0)
    expect(api.requests.find((r) => r.url === '/version')?.headers.authorization).toBe('Bearer test-token')
    const [call] = launcher.calls
    expect(call?.files).toEqual([expect.stringMatching(/suites\/edge-routing\/edge-routing\.e2e\.ts$/)])
    expect(call?.env).toMatchObject({
      [E2E_ENV_KEYS.context]: OWN,
      [E2E_ENV_KEYS.ingress]: '127.0.0.1:30000',
      [E2E_ENV_KEYS.runDir]: join(d.reportsDir, '2026-11-27T08-00-00Z-book'),
      [E2E_ENV_KEYS.egress]: 'hermetic',
    })
    expect(out.join('\n')).toContain('PASS edge-routing [5.2.2]')
    expect(out.join('\n')).toContain('\n1 scenarios: 1 passed, 0 failed; checks: 2 passed, 0 failed\n')
    expect(out.at(-1)).toMatch(/^reports: .*run\.json, .*junit\.xml, .*summary\.md, .*index\.html$/)
    const runDir = join(d.reportsDir, '2026-11-27T08-00-00Z-book')
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    expect(run).toMatchObject({
      schema: 1,
      profile: 'book',
      versions: { kubernetes: 'v1.26.15', istioControlPlane: 'absent' },
    })
    for (const f of ['junit.xml', 'summary.md', 'index.html'])
      expect(existsSync(join(runDir, f)), f).toBe(true)
  })

  it('exits 1 and names each failing check', async () => {
    const launcher = fakeLauncher({ break: true })
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'edge-routing', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      deps(launcher.spawnE2e),
    )
    expect(code).toBe(1)
    expect(out.join('\n')).toMatch(/FAIL converged: not observed: 3 consecutive v1 responses/)
    expect(out.join('\n')).toContain(
      "       hint: Is the Gateway's selector (istio: ingressgateway) matching the gateway pods",
    )
  })

  it('passes --fail-fast on to the e2e run', async () => {
    const launcher = fakeLauncher()
    await runCommand(
      args(['run', 'edge-routing', '--fail-fast', '--kubeconfig', kubeconfig()]),
      () => undefined,
      deps(launcher.spawnE2e),
    )
    expect(launcher.calls[0]?.failFast).toBe(true)
  })

  it('counts a scenario without a saved result as failed, never passed', async () => {
    const launcher = fakeLauncher({ writeNothing: true })
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'edge-routing', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      deps(launcher.spawnE2e),
    )
    expect(code).toBe(1)
    expect(out.join('\n')).toContain('FAIL edge-routing: no result was recorded')
  })

  it('runs what exists and then says what is not implemented yet (exit 3)', async () => {
    const launcher = fakeLauncher()
    const error = await runCommand(
      args(['run', 'edge-routing', 'mirroring', '--kubeconfig', kubeconfig()]),
      () => undefined,
      deps(launcher.spawnE2e, (id) => id !== 'mirroring'),
    ).catch((e: unknown) => e)
    expect(launcher.calls).toHaveLength(1)
    expect(error).toBeInstanceOf(NotImplementedError)
    expect((error as Error).message).toBe('not implemented yet: scenario mirroring')
  })
})

describe('renderRunSummary', () => {
  it('totals scenarios and checks', () => {
    expect(renderRunSummary([], ['x'])).toBe(
      'FAIL x: no result was recorded (the e2e run stopped before it finished)\n1 scenarios: 0 passed, 1 failed; checks: 0 passed, 0 failed',
    )
  })
})
