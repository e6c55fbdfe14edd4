import { DEFAULT_LANG } from '../i18n/lang.js'
import { t } from '../i18n/messages.js'
import { describeError } from '../kube/describe-error.js'
import type { CheckResult, CleanupReport, ScenarioResult } from '../report/model.js'
import { DEFAULT_OPTIONS, type ScenarioDefinition, type ScenarioOptions } from './define.js'
import { Lab, type LabAdapters } from './lab.js'

/**
 * Runs one scenario and always cleans up (also when its body throws). A declared check that
 * the body never recorded is a failure, never a silent pass. `onFailure` runs when anything
 * failed, before cleanup removes the state worth looking at (diagnostics). The result carries
 * the Lab's phase spans: where the scenario's wall time went, diagnostics and cleanup included.
 */
export async function runScenario(
  definition: ScenarioDefinition,
  adapters: LabAdapters,
  options: ScenarioOptions = DEFAULT_OPTIONS,
  onFailure?: () => Promise<void>,
): Promise<ScenarioResult> {
  const lab = new Lab(definition, adapters, options)
  const startedAt = adapters.now()
  let istioVersion = 'unknown'
  let error: string | undefined
  let cleanup: CleanupReport
  const unregister = lab.interrupts.register({
    what: `${definition.id}: undo its changes`,
    run: () => lab.cleanup(),
    remaining: () => lab.remaining(),
  })
  try {
    if (options.ownNamespace) await lab.createOwnNamespace()
    istioVersion = await adapters.cluster.istioVersion(lab.namespace)
    if (options.baseLab) await lab.prepareBase(options.baseLab)
    await definition.run(lab, options)
  } catch (e) {
    error = describeError(e)
    adapters.log(`${definition.id}: ${t(options.lang ?? DEFAULT_LANG, 'lab.stopped', { error })}`)
  } finally {
    const incomplete = definition.checks.some((c) => !lab.hasResult(c.id))
    const failedItself = lab.results.some((r) => !r.passed)
    // Stopped by the run (--fail-fast after another scenario failed), with nothing failed of
    // its own: its state says nothing about a fault, and collecting it only delays the stop.
    const stoppedByRun = adapters.stop?.aborted === true && !failedItself
    if (onFailure && !stoppedByRun && (error !== undefined || incomplete || failedItself)) {
      await lab
        .span('diagnostics', '', onFailure)
        .catch((e: unknown) =>
          adapters.log(
            `${definition.id}: ${t(options.lang ?? DEFAULT_LANG, 'lab.diagnosticsFailed', { error: describeError(e) })}`,
          ),
        )
    }
    cleanup = await lab.cleanup()
    unregister()
  }
  for (const check of definition.checks) {
    if (lab.hasResult(check.id)) continue
    lab.record(check.id, {
      kind: 'unobserved',
      reason: error
        ? `scenario stopped before this check: ${error}`
        : 'the scenario never evaluated this check',
    })
  }
  const checks = definition.checks.map((c) => lab.results.find((r) => r.check === c.id) as CheckResult)
  return {
    id: definition.id,
    title: definition.title,
    section: definition.section,
    istioVersion,
    startedAt: startedAt.toISOString(),
    endedAt: adapters.now().toISOString(),
    passed: error === undefined && cleanup.errors.length === 0 && checks.every((c) => c.passed),
    checks,
    manifests: [...lab.appliedFiles],
    ...(error !== undefined ? { error } : {}),
    cleanup,
    phases: lab.phases,
    namespace: lab.namespace,
  }
}
