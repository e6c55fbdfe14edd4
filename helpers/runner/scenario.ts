import { scenarioById } from '../catalogue.js'
import { describeError } from '../kube/describe-error.js'
import { onInterrupt } from '../system/interrupt.js'
import { type CheckResult, type CleanupReport, Lab, type LabAdapters } from './lab.js'

export interface ScenarioOptions {
  /** Use the book's Flagger analysis interval (45 s) instead of 10 s. */
  readonly bookTiming: boolean
  /** service-entry: a local stand-in for the outside host, or the real one. */
  readonly egress: 'hermetic' | 'internet'
  /** Running against a cluster that is not the suite's own: never touch mesh-wide config. */
  readonly existingCluster: boolean
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  bookTiming: false,
  egress: 'hermetic',
  existingCluster: false,
}

/** A scenario: its catalogue id and its body, which reads like the book. */
export interface ScenarioDefinition {
  readonly id: string
  readonly run: (lab: Lab, options: ScenarioOptions) => Promise<void>
}

export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  if (!scenarioById(definition.id)) throw new Error(`scenario ${definition.id} is not in the catalogue`)
  return definition
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly section: string
  readonly istioVersion: string
  readonly startedAt: string
  readonly endedAt: string
  readonly passed: boolean
  readonly checks: readonly CheckResult[]
  /** Manifest files the scenario applied, in order. */
  readonly manifests: readonly string[]
  /** What stopped the scenario body, if anything did. */
  readonly error?: string
  readonly cleanup: CleanupReport
}

/**
 * Runs one scenario and always cleans up (also on failure and on Ctrl-C). A declared check
 * that the body never recorded is a failure, never a silent pass.
 */
export async function runScenario(
  definition: ScenarioDefinition,
  adapters: LabAdapters,
  options: ScenarioOptions = DEFAULT_OPTIONS,
  /** Runs when anything failed, before cleanup removes the state worth looking at. */
  onFailure?: () => Promise<void>,
): Promise<ScenarioResult> {
  const lab = new Lab(definition.id, adapters)
  const startedAt = adapters.now()
  let istioVersion = 'unknown'
  let error: string | undefined
  const unregister = onInterrupt(async () => {
    await lab.cleanup()
  })
  let cleanup: CleanupReport
  try {
    istioVersion = await adapters.cluster.istioVersion()
    await definition.run(lab, options)
  } catch (e) {
    error = describeError(e)
    adapters.log(`${definition.id}: stopped: ${error}`)
  } finally {
    const incomplete = lab.entry.checks.some((c) => !lab.results.some((r) => r.check === c.id))
    if (onFailure && (error !== undefined || incomplete || lab.results.some((r) => !r.passed))) {
      await onFailure().catch((e: unknown) =>
        adapters.log(`${definition.id}: diagnostics failed: ${e instanceof Error ? e.message : String(e)}`),
      )
    }
    cleanup = await lab.cleanup()
    unregister()
  }
  for (const check of lab.entry.checks) {
    if (lab.results.some((r) => r.check === check.id)) continue
    lab.record(check.id, {
      kind: 'unobserved',
      reason: error
        ? `scenario stopped before this check: ${error}`
        : 'the scenario never evaluated this check',
    })
  }
  const checks = lab.entry.checks.map((c) => lab.results.find((r) => r.check === c.id) as CheckResult)
  return {
    id: lab.entry.id,
    title: lab.entry.title,
    section: lab.entry.section,
    istioVersion,
    startedAt: startedAt.toISOString(),
    endedAt: adapters.now().toISOString(),
    passed: error === undefined && cleanup.errors.length === 0 && checks.every((c) => c.passed),
    checks,
    manifests: [...lab.appliedFiles],
    ...(error !== undefined ? { error } : {}),
    cleanup,
  }
}
