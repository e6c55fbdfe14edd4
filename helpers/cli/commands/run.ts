import { readFileSync } from 'node:fs'
import { copyFile, mkdir } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { PROFILE_RECORD } from '../../../cluster/health.js'
import { SCENARIO_IDS, SCENARIOS } from '../../../suites/index.js'
import { BASE_LAB } from '../../../suites/shared.js'
import { choices, UsageError } from '../../errors.js'
import { localizeCause } from '../../i18n/causes.js'
import { chooseLang, type Lang } from '../../i18n/lang.js'
import { t } from '../../i18n/messages.js'
import { checkText, scenarioText } from '../../i18n/scenario-texts.js'
import type { KubeClient } from '../../kube/client.js'
import { type ClusterNames, forCluster } from '../../learn/commands.js'
import type { LogQuery } from '../../logs/reader.js'
import { BOOK_NAMESPACE, scenarioNamespace } from '../../manifests/namespace.js'
import type { PhaseTiming } from '../../progress.js'
import { baseLabText } from '../../report/base-lab-text.js'
import { writeDiagnostics } from '../../report/diagnostics.js'
import { clusterDiagnostics } from '../../report/diagnostics-source.js'
import { RUN_RECORD_SCHEMA, type RunRecord, type ScenarioResult } from '../../report/model.js'
import { formatDuration, scenarioWallMs } from '../../report/timeline.js'
import { detectVersions } from '../../report/versions.js'
import { listDiagnostics, REPORT_FILES, writeReports } from '../../report/write.js'
import type { ScenarioDefinition } from '../../runner/define.js'
import type { LabAdapters } from '../../runner/lab.js'
import { JOURNAL_DIR, REPORTS_DIR, stamp } from '../../runner/paths.js'
import { ingressTarget, realLabAdapters } from '../../runner/real-lab.js'
import { runScenarios } from '../../runner/run.js'
import { runScenariosConcurrently } from '../../runner/run-concurrent.js'
import { runBoundOf } from '../../stats/summaries.js'
import { type Interrupts, interrupts } from '../../system/interrupt.js'
import { writeJson } from '../../system/json-file.js'
import type { ParsedArgs } from '../args.js'
import {
  checkLabNamespace,
  checkMeshState,
  checkOwnNamespaces,
  connectGuarded,
  journalFor,
  replayJournal,
} from './connect.js'
import { listScenarios } from './list.js'
import { decideRunMode, type RunMode } from './run-mode.js'

/** The suite's version, from package.json. */
export const SUITE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** Validates scenario ids against the registry; none given means all, in registry order. */
export function selectScenarios(ids: readonly string[]): ScenarioDefinition[] {
  const unknown = ids.filter((id) => !SCENARIO_IDS.includes(id))
  if (unknown.length) {
    throw new UsageError(
      `unknown scenario ${unknown.map((u) => `'${u}'`).join(', ')}`,
      `valid scenario ids: ${choices(SCENARIO_IDS)} (see 'run --list')`,
    )
  }
  return SCENARIOS.filter((s) => ids.length === 0 || ids.includes(s.id))
}

export interface RunDeps {
  /**
   * The lab's adapters for the guarded cluster: real ones (the same for every namespace), or
   * an in-memory lab in tests. `namespace` is the lab namespace they serve when scenarios run
   * concurrently, each in its own.
   */
  readonly adapters: (
    client: KubeClient,
    ingress: string,
    log: (line: string) => void,
    namespace?: string,
  ) => LabAdapters
  readonly now: () => Date
  readonly reportsDir: string
  readonly journalDir: string
  readonly interrupts: Interrupts
}

const DEFAULT_DEPS: RunDeps = {
  adapters: (client, ingress, log) => realLabAdapters(client, ingressTarget(ingress), log),
  now: () => new Date(),
  reportsDir: REPORTS_DIR,
  journalDir: JOURNAL_DIR,
  interrupts,
}

/**
 * The run's outcome table: one line per scenario with its wall time, one per check, then a
 * total, in a language (English by default); causes translated from the record's English,
 * hints naming the run's context. Pure.
 */
export function renderRunSummary(
  results: readonly ScenarioResult[],
  notRun: readonly string[],
  lang: Lang = 'en',
  names: ClusterNames = {},
): string {
  const lines: string[] = []
  const verdict = (ok: boolean) => t(lang, ok ? 'word.pass' : 'word.fail')
  for (const r of results) {
    lines.push(
      `${verdict(r.passed)} ${r.id} [${r.section}] ${scenarioText(lang, r.id, 'title', r.title)} (${formatDuration(scenarioWallMs(r), lang)})${r.error ? t(lang, 'run.stopped', { error: r.error }) : ''}`,
    )
    for (const c of r.checks) {
      lines.push(
        `  ${c.passed ? t(lang, 'word.ok') : verdict(false)} ${c.check}: ${localizeCause(c.cause, lang)}`,
      )
      if (!c.passed && c.hint)
        lines.push(
          `       ${t(lang, 'word.hint')}: ${forCluster(checkText(lang, r.id, c.check, 'hint', c.hint), { ...names, ...(r.namespace ? { namespace: r.namespace } : {}) })}`,
        )
    }
    if (r.cleanup.errors.length)
      lines.push(t(lang, 'run.cleanupFailed', { errors: r.cleanup.errors.join('; ') }))
  }
  for (const id of notRun) lines.push(t(lang, 'run.notRun', { id }))
  const checks = results.flatMap((r) => r.checks)
  const failedScenarios = results.filter((r) => !r.passed).length + notRun.length
  const total = results.length + notRun.length
  lines.push(
    t(lang, 'run.totals', {
      total,
      passed: total - failedScenarios,
      failed: failedScenarios,
      checksPassed: checks.filter((c) => c.passed).length,
      checksFailed: checks.filter((c) => !c.passed).length,
    }),
  )
  return lines.join('\n')
}

/** How this run runs its scenarios, from its flags (refusing contradictions with exit 2). */
export function runModeOf(args: ParsedArgs, scenarios: number): RunMode {
  return decideRunMode({
    serial: args.switches.has('serial'),
    parallel: args.values.parallel,
    namespace: args.values.namespace,
    existingCluster: args.switches.has('allow-existing-cluster'),
    scenarios,
  })
}

/** --junit PATH: the run's junit.xml, also where the CI job's test-report step reads it. */
async function copyJUnit(runDir: string, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await copyFile(join(runDir, 'junit.xml'), path)
}

export async function runCommand(
  args: ParsedArgs,
  out: (line: string) => void,
  deps: RunDeps = DEFAULT_DEPS,
  /** Phase timings of `up`, when the run is part of the main job. */
  upTimings: readonly PhaseTiming[] = [],
): Promise<number> {
  if (args.switches.has('list')) {
    out(listScenarios())
    return 0
  }
  const lang = chooseLang(args.values.lang, process.env)
  const selected = selectScenarios(args.positionals)
  const namespace = args.values.namespace ?? BOOK_NAMESPACE
  const adopt = args.switches.has('adopt-namespace')
  if (adopt && !args.switches.has('allow-existing-cluster'))
    throw new UsageError(
      '--adopt-namespace only applies with --allow-existing-cluster',
      "on the suite's own cluster the lab namespace is the suite's: drop --adopt-namespace",
    )
  // Bad input is refused before anything runs, connecting included.
  const mode: RunMode = runModeOf(args, selected.length)
  const cluster = await connectGuarded(args, out)
  const { client, context, profile, existingCluster } = cluster
  const startedAt = deps.now()
  // --report-dir: the folder a CI job expects, instead of reports/<time>-<profile>/.
  const runDir = args.values['report-dir'] ?? join(deps.reportsDir, `${stamp(startedAt)}-${profile}`)
  const shown = relative(process.cwd(), runDir) || runDir

  // Every line with the time since the run started: canary runs take minutes.
  const t0 = Date.now()
  const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`
  const journal = journalFor(context, cluster.server, deps.journalDir)
  const adaptersFor = (labNamespace?: string): LabAdapters => ({
    ...deps.adapters(
      client,
      args.values.ingress ?? '127.0.0.1:30000',
      (line) => out(`[${elapsed()}] ${line}`),
      labNamespace,
    ),
    journal,
    interrupts: deps.interrupts,
  })
  const adapters = adaptersFor()
  // What an interrupted or crashed run left is undone first; then the mesh must be as expected.
  await replayJournal(journal, adapters.cluster, out, lang)
  await checkMeshState(adapters.cluster, existingCluster, namespace)
  // Concurrent scenarios create their own namespaces, which must not be someone else's; one lab
  // namespace must be fit for the lab.
  if (mode.mode === 'serial')
    await checkLabNamespace(adapters.cluster, namespace, { existingCluster, adopt, context }, out, lang)
  else
    await checkOwnNamespaces(
      adapters.cluster,
      selected.map((s) => scenarioNamespace(s.id)),
    )
  deps.interrupts.journalLocation = journal.location
  out(
    t(lang, 'run.running', {
      ids: selected.map((s) => s.id).join(', '),
      dir: shown,
      journal: journal.location,
    }),
  )
  out(
    mode.mode === 'concurrent'
      ? t(lang, 'run.concurrent', { n: mode.maxConcurrent, namespace: scenarioNamespace('<scenario-id>') })
      : t(lang, 'run.serial', { namespace: mode.namespace, why: mode.why }),
  )
  const scenarioOptions = {
    bookTiming: args.switches.has('book-timing'),
    egress: args.values.egress === 'internet' ? ('internet' as const) : ('hermetic' as const),
    existingCluster,
    namespace,
    lang,
    failFast: args.switches.has('fail-fast'),
  }
  const labNamespaceOf = (id: string) => (mode.mode === 'concurrent' ? scenarioNamespace(id) : namespace)
  const hooks = {
    shouldContinue: () => !deps.interrupts.signal.aborted,
    diagnostics: async (scenario: ScenarioDefinition, logQueries: readonly LogQuery[]) => {
      await writeDiagnostics(
        join(runDir, 'diagnostics', scenario.id),
        clusterDiagnostics(client, args.values.kubeconfig ? { kubeconfig: args.values.kubeconfig } : {}),
        labNamespaceOf(scenario.id),
        logQueries,
      )
    },
    onResult: (result: ScenarioResult) => writeJson(join(runDir, 'scenarios', `${result.id}.json`), result),
  }
  const { results, notRun, baseLab } =
    mode.mode === 'concurrent'
      ? await runScenariosConcurrently(
          selected,
          (scenario) => adaptersFor(scenarioNamespace(scenario.id)),
          { ...scenarioOptions, maxConcurrent: mode.maxConcurrent },
          hooks,
        )
      : await runScenarios(selected, adapters, { ...scenarioOptions, base: BASE_LAB }, hooks)
  const run: RunRecord = {
    schema: RUN_RECORD_SCHEMA,
    suite: { name: 'istio-traffic-conformance', version: SUITE_VERSION },
    profile,
    context,
    server: cluster.server,
    clusterMode: existingCluster ? 'existing-cluster' : 'suite-cluster',
    namespace,
    versions: await detectVersions(client, cluster.gitVersion, PROFILE_RECORD),
    startedAt: startedAt.toISOString(),
    endedAt: deps.now().toISOString(),
    upTimings,
    scenarios: results,
    missingResults: notRun,
    diagnostics: listDiagnostics(runDir),
    selected: selected.map((s) => s.id),
    falseFailureBound: runBoundOf(
      selected.flatMap((s) => s.checks.map((c) => ({ id: `${s.id}/${c.id}`, design: c.design }))),
    ).total,
    ...(baseLab ? { baseLab } : {}),
    passed:
      notRun.length === 0 && results.every((r) => r.passed) && (baseLab?.cleanup.errors.length ?? 0) === 0,
  }
  await writeReports(runDir, run, lang)
  if (args.values.junit) await copyJUnit(runDir, args.values.junit)
  out('')
  out(renderRunSummary(results, notRun, lang, { context, namespace }))
  if (baseLab) out(baseLabText(lang, baseLab))
  out(t(lang, 'run.reports', { files: REPORT_FILES.map((f) => join(shown, f)).join(', ') }))
  for (const [id, files] of Object.entries(run.diagnostics))
    out(t(lang, 'run.diagnostics', { id, count: files.length, dir: join(shown, 'diagnostics', id) }))
  return run.passed ? 0 : 1
}
