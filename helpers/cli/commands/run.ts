import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROFILE_RECORD } from '../../../cluster/health.js'
import { CATALOGUE, hintFor, SCENARIO_IDS } from '../../catalogue.js'
import { choices, NotImplementedError, UsageError } from '../../errors.js'
import { KubeClient } from '../../kube/client.js'
import { guardContext, suiteContextName } from '../../kube/context-guard.js'
import { loadKubeConfig } from '../../kube/kubeconfig.js'
import { checkReachable } from '../../kube/reachability.js'
import type { PhaseTiming } from '../../progress.js'
import type { RunRecord } from '../../report/model.js'
import { detectVersions } from '../../report/versions.js'
import { listDiagnostics, REPORT_FILES, writeReports } from '../../report/write.js'
import { e2eEnvVars } from '../../runner/e2e-env.js'
import { REPORTS_DIR, stamp } from '../../runner/paths.js'
import type { ScenarioResult } from '../../runner/scenario.js'
import { spawnE2e } from '../../runner/spawn-e2e.js'
import type { ParsedArgs } from '../args.js'

/** The suite's version, from package.json. */
export const SUITE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

export function listScenarios(): string {
  const width = Math.max(...CATALOGUE.map((s) => s.id.length))
  return CATALOGUE.map((s) => `${s.id.padEnd(width)}  ${s.title}`).join('\n')
}

/** Validates scenario ids against the catalogue; none given means all, in catalogue order. */
export function selectScenarios(ids: readonly string[]): string[] {
  const unknown = ids.filter((id) => !SCENARIO_IDS.includes(id))
  if (unknown.length) {
    throw new UsageError(
      `unknown scenario ${unknown.map((u) => `'${u}'`).join(', ')}`,
      `valid scenario ids: ${choices(SCENARIO_IDS)} (see 'run --list')`,
    )
  }
  return ids.length ? SCENARIO_IDS.filter((id) => ids.includes(id)) : [...SCENARIO_IDS]
}

/** Where a scenario's e2e entry lives; a scenario is runnable once its file exists. */
export function suiteFile(id: string): string {
  return fileURLToPath(new URL(`../../../suites/${id}/${id}.e2e.ts`, import.meta.url))
}

export interface RunDeps {
  readonly spawnE2e: (
    files: readonly string[],
    env: Readonly<Record<string, string>>,
    options: { failFast: boolean },
  ) => Promise<number>
  /** Whether a scenario's e2e entry exists (it exists for every catalogued scenario today). */
  readonly suiteExists: (id: string) => boolean
  readonly now: () => Date
  readonly reportsDir: string
}

const DEFAULT_DEPS: RunDeps = {
  spawnE2e: (files, env, options) => spawnE2e(files, env, 'inherit', options),
  suiteExists: (id) => existsSync(suiteFile(id)),
  now: () => new Date(),
  reportsDir: REPORTS_DIR,
}

/** The run's outcome table: one line per check, then a total. Pure. */
export function renderRunSummary(
  results: readonly ScenarioResult[],
  missingResults: readonly string[],
): string {
  const lines: string[] = []
  for (const r of results) {
    lines.push(
      `${r.passed ? 'PASS' : 'FAIL'} ${r.id} [${r.section}] ${r.title}${r.error ? ` (stopped: ${r.error})` : ''}`,
    )
    for (const c of r.checks) {
      lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.check}: ${c.cause}`)
      const hint = c.passed ? undefined : hintFor(r.id, c.check)
      if (hint) lines.push(`       hint: ${hint}`)
    }
    if (r.cleanup.errors.length) lines.push(`  FAIL cleanup: ${r.cleanup.errors.join('; ')}`)
  }
  for (const id of missingResults)
    lines.push(`FAIL ${id}: no result was recorded (the e2e run stopped before it finished)`)
  const checks = results.flatMap((r) => r.checks)
  const failedScenarios = results.filter((r) => !r.passed).length + missingResults.length
  lines.push(
    `${results.length + missingResults.length} scenarios: ${results.length + missingResults.length - failedScenarios} passed, ${failedScenarios} failed; checks: ${checks.filter((c) => c.passed).length} passed, ${checks.filter((c) => !c.passed).length} failed`,
  )
  return lines.join('\n')
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
  const selected = selectScenarios(args.positionals)
  const clusterName = args.values.name as string
  const loaded = loadKubeConfig(args.values.kubeconfig)
  const allowExisting = args.switches.has('allow-existing-cluster')
  const context = guardContext({
    clusterName,
    requestedContext: args.values.context,
    currentContext: loaded.currentContext,
    knownContexts: loaded.contexts,
    allowExistingCluster: allowExisting,
    kubeconfigSource: loaded.source,
  })
  const reach = await checkReachable(loaded.kubeConfig, context)
  if (!reach.reachable) {
    throw new UsageError(
      `cluster of context ${context} is unreachable at ${reach.server}: ${reach.reason}`,
      context === suiteContextName(clusterName)
        ? `create it with 'npm run conformance -- up --name ${clusterName}'`
        : 'check that the cluster is running and the kubeconfig is current',
    )
  }
  out(`context ${context}: Kubernetes ${reach.gitVersion} at ${reach.server}`)
  const runnable = selected.filter((id) => deps.suiteExists(id))
  const notBuilt = selected.filter((id) => !runnable.includes(id))
  if (runnable.length === 0) throw new NotImplementedError(`scenario ${notBuilt.join(', ')}`)

  const client = new KubeClient(loaded.kubeConfig, context)
  const record = await client.configMap(PROFILE_RECORD.namespace, PROFILE_RECORD.name).catch(() => undefined)
  const profile = record?.data?.profile ?? 'existing'
  const startedAt = deps.now()
  const runDir = join(deps.reportsDir, `${stamp(startedAt)}-${profile}`)
  out(`running ${runnable.join(', ')}; results in ${relative(process.cwd(), runDir) || runDir}`)
  const exitCode = await deps.spawnE2e(
    runnable.map((id) => suiteFile(id)),
    e2eEnvVars({
      context,
      kubeconfig: args.values.kubeconfig,
      clusterName,
      allowExistingCluster: allowExisting,
      runDir,
      ingress: args.values.ingress ?? '127.0.0.1:30000',
      bookTiming: args.switches.has('book-timing'),
      egress: args.values.egress === 'internet' ? 'internet' : 'hermetic',
    }),
    { failFast: args.switches.has('fail-fast') },
  )
  const results: ScenarioResult[] = []
  const missing: string[] = []
  for (const id of runnable) {
    const file = join(runDir, 'scenarios', `${id}.json`)
    if (existsSync(file)) results.push(JSON.parse(readFileSync(file, 'utf8')) as ScenarioResult)
    else missing.push(id)
  }
  const run: RunRecord = {
    schema: 1,
    suite: { name: 'istio-traffic-conformance', version: SUITE_VERSION },
    profile,
    context,
    server: reach.server,
    versions: await detectVersions(client, reach.gitVersion, PROFILE_RECORD),
    startedAt: startedAt.toISOString(),
    endedAt: deps.now().toISOString(),
    upTimings,
    scenarios: results,
    missingResults: missing,
    notImplemented: notBuilt,
    diagnostics: listDiagnostics(runDir),
  }
  await writeReports(runDir, run)
  out('')
  out(renderRunSummary(results, missing))
  out(`reports: ${REPORT_FILES.map((f) => join(relative(process.cwd(), runDir) || runDir, f)).join(', ')}`)
  for (const [id, files] of Object.entries(run.diagnostics))
    out(
      `diagnostics for ${id}: ${files.length} files in ${join(relative(process.cwd(), runDir) || runDir, 'diagnostics', id)}`,
    )
  const failed =
    missing.length > 0 || results.some((r) => !r.passed) || (exitCode !== 0 && results.every((r) => r.passed))
  if (failed) return 1
  if (notBuilt.length) throw new NotImplementedError(`scenario ${notBuilt.join(', ')}`)
  return 0
}
