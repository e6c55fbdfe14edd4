import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../errors.js'
import { checkRunRecord } from '../../report/record-schema.js'
import { Interrupts } from '../../system/interrupt.js'
import { commandArgs } from '../../testing/cli-args.js'
import { type startFakeApiServer, startOwnedCluster } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { CLUSTER_CONFIG, labNamespace } from '../../testing/run-fixtures.js'
import { tempDir } from '../../testing/temp-dir.js'
import { journalFor } from './connect.js'
import { type RunDeps, renderRunSummary, runCommand } from './run.js'

const OWN = 'kind-istio-conformance'
let api: Awaited<ReturnType<typeof startFakeApiServer>>
beforeAll(async () => {
  api = await startOwnedCluster({ gitVersion: 'v1.26.15', profile: 'book' })
})
afterAll(() => api.close())

const args = commandArgs

/** Scenarios run in this process against the in-memory lab instead of a real cluster. */
function deps(options: { break?: boolean; initial?: readonly KubernetesObject[] } = {}) {
  const fakes: FakeLab[] = []
  const d: RunDeps = {
    adapters: (client, ingress, log) => {
      const fake = new FakeLab(options.initial ?? CLUSTER_CONFIG)
      if (options.break) fake.override = () => 'error'
      fakes.push(fake)
      contexts.push({ context: client.context, ingress })
      return { ...fake.adapters(), log }
    },
    now: () => new Date('2026-11-27T08:00:00Z'),
    reportsDir: tempDir('reports'),
    journalDir: tempDir('journal'),
    interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
  }
  const contexts: { context: string; ingress: string }[] = []
  return { deps: d, fakes, contexts }
}

describe('run, in one process', () => {
  const kubeconfig = () => writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url })

  it('runs the chosen scenarios on the guarded context and writes the run folder named after time and profile', async () => {
    const { deps: d, contexts } = deps()
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'edge-routing', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      d,
    )
    expect(code).toBe(0)
    expect(api.requests.find((r) => r.url === '/version')?.headers.authorization).toBe('Bearer test-token')
    expect(contexts).toEqual([{ context: OWN, ingress: '127.0.0.1:30000' }])
    expect(out.join('\n')).toContain('PASS edge-routing [5.2.2]')
    expect(out.join('\n')).toContain('\n1 scenarios: 1 passed, 0 failed; checks: 2 passed, 0 failed\n')
    expect(out.at(-1)).toMatch(/^reports: .*run\.json, .*junit\.xml, .*summary\.md, .*index\.html$/)
    const runDir = join(d.reportsDir, '2026-11-27T08-00-00Z-book')
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    expect(run).toMatchObject({
      profile: 'book',
      versions: { kubernetes: 'v1.26.15', istioControlPlane: 'absent' },
      scenarios: [{ id: 'edge-routing', passed: true }],
    })
    expect(run.scenarios[0].checks[0]).toMatchObject({ title: expect.any(String), hint: expect.any(String) })
    expect(run).toMatchObject({ selected: ['edge-routing'], passed: true })
    expect(checkRunRecord(run)).toMatchObject({ ok: true })
    for (const f of ['junit.xml', 'summary.md', 'index.html', 'scenarios/edge-routing.json'])
      expect(existsSync(join(runDir, f)), f).toBe(true)
  })

  it('--serial: the apps once, as the base lab, recorded in run.json and named in every report', async () => {
    const { deps: d, fakes } = deps()
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'mesh-routing', 'edge-routing', 'subset-v1', '--serial', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      d,
    )
    expect(code).toBe(0)
    const runDir = join(d.reportsDir, '2026-11-27T08-00-00Z-book')
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    expect(checkRunRecord(run)).toMatchObject({ ok: true })
    // Book order; edge-routing, which needs catalog-v2 gone, runs before those that need it.
    expect(run.scenarios.map((r: { id: string }) => r.id)).toEqual([
      'edge-routing',
      'subset-v1',
      'mesh-routing',
    ])
    expect(run.baseLab).toMatchObject({
      namespace: 'istioinaction',
      order: ['edge-routing', 'subset-v1', 'mesh-routing'],
      rollouts: { 'Deployment/catalog': 1, 'Deployment/catalog-v2': 1, 'Deployment/webapp': 1 },
      cleanup: { errors: [] },
    })
    expect(fakes[0]?.rollouts.sort()).toEqual([
      'Deployment/istioinaction/catalog',
      'Deployment/istioinaction/catalog-v2',
      'Deployment/istioinaction/webapp',
    ])
    const said =
      'Base lab: the apps were applied once in istioinaction for every scenario (rollouts: catalog ×1, catalog-v2 ×1, webapp ×1) and removed at the end'
    expect(out.join('\n')).toContain(said)
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain(said)
    expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toContain(said)
    expect([...(fakes[0]?.objects.keys() ?? [])].filter((k) => k.includes('/istioinaction/'))).toEqual([])
  })

  it('exits 1 and names each failing check with its hint', async () => {
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'edge-routing', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      deps({ break: true }).deps,
    )
    expect(code).toBe(1)
    expect(out.join('\n')).toMatch(/FAIL converged: not observed: 3 consecutive v1 responses/)
    expect(out.join('\n')).toContain(
      "       hint: Is the Gateway's selector (istio: ingressgateway) matching the gateway pods",
    )
  })

  it('with --fail-fast --serial stops after the first failing scenario and counts the rest as failed, never passed', async () => {
    const out: string[] = []
    const { deps: d, fakes } = deps({ break: true })
    const code = await runCommand(
      args(['run', 'edge-routing', 'subset-v1', '--fail-fast', '--serial', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      d,
    )
    expect(code).toBe(1)
    expect(fakes).toHaveLength(1)
    expect(fakes[0]?.applied).not.toContain('Deployment/catalog-v2')
    expect(out.join('\n')).toContain('FAIL subset-v1: not run (the run stopped before it)')
    const run = JSON.parse(readFileSync(join(d.reportsDir, '2026-11-27T08-00-00Z-book', 'run.json'), 'utf8'))
    expect(run.missingResults).toEqual(['subset-v1'])
  })
})

describe('run recovers first', () => {
  const kubeconfig = () => writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url })
  const mesh = (policy: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio', namespace: 'istio-system' },
    data: { mesh: `accessLogFile: /dev/stdout\noutboundTrafficPolicy:\n  mode: ${policy}\n` },
  })

  it('undoes what an interrupted run left in the journal, saying what, before anything else', async () => {
    const { deps: d, fakes } = deps({ initial: [mesh('REGISTRY_ONLY'), labNamespace('istioinaction')] })
    const journal = journalFor(OWN, api.url, d.journalDir)
    journal.record(
      'egress-registry-only',
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'istio', namespace: 'istio-system' },
      mesh('ALLOW_ANY'),
      { kind: 'apply', object: mesh('REGISTRY_ONLY') },
      new Date(),
    )
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'edge-routing', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      d,
    )
    expect(code).toBe(0)
    expect(out).toContain(`undoing 1 change(s) an earlier run left (journal ${journal.location}):`)
    expect(out).toContain('  restore ConfigMap/istio-system/istio (egress-registry-only)')
    expect(fakes[0]?.objects.get('ConfigMap/istio-system/istio')).toEqual(mesh('ALLOW_ANY'))
    expect(journalFor(OWN, api.url, d.journalDir).entries()).toEqual([])
  })

  it('refuses a mesh left in REGISTRY_ONLY that no journal entry explains (exit 2, with the fix)', async () => {
    const { deps: d, fakes } = deps({ initial: [mesh('REGISTRY_ONLY'), labNamespace('istioinaction')] })
    const error = await runCommand(
      args(['run', 'edge-routing', '--kubeconfig', kubeconfig()]),
      () => undefined,
      d,
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toContain(
      'sets outboundTrafficPolicy REGISTRY_ONLY and no journal entry explains it',
    )
    expect((error as UsageError).message).toContain('kubectl -n istio-system edit configmap istio')
    expect(fakes[0]?.applied).toEqual([])
  })
})

describe('renderRunSummary', () => {
  it('totals scenarios and checks', () => {
    expect(renderRunSummary([], ['x'])).toBe(
      'FAIL x: not run (the run stopped before it)\n1 scenarios: 0 passed, 1 failed; checks: 0 passed, 0 failed',
    )
  })
})

describe('run, scenarios concurrently (the default on the suite own cluster)', () => {
  const kubeconfig = () => writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url })

  it('runs each scenario in a namespace of its own, with its own lab, and leaves nothing behind', async () => {
    const { deps: d, fakes } = deps()
    const out: string[] = []
    const code = await runCommand(
      args([
        'run',
        'edge-routing',
        'weighted-shift',
        'mirroring',
        'egress-registry-only',
        '--kubeconfig',
        kubeconfig(),
      ]),
      (l) => out.push(l),
      d,
    )
    const text = out.join('\n')
    expect(code, text).toBe(0)
    expect(text).toContain(
      'scenarios run concurrently, at most 4 at once, each in a namespace of its own (itc-<scenario-id>)',
    )
    // One lab for the run's own reads, then one per scenario, each in its namespace only.
    expect(fakes).toHaveLength(5)
    const namespaces = fakes.slice(1).map((f) => f.applied[0])
    expect(namespaces.sort()).toEqual([
      'Namespace/itc-edge-routing',
      'Namespace/itc-egress-registry-only',
      'Namespace/itc-mirroring',
      'Namespace/itc-weighted-shift',
    ])
    for (const fake of fakes.slice(1)) {
      const ns = (fake.applied[0] ?? '').replace('Namespace/', '')
      for (const p of fake.probes) expect(p.host.endsWith(`.${ns}.istioinaction.io`)).toBe(true)
      for (const q of [...fake.logReads, ...fake.routeFetches])
        expect([ns, 'istio-system']).toContain(q.namespace)
      // Cleanup removed the namespace and restored the mesh config it found.
      expect([...fake.objects.keys()].filter((k) => k.includes(ns))).toEqual([])
      expect(fake.objects.get('ConfigMap/istio-system/istio')).toEqual(CLUSTER_CONFIG[0])
    }
    const run = JSON.parse(readFileSync(join(d.reportsDir, '2026-11-27T08-00-00Z-book', 'run.json'), 'utf8'))
    expect(checkRunRecord(run)).toMatchObject({ ok: true })
    expect(run.scenarios.map((s: { id: string }) => s.id)).toEqual([
      'edge-routing',
      'weighted-shift',
      'mirroring',
      'egress-registry-only',
    ])
    expect(run.scenarios.map((s: { namespace: string }) => s.namespace)).toEqual([
      'itc-edge-routing',
      'itc-weighted-shift',
      'itc-mirroring',
      'itc-egress-registry-only',
    ])
    expect(journalFor(OWN, api.url, d.journalDir).entries()).toEqual([])
  })

  it("names each failed scenario's own namespace in its hints", async () => {
    const { deps: d } = deps({ break: true })
    const out: string[] = []
    const code = await runCommand(
      args(['run', 'edge-routing', 'subset-v1', '--kubeconfig', kubeconfig()]),
      (l) => out.push(l),
      d,
    )
    expect(code).toBe(1)
    const hints = out
      .join('\n')
      .split('\n')
      .filter((l) => l.includes('hint:'))
    expect(hints.filter((h) => / -n itc-(edge-routing|subset-v1)\b/.test(h)).length).toBeGreaterThan(0)
    expect(hints.filter((h) => h.includes('-n istioinaction'))).toEqual([])
  })

  it('refuses, before any change, a namespace it would create that someone else has (exit 2)', async () => {
    const taken = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'itc-subset-v1' } }
    const { deps: d, fakes } = deps({ initial: [...CLUSTER_CONFIG, taken] })
    const run = runCommand(
      args(['run', 'edge-routing', 'subset-v1', '--kubeconfig', kubeconfig()]),
      () => undefined,
      d,
    )
    await expect(run).rejects.toThrow(UsageError)
    await expect(run).rejects.toThrow(/namespace itc-subset-v1 already exists/)
    expect(fakes.flatMap((f) => f.applied)).toEqual([])
  })

  it('refuses --parallel with --serial before connecting', async () => {
    const { deps: d, fakes } = deps()
    await expect(
      runCommand(
        args(['run', '--serial', '--parallel', '2', '--kubeconfig', kubeconfig()]),
        () => undefined,
        d,
      ),
    ).rejects.toThrow(UsageError)
    expect(fakes).toHaveLength(0)
  })
})
