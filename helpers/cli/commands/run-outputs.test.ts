import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Interrupts } from '../../system/interrupt.js'
import { type startFakeApiServer, startOwnedCluster } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { CLUSTER_CONFIG } from '../../testing/run-fixtures.js'
import { tempDir } from '../../testing/temp-dir.js'
import { parseArgv } from '../args.js'
import { type RunDeps, runCommand } from './run.js'

const OWN = 'kind-istio-conformance'
let api: Awaited<ReturnType<typeof startFakeApiServer>>
beforeAll(async () => {
  api = await startOwnedCluster({ gitVersion: 'v1.36.4', profile: 'current' })
})
afterAll(() => api.close())

describe('run --report-dir and --junit: results where a CI job expects them', () => {
  it('writes the report folder at DIR and a copy of junit.xml at PATH', async () => {
    const out = tempDir('ci')
    const reportsDir = tempDir('reports')
    const deps: RunDeps = {
      adapters: (_client, _ingress, log) => ({ ...new FakeLab(CLUSTER_CONFIG).adapters(), log }),
      now: () => new Date('2026-11-27T08:00:00Z'),
      reportsDir,
      journalDir: tempDir('journal'),
      interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
    }
    const kubeconfig = writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url })
    const parsed = parseArgv([
      'run',
      'edge-routing',
      '--kubeconfig',
      kubeconfig,
      '--report-dir',
      join(out, 'results'),
      '--junit',
      join(out, 'junit', 'conformance.xml'),
    ])
    if (parsed.kind !== 'command') throw new Error('expected a command')
    const code = await runCommand(parsed.args, () => undefined, deps)
    expect(code).toBe(0)
    for (const f of ['run.json', 'junit.xml', 'summary.md', 'index.html'])
      expect(existsSync(join(out, 'results', f)), f).toBe(true)
    expect(readFileSync(join(out, 'junit', 'conformance.xml'), 'utf8')).toBe(
      readFileSync(join(out, 'results', 'junit.xml'), 'utf8'),
    )
    // Nothing in the default place.
    expect(existsSync(join(reportsDir, '2026-11-27T08-00-00Z-current'))).toBe(false)
  })
})
