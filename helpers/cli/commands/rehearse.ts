import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { createClusterApi } from '../../../cluster/api-adapter.js'
import { profileFor } from '../../../cluster/istio-releases.js'
import { planRehearsal, type RehearsalPlan } from '../../../cluster/rehearsal.js'
import { createRehearsalCluster } from '../../../cluster/rehearsal-adapter.js'
import { fileIntentStore, IntentJournal } from '../../../cluster/rehearsal-journal.js'
import { resolveTool } from '../../../cluster/resolve-tools.js'
import { hostPlatform } from '../../../cluster/tools.js'
import { UsageError } from '../../errors.js'
import { changesBetween } from '../../istio-behaviour.js'
import { KubeClient } from '../../kube/client.js'
import { suiteContextName } from '../../kube/context-guard.js'
import { loadKubeConfig } from '../../kube/kubeconfig.js'
import { Phases, renderTimings } from '../../progress.js'
import { renderDiff } from '../../report/diff.js'
import type { RunRecord } from '../../report/model.js'
import {
  type RehearsalRecord,
  type RehearsalRunSummary,
  toRehearsalHtml,
  toRehearsalJUnit,
} from '../../report/rehearsal.js'
import { fileJournalStore, Journal, journalFileName } from '../../runner/journal.js'
import { JOURNAL_DIR, REPORTS_DIR, stamp } from '../../runner/paths.js'
import { ingressTarget, realLabAdapters } from '../../runner/real-lab.js'
import { writeJson } from '../../system/json-file.js'
import type { ParsedArgs } from '../args.js'
import { findCommand } from '../spec.js'
import { upCommand } from './cluster.js'
import { type RehearsalOutcome, rehearseUpgrade } from './rehearse-flow.js'
import { loadRun } from './report.js'
import { runCommand, selectScenarios } from './run.js'

/** The plan from the flags; every refusal (missing flag, a jump too long...) is exit 2 before anything runs. */
export function planFromArgs(args: ParsedArgs): RehearsalPlan {
  const { from, to } = args.values
  if (!from || !to) {
    throw new UsageError(
      `rehearse needs --from and --to (given: ${from ? `--from ${from}` : 'no --from'}, ${to ? `--to ${to}` : 'no --to'})`,
      'write it as: rehearse --from 1.30.5 --to 1.31.1',
    )
  }
  selectScenarios(args.positionals)
  return planRehearsal({
    from,
    to,
    method: args.values.method === 'in-place' ? 'in-place' : 'canary',
    rollback: args.switches.has('rollback'),
    via: args.values.via ? args.values.via.split(',').map((v) => v.trim()) : [],
  })
}

/** The rehearsal's record, from the plan, the outcome and the runs' folders. Pure. */
export function rehearsalRecord(
  plan: RehearsalPlan,
  outcome: RehearsalOutcome,
  phases: RehearsalRecord['phases'],
  startedAt: Date,
  endedAt: Date,
): RehearsalRecord {
  return {
    schema: 1,
    from: plan.from,
    to: plan.to,
    method: plan.method,
    rollback: plan.rollback,
    steps: plan.steps,
    gateway: plan.gateway,
    changes: changesBetween(plan.from, plan.to).map((c) => ({
      topic: c.topic,
      from: c.from.note,
      to: c.to.note,
      source: c.to.source,
    })),
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    phases,
    runs: outcome.runs.map(
      (r): RehearsalRunSummary => ({
        label: r.label,
        version: r.version,
        controlPlanes: r.controlPlanes,
        proxies: r.proxies,
        folder: r.label,
        passed: r.record.passed,
      }),
    ),
    diff: outcome.diff,
    ...(outcome.rollbackDiff ? { rollbackDiff: outcome.rollbackDiff } : {}),
    unexplained: outcome.unexplained,
    exitCode: outcome.exitCode,
  }
}

/** Writes rehearsal.json, rehearsal.html and junit.xml into the rehearsal's folder. */
export async function writeRehearsal(
  dir: string,
  record: RehearsalRecord,
  runs: readonly RunRecord[],
): Promise<void> {
  const byLabel = Object.fromEntries(record.runs.map((r, i) => [r.label, runs[i]]))
  await writeJson(join(dir, 'rehearsal.json'), record)
  await writeFile(join(dir, 'rehearsal.html'), toRehearsalHtml(record, byLabel))
  await writeFile(join(dir, 'junit.xml'), toRehearsalJUnit(record, byLabel))
}

/**
 * `rehearse --from A --to B`: the suite's cluster at A (built or reused by `up`), the scenarios,
 * the upgrade step by step, the scenarios again, optionally the way back and the scenarios once
 * more, then the diff. Exit 1 when a check newly fails that the behaviour table does not
 * explain (or the way back is worse); 2 for a refusal, before anything runs.
 */
export async function rehearseCommand(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  const plan = planFromArgs(args)
  const name = args.values.name as string
  const kubeconfig = args.values.kubeconfig
  const context = suiteContextName(name)
  const startedAt = new Date()
  const dir =
    args.values['report-dir'] ?? join(REPORTS_DIR, `rehearsal-${stamp(startedAt)}-${plan.from}-to-${plan.to}`)
  out(
    `rehearsing Istio ${plan.from} -> ${plan.to} (${plan.method}); results in ${relative(process.cwd(), dir) || dir}`,
  )
  for (const phase of plan.phases) out(`  ${phase}`)
  out(`  ${plan.gateway}`)
  const changes = changesBetween(plan.from, plan.to)
  out(
    `documented behaviour changes from ${plan.from} to ${plan.to} (the behaviour table): ${changes.length || 'none'}`,
  )
  for (const c of changes) out(`  ${c.topic}: ${c.from.note} -> ${c.to.note} (${c.to.source})`)

  // The cluster at A: up verifies a healthy one in seconds, or builds it.
  await upCommand({ ...args, values: { ...args.values, istio: plan.from } }, out)

  const loaded = loadKubeConfig(kubeconfig)
  const server = loaded.servers[context] ?? ''
  const client = new KubeClient(loaded.kubeConfig, context)
  const platform = hostPlatform()
  const istioctlPaths = new Map<string, Promise<string>>()
  const istioctl = (version: string) => {
    if (!istioctlPaths.has(version))
      istioctlPaths.set(
        version,
        resolveTool('istioctl', profileFor({ istio: version }), platform).then((t) => t.path),
      )
    return istioctlPaths.get(version) as Promise<string>
  }
  const phases = new Phases(out)
  const runCommandSpec = findCommand('run')
  if (!runCommandSpec) throw new Error('the command table has no run')
  const records: RunRecord[] = []
  let outcome: RehearsalOutcome | undefined
  try {
    outcome = await rehearseUpgrade(plan, {
      cluster: createRehearsalCluster({ istioctl, client, context, kubeconfig }),
      objects: realLabAdapters(client, ingressTarget('127.0.0.1:30000'), () => undefined).cluster,
      journal: new Journal(fileJournalStore(join(JOURNAL_DIR, 'rehearsal'), context), context, server),
      intents: new IntentJournal(fileIntentStore(JOURNAL_DIR, journalFileName(context))),
      context,
      phases,
      out,
      run: async (label) => {
        const runDir = join(dir, label)
        const switches = rehearsalRunSwitches(args.switches)
        await runCommand(
          {
            command: runCommandSpec,
            positionals: args.positionals,
            values: {
              name,
              context,
              ingress: '127.0.0.1:30000',
              egress: args.values.egress ?? 'hermetic',
              'report-dir': runDir,
              ...(kubeconfig ? { kubeconfig } : {}),
            },
            switches,
          },
          out,
        )
        const record = loadRun(runDir)
        records.push(record)
        return record
      },
      keepUpgrade: async () => {
        const api = createClusterApi(client)
        const record = await api.readRecord()
        if (record)
          await api.writeRecord({ ...record, profile: `upgraded-${plan.from}-to-${plan.to}`, istio: plan.to })
        out(
          `the cluster stays on Istio ${plan.to} (revision ${plan.steps.at(-1)?.revision ?? 'default'}); its record now says profile 'upgraded-${plan.from}-to-${plan.to}', so 'up --istio ${plan.from}' asks for 'down' first`,
        )
      },
    })
  } finally {
    out('')
    out(renderTimings(phases.timings))
  }
  const record = rehearsalRecord(plan, outcome, phases.timings, startedAt, new Date())
  await writeRehearsal(dir, record, records)
  if (args.values.junit) {
    await mkdir(dirname(args.values.junit), { recursive: true })
    await copyFile(join(dir, 'junit.xml'), args.values.junit)
  }
  out('')
  out(renderDiff(outcome.diff))
  if (outcome.rollbackDiff) {
    out('')
    out(`the way back (${plan.from} before -> ${plan.from} after the rollback):`)
    out(renderDiff(outcome.rollbackDiff))
  }
  out(
    outcome.exitCode === 0
      ? `upgrade ${plan.from} -> ${plan.to}: no check newly fails that the behaviour table does not explain`
      : `upgrade ${plan.from} -> ${plan.to}: ${outcome.unexplained.length} check(s) newly fail without a documented reason: ${outcome.unexplained.map((e) => `${e.scenario}/${e.check}`).join(', ')}`,
  )
  out(`report: ${join(relative(process.cwd(), dir) || dir, 'rehearsal.html')}`)
  return outcome.exitCode
}

/**
 * The switches of each run a rehearsal makes. Always --serial, in the lab namespace: that is
 * the namespace the rehearsal moves to the new revision (istio.io/rev); namespaces a concurrent
 * run creates would get their sidecars from whichever revision the default tag names, not the
 * one under test (istio-injection=enabled selects the `default` revision tag: istio.io docs,
 * "Canary upgrades", stable revision labels; the injector's webhooks in istio/istio
 * manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml). Pure.
 */
export function rehearsalRunSwitches(given: ReadonlySet<string>): Set<string> {
  return new Set(['serial', ...['book-timing'].filter((s) => given.has(s))])
}
