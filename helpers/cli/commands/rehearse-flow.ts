import type { KubernetesObject } from '@kubernetes/client-node'
import { APPS_NAMESPACE } from '../../../cluster/health.js'
import type {
  ControlPlane,
  ProxyVersion,
  RehearsalCluster,
  RehearsalPlan,
  RehearsalStep,
} from '../../../cluster/rehearsal.js'
import type { IntentJournal } from '../../../cluster/rehearsal-journal.js'
import { type Clock, pollUntil } from '../../poll.js'
import type { Phases } from '../../progress.js'
import { type DiffEntry, diffRuns, type RunDiff } from '../../report/diff.js'
import type { RunRecord } from '../../report/model.js'
import type { Journal } from '../../runner/journal.js'
import type { LabCluster } from '../../runner/lab.js'
import { undoJournal } from '../../runner/undo.js'

export interface RehearsalDeps {
  readonly cluster: RehearsalCluster
  /** Object access for the namespace label and for undoing the change journal. */
  readonly objects: Pick<LabCluster, 'apply' | 'read' | 'delete'>
  /**
   * The rehearsal's change journal (the namespace label): a journal of its own, under
   * .journal/rehearsal/, because every `run` replays the context's journal before it starts, and
   * would move the namespace back to A in the middle of the rehearsal.
   */
  readonly journal: Journal
  readonly intents: IntentJournal
  readonly context: string
  /** Runs the chosen scenarios and returns their record (the folder is the command's business). */
  readonly run: (label: RunLabel, version: string) => Promise<RunRecord>
  readonly phases: Phases
  readonly out: (line: string) => void
  /** After a successful upgrade that is kept: record in the cluster that it is no longer A. */
  readonly keepUpgrade?: (plan: RehearsalPlan) => Promise<void>
  readonly now?: () => Date
  readonly proxyWait?: { readonly timeoutMs: number; readonly intervalMs?: number; readonly clock?: Clock }
}

export type RunLabel = 'from' | 'to' | 'rollback'

export interface RehearsalRun {
  readonly label: RunLabel
  /** The Istio version the lab's proxies run in this run. */
  readonly version: string
  readonly controlPlanes: readonly ControlPlane[]
  readonly proxies: readonly ProxyVersion[]
  readonly record: RunRecord
}

export interface RehearsalOutcome {
  readonly runs: readonly RehearsalRun[]
  /** from -> to. */
  readonly diff: RunDiff
  /** from -> rollback, with --rollback. */
  readonly rollbackDiff?: RunDiff
  /** Checks that newly fail (or went missing) and that the behaviour table does not explain. */
  readonly unexplained: readonly DiffEntry[]
  /** 0 when nothing newly fails unexplained (and, with --rollback, the way back is not worse); else 1. */
  readonly exitCode: 0 | 1
}

const JOURNAL_SCENARIO = 'rehearsal'
const NAMESPACE_REF = { apiVersion: 'v1', kind: 'Namespace', name: APPS_NAMESPACE } as const

/** Entries of a diff that make B worse and that no behaviour-table rule explains. Pure. */
export function unexplainedEntries(d: RunDiff): DiffEntry[] {
  return d.entries.filter(
    (e) =>
      !e.byDesign &&
      (e.status === 'newly failing' ||
        e.status === 'only in A' ||
        (e.status === 'only in B' && e.b?.passed === false)),
  )
}

/**
 * The record as the diff must see it: under a canary upgrade the default istiod is still A, so
 * the detected control plane is A's while every proxy of the lab runs B. The behaviour table is
 * keyed by the version that programs and runs the proxies: B. Pure.
 */
export function asVersion(record: RunRecord, version: string): RunRecord {
  return { ...record, versions: { ...record.versions, istioControlPlane: version } }
}

async function waitForProxies(deps: RehearsalDeps, version: string): Promise<ProxyVersion[]> {
  const wait = deps.proxyWait ?? { timeoutMs: 10 * 60_000, intervalMs: 2_000 }
  return pollUntil(
    `every proxy (ingress gateway and ${APPS_NAMESPACE}) reports Istio ${version}`,
    async () => {
      const proxies = await deps.cluster.proxies(APPS_NAMESPACE)
      const off = proxies.filter((p) => p.version !== version)
      return proxies.length > 0 && off.length === 0
        ? { done: true, value: proxies }
        : { done: false, state: off.map((p) => `${p.pod} on ${p.version}`).join(', ') || 'no proxy found' }
    },
    {
      timeoutMs: wait.timeoutMs,
      ...(wait.intervalMs !== undefined ? { intervalMs: wait.intervalMs } : {}),
      ...(wait.clock ? { clock: wait.clock } : {}),
    },
  )
}

/** Moves the lab namespace to a revision: journaled before it is applied, so any way back restores it. */
async function moveNamespace(deps: RehearsalDeps, revision: string): Promise<void> {
  const before = (await deps.objects.read(NAMESPACE_REF)) ?? null
  const labels: Record<string, string> = { ...(before?.metadata?.labels ?? {}) }
  // istio-injection takes precedence over istio.io/rev, so it must go (Istio's canary guide).
  delete labels['istio-injection']
  labels['istio.io/rev'] = revision
  const after: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: APPS_NAMESPACE, labels },
  }
  deps.journal.record(
    JOURNAL_SCENARIO,
    NAMESPACE_REF,
    before,
    { kind: 'apply', object: after },
    deps.now?.() ?? new Date(),
  )
  await deps.objects.apply([after])
}

async function runAt(deps: RehearsalDeps, label: RunLabel, version: string): Promise<RehearsalRun> {
  return deps.phases.run(`run-${label}`, `the scenarios at Istio ${version}`, async () => {
    const [controlPlanes, proxies] = await Promise.all([
      deps.cluster.controlPlanes(),
      deps.cluster.proxies(APPS_NAMESPACE),
    ])
    const record = await deps.run(label, version)
    return { label, version, controlPlanes, proxies, record }
  })
}

async function upgradeStep(deps: RehearsalDeps, plan: RehearsalPlan, step: RehearsalStep): Promise<void> {
  const { cluster, intents, phases } = deps
  const revision = step.revision
  await phases.run(
    `install-${step.to}`,
    revision
      ? `istioctl ${step.to} install --revision ${revision}, beside ${step.from}; ${plan.gateway}`
      : `istioctl ${step.to} install, in place of ${step.from}; ${plan.gateway}`,
    async () => {
      intents.record(deps.context, plan.from, {
        kind: 'install',
        version: step.to,
        ...(revision ? { revision } : {}),
        undo: revision
          ? `istioctl ${plan.from} install (the gateway back to ${plan.from}), then istioctl ${step.to} uninstall --revision ${revision} -y`
          : `istioctl ${plan.from} install (control plane and gateway back to ${plan.from})`,
      })
      if (revision) await cluster.installRevision(step.to, revision)
      else await cluster.installDefault(step.to)
    },
  )
  if (revision) {
    await phases.run(
      `namespace-${step.to}`,
      `${APPS_NAMESPACE}: istio.io/rev=${revision}, istio-injection removed (journaled)`,
      () => moveNamespace(deps, revision),
    )
  }
  await phases.run(
    `restart-${step.to}`,
    `rollout restart of the deployments in ${APPS_NAMESPACE}`,
    async () => {
      intents.record(deps.context, plan.from, {
        kind: 'restart',
        namespace: APPS_NAMESPACE,
        undo: `rollout restart in ${APPS_NAMESPACE} once its labels are back, until every proxy reports ${plan.from}`,
      })
      const restarted = await cluster.restartWorkloads(APPS_NAMESPACE)
      deps.out(
        `           restarted ${restarted.length ? restarted.join(', ') : 'nothing (no deployment in the namespace)'}`,
      )
    },
  )
  await phases.run(`proxies-${step.to}`, `waiting until every proxy reports Istio ${step.to}`, () =>
    waitForProxies(deps, step.to),
  )
}

/**
 * Back to A: what the intents and the change journal hold, undone in the order Istio's canary
 * guide gives (A's gateway first, with A's istioctl; then the namespace labels; then the
 * workloads restarted until every proxy reports A; then the new revisions uninstalled). Does
 * nothing when nothing is left. Throws when a step fails, leaving what is left in the journals.
 */
export async function backToA(deps: RehearsalDeps, fallbackFrom?: string): Promise<void> {
  const left = deps.intents.intents()
  const labelled = deps.journal.entries(JOURNAL_SCENARIO)
  if (left.length === 0 && labelled.length === 0) return
  const from = deps.intents.from ?? fallbackFrom
  if (!from)
    throw new Error(`the rehearsal journal ${deps.intents.location} does not say which version to go back to`)
  deps.out(`going back to Istio ${from}:`)
  for (const intent of [...left].reverse()) deps.out(`  ${intent.undo}`)
  if (labelled.length) deps.out(`  restore the labels of namespace ${APPS_NAMESPACE} (change journal)`)
  await deps.phases.run('back', `back to Istio ${from}`, async () => {
    const installs = left.filter((i) => i.kind === 'install')
    if (installs.length) await deps.cluster.installDefault(from)
    const report = await undoJournal(deps.journal, deps.objects, { scenario: JOURNAL_SCENARIO })
    if (report.errors.length) throw new Error(`could not restore: ${report.errors.join('; ')}`)
    if (left.some((i) => i.kind === 'restart') || labelled.length) {
      await deps.cluster.restartWorkloads(APPS_NAMESPACE)
      await waitForProxies(deps, from)
    }
    for (const install of [...installs].reverse()) {
      if (install.kind === 'install' && install.revision)
        await deps.cluster.uninstallRevision(install.version, install.revision)
    }
    deps.intents.reset()
  })
}

/**
 * The rehearsal after `up`: the scenarios at A, every step of the upgrade, the scenarios at B,
 * optionally the way back and the scenarios at A again, and the diffs. A failure on the way
 * (not a failing check: a step that cannot be done) takes the cluster back to A and is rethrown.
 */
export async function rehearseUpgrade(plan: RehearsalPlan, deps: RehearsalDeps): Promise<RehearsalOutcome> {
  // An earlier rehearsal that stopped half-way is undone first.
  await backToA(deps, plan.from)
  const runs: RehearsalRun[] = []
  try {
    runs.push(await runAt(deps, 'from', plan.from))
    for (const step of plan.steps) await upgradeStep(deps, plan, step)
    runs.push(await runAt(deps, 'to', plan.to))
    if (plan.rollback) {
      await backToA(deps, plan.from)
      runs.push(await runAt(deps, 'rollback', plan.from))
    }
  } catch (error) {
    deps.out(`the rehearsal stopped: ${error instanceof Error ? error.message : String(error)}`)
    await backToA(deps, plan.from)
    throw error
  }
  if (!plan.rollback) {
    // The upgrade is kept: its journal entries are no longer changes to undo.
    for (const e of deps.journal.entries(JOURNAL_SCENARIO)) deps.journal.remove(e.seq)
    deps.intents.reset()
    await deps.keepUpgrade?.(plan)
  }
  const [from, to, back] = runs as [RehearsalRun, RehearsalRun, RehearsalRun | undefined]
  const diff = diffRuns(asVersion(from.record, plan.from), asVersion(to.record, plan.to))
  const rollbackDiff = back
    ? diffRuns(asVersion(from.record, plan.from), asVersion(back.record, plan.from))
    : undefined
  const unexplained = unexplainedEntries(diff)
  const exitCode = unexplained.length > 0 || (rollbackDiff && rollbackDiff.worse.length > 0) ? 1 : 0
  return { runs, diff, ...(rollbackDiff ? { rollbackDiff } : {}), unexplained, exitCode }
}
