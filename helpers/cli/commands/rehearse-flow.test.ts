import { describe, expect, it } from 'vitest'
import { planRehearsal } from '../../../cluster/rehearsal.js'
import { IntentJournal, memoryIntentStore } from '../../../cluster/rehearsal-journal.js'
import { UsageError } from '../../errors.js'
import { Phases } from '../../progress.js'
import { Journal, memoryJournalStore } from '../../runner/journal.js'
import { FakeMesh, miniRecord } from '../../testing/fake-rehearsal.js'
import { type RehearsalDeps, type RunLabel, rehearseUpgrade } from './rehearse-flow.js'

const ALL_PASS = { 'edge-routing/converged': true, 'mirroring/shadow-host': true }

function setup(
  options: {
    from?: string
    to?: string
    method?: 'canary' | 'in-place'
    rollback?: boolean
    via?: string[]
    results?: Partial<Record<RunLabel, Record<string, boolean>>>
    mesh?: FakeMesh
    intents?: IntentJournal
  } = {},
) {
  const plan = planRehearsal({
    from: options.from ?? '1.27.9',
    to: options.to ?? '1.28.10',
    method: options.method ?? 'canary',
    rollback: options.rollback ?? false,
    via: options.via ?? [],
  })
  const mesh = options.mesh ?? new FakeMesh(plan.from)
  const lines: string[] = []
  const journal = new Journal(memoryJournalStore(), 'kind-lab', 'https://127.0.0.1:6443')
  const intents = options.intents ?? new IntentJournal(memoryIntentStore())
  const runs: string[] = []
  const deps: RehearsalDeps = {
    cluster: mesh,
    objects: mesh.objectsApi(),
    journal,
    intents,
    context: 'kind-lab',
    run: async (label, version) => {
      // What the run saw: the gateway's and every sidecar's version at that moment.
      const proxies = await mesh.proxies('istioinaction')
      runs.push(`${label} ${version} proxies ${[...new Set(proxies.map((p) => p.version))].join(',')}`)
      mesh.calls.push(`run ${label}`)
      return miniRecord(version, options.results?.[label] ?? ALL_PASS)
    },
    phases: new Phases(
      (l) => lines.push(l),
      () => 0,
    ),
    out: (l) => lines.push(l),
    proxyWait: { timeoutMs: 5, intervalMs: 1 },
  }
  return { plan, mesh, deps, lines, runs, journal, intents }
}

describe('a canary rehearsal against the in-memory mesh', () => {
  it('installs B as a revision, moves the namespace, restarts, waits for B, runs again, and keeps the upgrade', async () => {
    const { plan, mesh, deps, runs, journal, intents } = setup()
    const outcome = await rehearseUpgrade(plan, deps)
    expect(mesh.calls).toEqual([
      'run from',
      'installRevision 1.28.10 1-28-10',
      'apply Namespace/istioinaction {"istio.io/rev":"1-28-10"}',
      'restartWorkloads istioinaction',
      'run to',
    ])
    expect(runs).toEqual(['from 1.27.9 proxies 1.27.9', 'to 1.28.10 proxies 1.28.10'])
    expect(outcome.exitCode).toBe(0)
    expect(outcome.runs.map((r) => r.controlPlanes)).toEqual([
      [{ name: 'istiod', version: '1.27.9' }],
      [
        { name: 'istiod', version: '1.27.9' },
        { name: 'istiod-1-28-10', version: '1.28.10' },
      ],
    ])
    // Kept: nothing is left to undo.
    expect(journal.entries()).toEqual([])
    expect(intents.intents()).toEqual([])
    expect(mesh.namespaceLabels).toEqual({ 'istio.io/rev': '1-28-10' })
  })

  it('keeps a timing for every phase, in order', async () => {
    const { plan, deps } = setup({ rollback: true })
    await rehearseUpgrade(plan, deps)
    expect(deps.phases.timings.map((t) => t.phase)).toEqual([
      'run-from',
      'install-1.28.10',
      'namespace-1.28.10',
      'restart-1.28.10',
      'proxies-1.28.10',
      'run-to',
      'back',
      'run-rollback',
    ])
  })

  it('judges with the behaviour table: a check whose documented behaviour changed passes as changed by design', async () => {
    // mirroring/shadow-host: Istio 1.28 stopped appending -shadow (MIRROR_SHADOW_SUFFIX). The
    // records' detected control plane is A (default istiod): the diff must use B for run B.
    const { plan, deps } = setup()
    const outcome = await rehearseUpgrade(plan, deps)
    expect(outcome.diff.entries.find((e) => e.check === 'shadow-host')?.status).toBe('changed by design')
    expect(outcome.diff.b.istio).toBe('1.28.10')
  })

  it('exits 1 when a check newly fails that the behaviour table does not explain, and not for one it explains', async () => {
    const broken = setup({
      results: { to: { 'edge-routing/converged': false, 'mirroring/shadow-host': true } },
    })
    const outcome = await rehearseUpgrade(broken.plan, broken.deps)
    expect(outcome.exitCode).toBe(1)
    expect(outcome.unexplained.map((e) => `${e.scenario}/${e.check}`)).toEqual(['edge-routing/converged'])
    const explained = setup({
      results: { to: { 'edge-routing/converged': true, 'mirroring/shadow-host': false } },
    })
    const second = await rehearseUpgrade(explained.plan, explained.deps)
    expect(second.diff.entries.find((e) => e.check === 'shadow-host')).toMatchObject({
      status: 'newly failing',
      byDesign: expect.stringContaining('mirror-shadow-suffix'),
    })
    expect(second.exitCode).toBe(0)
  })

  it('with --rollback goes back (gateway with A first, labels, restart, uninstall B) and runs at A again', async () => {
    const { plan, mesh, deps, runs } = setup({ rollback: true })
    const outcome = await rehearseUpgrade(plan, deps)
    expect(mesh.calls.slice(mesh.calls.indexOf('run to') + 1)).toEqual([
      'installDefault 1.27.9',
      'apply Namespace/istioinaction {"istio-injection":"enabled"}',
      'restartWorkloads istioinaction',
      'uninstallRevision 1.28.10 1-28-10',
      'run rollback',
    ])
    expect(runs.at(-1)).toBe('rollback 1.27.9 proxies 1.27.9')
    expect(outcome.rollbackDiff?.worse).toEqual([])
    expect(mesh.namespaceLabels).toEqual({ 'istio-injection': 'enabled' })
    expect([...mesh.revisions]).toEqual([['default', '1.27.9']])
  })

  it('a failure in the middle leaves the cluster on A with the journals replayed, and is rethrown', async () => {
    const mesh = new FakeMesh('1.27.9')
    // The workloads never come up on B: the wait for B's proxies runs out.
    mesh.failOn = 'restartWorkloads'
    mesh.failTimes = 1
    const { plan, deps, journal, intents, lines } = setup({ mesh })
    await expect(rehearseUpgrade(plan, deps)).rejects.toThrow('restartWorkloads failed')
    expect(mesh.calls.slice(mesh.calls.indexOf('restartWorkloads istioinaction'))).toEqual([
      'restartWorkloads istioinaction',
      'installDefault 1.27.9',
      'apply Namespace/istioinaction {"istio-injection":"enabled"}',
      'restartWorkloads istioinaction',
      'uninstallRevision 1.28.10 1-28-10',
    ])
    expect(mesh.gateway).toBe('1.27.9')
    expect([...mesh.pods.values()]).toEqual(['1.27.9', '1.27.9'])
    expect(mesh.namespaceLabels).toEqual({ 'istio-injection': 'enabled' })
    expect([...mesh.revisions]).toEqual([['default', '1.27.9']])
    expect(journal.entries()).toEqual([])
    expect(intents.intents()).toEqual([])
    expect(lines).toContain('going back to Istio 1.27.9:')
    expect(deps.phases.timings.find((t) => t.phase === 'restart-1.28.10')?.outcome).toBe('failed')
  })

  it('when the proxies never report B, the deadline names what was seen, and the cluster goes back to A', async () => {
    const mesh = new FakeMesh('1.27.9')
    mesh.proxies = async () => [{ pod: 'istioinaction/webapp', version: '1.27.9' }]
    const { plan, deps } = setup({ mesh })
    await expect(rehearseUpgrade(plan, deps)).rejects.toThrow(
      /every proxy .* reports Istio 1\.28\.10: not reached .* last state seen: istioinaction\/webapp on 1\.27\.9/,
    )
    expect(mesh.calls).toContain('uninstallRevision 1.28.10 1-28-10')
  })

  it('undoes what an earlier, interrupted rehearsal left before starting', async () => {
    const store = memoryIntentStore()
    const left = new IntentJournal(store)
    left.record('kind-lab', '1.27.9', {
      kind: 'install',
      version: '1.28.10',
      revision: '1-28-10',
      undo: 'istioctl 1.27.9 install, then istioctl 1.28.10 uninstall --revision 1-28-10 -y',
    })
    const mesh = new FakeMesh('1.27.9')
    mesh.revisions.set('1-28-10', '1.28.10')
    const { plan, deps, lines } = setup({ mesh, intents: new IntentJournal(store) })
    await rehearseUpgrade(plan, deps)
    expect(mesh.calls.slice(0, 3)).toEqual([
      'installDefault 1.27.9',
      'uninstallRevision 1.28.10 1-28-10',
      'run from',
    ])
    expect(lines).toContain(
      '  istioctl 1.27.9 install, then istioctl 1.28.10 uninstall --revision 1-28-10 -y',
    )
  })
})

describe('an in-place rehearsal', () => {
  it('replaces the control plane and the gateway, restarts, and never labels the namespace', async () => {
    const { plan, mesh, deps } = setup({ from: '1.30.5', to: '1.31.1', method: 'in-place' })
    await rehearseUpgrade(plan, deps)
    expect(mesh.calls).toEqual([
      'run from',
      'installDefault 1.31.1',
      'restartWorkloads istioinaction',
      'run to',
    ])
    expect(mesh.namespaceLabels).toEqual({ 'istio-injection': 'enabled' })
  })
})

describe('planRehearsal', () => {
  const refusal = (request: Parameters<typeof planRehearsal>[0]) => {
    try {
      planRehearsal(request)
    } catch (e) {
      return e as UsageError
    }
    throw new Error('not refused')
  }

  it('refuses a jump longer than Istio supports, with the chain to use as --via', () => {
    const error = refusal({ from: '1.28.10', to: '1.31.1', method: 'canary', rollback: false, via: [] })
    expect(error).toBeInstanceOf(UsageError)
    expect(error.message).toContain('crosses 3 minor versions; Istio supports 2 per canary upgrade')
    expect(error.message).toContain('1.28.10 -> 1.30.5 -> 1.31.1')
    expect(error.fix).toBe('rehearse it as that chain: --via 1.30.5')
    const inPlace = refusal({ from: '1.29.8', to: '1.31.1', method: 'in-place', rollback: false, via: [] })
    expect(inPlace.fix).toBe('rehearse it as that chain: --via 1.30.5')
  })

  it('runs the chain with --via: one revision per step', async () => {
    const { plan, mesh, deps } = setup({ from: '1.28.10', to: '1.31.1', via: ['1.30.5'] })
    expect(plan.steps.map((s) => `${s.from}>${s.to}@${s.revision}`)).toEqual([
      '1.28.10>1.30.5@1-30-5',
      '1.30.5>1.31.1@1-31-1',
    ])
    await rehearseUpgrade(plan, deps)
    expect(mesh.calls.filter((c) => c.startsWith('installRevision'))).toEqual([
      'installRevision 1.30.5 1-30-5',
      'installRevision 1.31.1 1-31-1',
    ])
    expect(mesh.namespaceLabels).toEqual({ 'istio.io/rev': '1-31-1' })
  })

  it('refuses a downgrade, a --via out of order, and a version that does not support the cluster Kubernetes', () => {
    expect(
      refusal({ from: '1.31.1', to: '1.30.5', method: 'canary', rollback: false, via: [] }).message,
    ).toContain('is not older than')
    expect(
      refusal({ from: '1.28.10', to: '1.31.1', method: 'canary', rollback: false, via: ['1.31.0'] }).message,
    ).toContain('crosses 3 minor versions')
    // 1.17.8 runs on Kubernetes 1.26.15; Istio 1.19 supports 1.25-1.28, 1.21 1.26-1.29, 1.23 not 1.26.
    expect(
      refusal({ from: '1.17.8', to: '1.23.6', method: 'canary', rollback: false, via: ['1.19.10', '1.21.6'] })
        .message,
    ).toContain('Istio 1.23.6 does not support Kubernetes 1.26.15')
  })

  it('states how the gateway moves, with the guidance it follows', () => {
    const plan = planRehearsal({ from: '1.30.5', to: '1.31.1', method: 'canary', rollback: true, via: [] })
    expect(plan.gateway).toContain('upgraded in place by `istioctl install --revision`')
    expect(plan.gateway).toContain('https://istio.io/latest/docs/setup/upgrade/canary/')
    expect(plan.phases.at(-1)).toMatch(/^diff: /)
  })
})
