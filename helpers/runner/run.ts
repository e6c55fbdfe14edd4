import type { LogQuery } from '../logs/reader.js'
import { BOOK_NAMESPACE } from '../manifests/namespace.js'
import type { BaseLabRecord, ScenarioResult } from '../report/model.js'
import { interrupts as processInterrupts } from '../system/interrupt.js'
import {
  BASE_LAB_OWNER,
  type BaseLabDefinition,
  BaseLabRun,
  baseObjects,
  orderForBaseLab,
} from './base-lab.js'
import type { ScenarioDefinition, ScenarioOptions } from './define.js'
import { describeUndo, Journal, memoryJournalStore } from './journal.js'
import type { LabAdapters } from './lab.js'
import { runScenario } from './scenario.js'
import { undoJournal } from './undo.js'

export interface RunOptions extends ScenarioOptions {
  /** Stop after the first scenario that fails; the rest are reported as not run, never as passed. */
  readonly failFast: boolean
  /**
   * The apps to apply once for the whole run (base-lab.ts): the scenarios then run in the
   * order the base lab needs, each applying only what it adds, and the base lab is removed
   * once at the end, also when the run fails or is interrupted.
   */
  readonly base?: BaseLabDefinition
}

export interface RunOutcome {
  readonly results: readonly ScenarioResult[]
  /** Scenarios that produced no result (fail-fast, or the run was stopped): failed, never passed. */
  readonly notRun: readonly string[]
  /** What the base lab did, when the run had one. */
  readonly baseLab?: BaseLabRecord
}

export interface RunHooks {
  /**
   * Runs for a scenario that failed, before its cleanup: `logQueries` are the containers its
   * checks read, whose last lines belong in the diagnostics.
   */
  readonly diagnostics?: (scenario: ScenarioDefinition, logQueries: readonly LogQuery[]) => Promise<void>
  /** Each scenario's result as soon as it is known (saved, so a crash keeps what was done). */
  readonly onResult?: (result: ScenarioResult) => Promise<void>
  /** Whether to start another scenario (false once the user asked to stop). */
  readonly shouldContinue?: () => boolean
}

/**
 * Runs the scenarios one after another in this process and returns their results as values.
 * With a base lab, in the order it plans, and the base lab is removed once at the end.
 */
export async function runScenarios(
  scenarios: readonly ScenarioDefinition[],
  adapters: LabAdapters,
  options: RunOptions,
  hooks: RunHooks = {},
): Promise<RunOutcome> {
  if (!options.base) return runInOrder(scenarios, adapters, options, hooks)
  const base = options.base
  const ordered = orderForBaseLab(scenarios, baseObjects(base))
  const namespace = options.namespace ?? BOOK_NAMESPACE
  const baseLab = new BaseLabRun(base, ordered, namespace)
  // One journal for the run: the base lab's changes and every scenario's, so Ctrl-C, a crash
  // and the end of the run undo the scenarios' first and the base lab's last.
  const journal = adapters.journal ?? new Journal(memoryJournalStore(), 'in-memory', 'in-memory')
  const shared: LabAdapters = { ...adapters, journal }
  const undoBase = () =>
    undoJournal(journal, adapters.cluster, {
      scenario: BASE_LAB_OWNER,
      log: (line) => adapters.log(`${BASE_LAB_OWNER}: ${line}`),
    })
  let removing: ReturnType<typeof undoBase> | undefined
  const removeBase = () => {
    removing ??= undoBase()
    return removing
  }
  // Registered before any scenario's cleanup: Ctrl-C runs the newest first, so the base lab goes last.
  const unregister = (adapters.interrupts ?? processInterrupts).register({
    what: `${BASE_LAB_OWNER}: remove the apps`,
    run: removeBase,
    remaining: () => journal.entries(BASE_LAB_OWNER).map(describeUndo),
  })
  const startedAt = adapters.now()
  try {
    const outcome = await runInOrder(ordered, shared, { ...options, baseLab }, hooks)
    return { ...outcome, baseLab: recordOf(baseLab, startedAt, adapters.now(), await removeBase()) }
  } finally {
    await removeBase()
    unregister()
  }
}

function recordOf(
  base: BaseLabRun,
  startedAt: Date,
  endedAt: Date,
  cleanup: BaseLabRecord['cleanup'],
): BaseLabRecord {
  return {
    namespace: base.namespace,
    files: [...base.definition.files],
    order: [...base.plan.order],
    rollouts: { ...base.plan.rollouts },
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    cleanup,
  }
}

async function runInOrder(
  scenarios: readonly ScenarioDefinition[],
  adapters: LabAdapters,
  options: RunOptions,
  hooks: RunHooks,
): Promise<RunOutcome> {
  const results: ScenarioResult[] = []
  for (const [i, scenario] of scenarios.entries()) {
    const stop =
      (options.failFast && results.some((r) => !r.passed)) ||
      (hooks.shouldContinue && !hooks.shouldContinue())
    if (stop) return { results, notRun: scenarios.slice(i).map((s) => s.id) }
    const { adapters: watched, logQueries } = watchingLogs(adapters)
    const { diagnostics } = hooks
    const result = await runScenario(
      scenario,
      watched,
      options,
      diagnostics ? () => diagnostics(scenario, logQueries) : undefined,
    )
    results.push(result)
    await hooks.onResult?.(result)
  }
  return { results, notRun: [] }
}

/**
 * The adapters with every log read remembered: the containers a failed scenario's checks read
 * are the ones whose last lines its diagnostics keep.
 */
export function watchingLogs(adapters: LabAdapters): {
  adapters: LabAdapters
  logQueries: readonly LogQuery[]
} {
  const logQueries: LogQuery[] = []
  return {
    logQueries,
    adapters: {
      ...adapters,
      cluster: {
        ...adapters.cluster,
        readLogs: (query, window) => {
          logQueries.push(query)
          return adapters.cluster.readLogs(query, window)
        },
      },
    },
  }
}
