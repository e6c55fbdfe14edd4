import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'
import type { KubernetesObject } from '@kubernetes/client-node'
import { SCENARIO_IDS, SCENARIOS } from '../../../suites/index.js'
import { choices, UsageError } from '../../errors.js'
import type { Evidence } from '../../evidence/index.js'
import { localizeCause } from '../../i18n/causes.js'
import { chooseLang, type Lang } from '../../i18n/lang.js'
import { t } from '../../i18n/messages.js'
import { checkText, scenarioText } from '../../i18n/scenario-texts.js'
import type { KubeClient, ObjectRef } from '../../kube/client.js'
import { refOf } from '../../kube/client.js'
import { DEFAULT_CLUSTER_NAME, suiteContextName } from '../../kube/context-guard.js'
import { describeError } from '../../kube/describe-error.js'
import { type ClusterNames, forCluster, shellWord } from '../../learn/commands.js'
import { MANIFESTS_DIR } from '../../manifests/load.js'
import type { CheckResult } from '../../report/model.js'
import { DEFAULT_OPTIONS, type ScenarioDefinition, type ScenarioOptions } from '../../runner/define.js'
import { describeRef } from '../../runner/journal.js'
import { Lab, type LabAdapters } from '../../runner/lab.js'
import { JOURNAL_DIR } from '../../runner/paths.js'
import { ingressTarget, realLabAdapters } from '../../runner/real-lab.js'
import { type Interrupts, interrupts } from '../../system/interrupt.js'
import type { ParsedArgs } from '../args.js'
import { checkMeshState, connectGuarded, journalFor, replayJournal } from './connect.js'

/**
 * `walkthrough [scenario-id...] [--keep]`: chapter 5 for a class, on the suite's own cluster
 * (the same ownership proof as `run`). Each scenario of the registry, in the book's order, runs
 * its own body; before each change it makes, the walkthrough shows the YAML and the command the
 * book uses, and waits for Enter when stdin is a terminal (it runs straight through
 * otherwise); each check is explained as soon as it is observed. Every change is journaled;
 * each section is undone before the next, and with --keep the last one stays in place, still
 * in the journal, so `restore` (or the next `run`) undoes it later.
 */

export interface WalkthroughDeps {
  readonly adapters: (client: KubeClient, ingress: string, log: (line: string) => void) => LabAdapters
  readonly journalDir: string
  readonly interrupts: Interrupts
  /** Waits for Enter; undefined when stdin is not a terminal (then nothing waits). */
  readonly prompt: ((message: string) => Promise<void>) | undefined
  readonly env: Readonly<Record<string, string | undefined>>
}

/** Enter on a terminal; Ctrl-C while waiting goes to the process's own handler (which undoes). */
async function enter(message: string): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'))
  try {
    await rl.question(`${message} `)
  } finally {
    rl.close()
  }
}

export const DEFAULT_WALKTHROUGH_DEPS: WalkthroughDeps = {
  adapters: (client, ingress, log) => realLabAdapters(client, ingressTarget(ingress), log),
  journalDir: JOURNAL_DIR,
  interrupts,
  prompt: process.stdin.isTTY ? enter : undefined,
  env: process.env,
}

/** The command the book would type for a set of files (runnable from the project root). */
export function applyCommand(files: readonly string[]): string {
  return `kubectl apply ${files.map((f) => `-f ${shellWord(`manifests/${f}`)}`).join(' ')}`
}

/** `kubectl delete` for objects the lab removes first. */
export function deleteCommand(refs: readonly ObjectRef[]): string {
  return refs
    .map(
      (r) =>
        `kubectl delete ${r.kind.toLowerCase()} ${shellWord(r.name)}${r.namespace ? ` -n ${shellWord(r.namespace)}` : ''}`,
    )
    .join('; ')
}

/** What the walkthrough says while a scenario's body runs. */
interface Narrator {
  readonly lang: Lang
  readonly names: ClusterNames
  readonly say: (line: string) => void
  readonly pause: () => Promise<void>
}

/**
 * The Lab a scenario's body talks to, narrating: each change it is about to make is shown
 * (YAML, the book's command) and waited for, each check is explained once recorded. The Lab's
 * own behaviour (journal, cleanup, measuring) is unchanged. `release` stops the background work
 * without undoing anything, for --keep.
 */
class WalkthroughLab extends Lab {
  private inApply = false
  private readonly background: { what: string; run: () => Promise<void> }[] = []

  constructor(
    definition: ScenarioDefinition,
    adapters: LabAdapters,
    options: ScenarioOptions,
    private readonly narrator: Narrator,
  ) {
    super(definition, adapters, options)
  }

  override async apply(
    name: string,
    options: { adapt?: (objects: KubernetesObject[]) => KubernetesObject[] } = {},
  ) {
    const set = this.definition.manifestSets.find((s) => s.name === name)
    const { lang, say } = this.narrator
    say(t(lang, 'walk.step', { set: name }))
    for (const f of set?.files ?? []) {
      say(`# manifests/${f}`)
      for (const line of readFileSync(join(MANIFESTS_DIR, f), 'utf8').trimEnd().split('\n')) say(`  ${line}`)
    }
    say(t(lang, 'walk.command', { command: applyCommand(set?.files ?? []) }))
    await this.narrator.pause()
    this.inApply = true
    try {
      await super.apply(name, options)
    } finally {
      this.inApply = false
    }
    say(t(lang, 'walk.applied', { set: name }))
  }

  /** Changes made without a manifest set: the mesh config and the cluster DNS (egress scenarios). */
  override async applyObjects(objects: readonly KubernetesObject[]): Promise<void> {
    if (!this.inApply) {
      const { lang, say } = this.narrator
      for (const o of objects) {
        const ref = describeRef(refOf(o))
        if (o.kind === 'ConfigMap' && o.metadata?.name === 'istio')
          say(
            t(lang, 'walk.meshEdit', {
              command: 'istioctl install --set meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY',
              ref,
            }),
          )
        else if (o.kind === 'ConfigMap' && o.metadata?.name === 'coredns')
          say(t(lang, 'walk.dnsEdit', { host: 'jsonplaceholder.typicode.com', ref }))
        else say(t(lang, 'walk.command', { command: `kubectl apply (${ref})` }))
      }
      await this.narrator.pause()
    }
    await super.applyObjects(objects)
  }

  override async absent(...refs: ObjectRef[]): Promise<void> {
    this.narrator.say(t(this.narrator.lang, 'walk.remove', { command: deleteCommand(refs) }))
    await this.narrator.pause()
    await super.absent(...refs)
  }

  override defer(what: string, run: () => Promise<void>): void {
    this.background.push({ what, run })
    super.defer(what, run)
  }

  override record(check: string, evidence: Evidence, startedAt?: Date): CheckResult {
    const result = super.record(check, evidence, startedAt)
    explain(this.narrator, result)
    return result
  }

  /** Stops background work (load, stand-ins) and leaves every change in place and in the journal. */
  async release(): Promise<string[]> {
    const errors: string[] = []
    for (const d of this.background.splice(0).reverse()) {
      try {
        await d.run()
      } catch (error) {
        errors.push(`${d.what}: ${describeError(error)}`)
      }
    }
    return errors
  }
}

/** One check, as the class reads it: verdict, what it proves, what was observed, and the hint on failure. */
function explain(narrator: Narrator, r: CheckResult): void {
  const { lang, say } = narrator
  say(
    t(lang, 'walk.observed', {
      verdict: t(lang, r.passed ? 'word.pass' : 'word.fail'),
      check: r.check,
      proves: checkText(lang, r.scenario, r.check, 'proves', r.title),
    }),
  )
  say(t(lang, 'walk.cause', { cause: localizeCause(r.cause, lang) }))
  if (!r.passed && r.hint)
    say(
      t(lang, 'walk.hint', {
        hint: forCluster(checkText(lang, r.scenario, r.check, 'hint', r.hint), narrator.names),
      }),
    )
}

function selected(ids: readonly string[]): ScenarioDefinition[] {
  const unknown = ids.filter((id) => !SCENARIO_IDS.includes(id))
  if (unknown.length)
    throw new UsageError(
      `unknown scenario ${unknown.map((u) => `'${u}'`).join(', ')}`,
      `valid scenario ids: ${choices(SCENARIO_IDS)} (see 'run --list')`,
    )
  return SCENARIOS.filter((s) => ids.length === 0 || ids.includes(s.id))
}

export async function walkthroughCommand(
  args: ParsedArgs,
  out: (line: string) => void,
  deps: WalkthroughDeps = DEFAULT_WALKTHROUGH_DEPS,
): Promise<number> {
  const lang = chooseLang(args.values.lang, deps.env)
  const scenarios = selected(args.positionals)
  const keep = args.switches.has('keep')
  // The suite's own cluster only (no --context, no --allow-existing-cluster): the walkthrough
  // edits the mesh config and the cluster DNS, as the book's lab does.
  const own = suiteContextName(args.values.name ?? DEFAULT_CLUSTER_NAME)
  const cluster = await connectGuarded({ ...args, values: { ...args.values, context: own } }, out)
  const journal = journalFor(cluster.context, cluster.server, deps.journalDir)
  const adapters: LabAdapters = {
    ...deps.adapters(cluster.client, '127.0.0.1:30000', () => undefined),
    journal,
    interrupts: deps.interrupts,
  }
  await replayJournal(journal, adapters.cluster, out, lang)
  await checkMeshState(adapters.cluster, false)
  deps.interrupts.journalLocation = journal.location
  const names: ClusterNames = { context: cluster.context }
  const narrator: Narrator = {
    lang,
    names,
    say: out,
    pause: async () => {
      if (deps.prompt) await deps.prompt(t(lang, 'walk.pause'))
    },
  }
  out(t(lang, 'walk.intro', { context: cluster.context, count: scenarios.length }))
  let passed = 0
  for (const [i, scenario] of scenarios.entries()) {
    if (deps.interrupts.signal.aborted) break
    const last = i === scenarios.length - 1
    out('')
    out(
      t(lang, 'walk.scenario', {
        section: scenario.section,
        title: scenarioText(lang, scenario.id, 'title', scenario.title),
        id: scenario.id,
      }),
    )
    out(
      t(lang, 'walk.expect', {
        observation: scenarioText(lang, scenario.id, 'observation', scenario.observation),
      }),
    )
    const lab = new WalkthroughLab(scenario, adapters, DEFAULT_OPTIONS, narrator)
    const unregister = deps.interrupts.register({
      what: `${scenario.id}: undo its changes`,
      run: () => lab.cleanup(),
      remaining: () => lab.remaining(),
    })
    let error: string | undefined
    try {
      await scenario.run(lab, DEFAULT_OPTIONS)
    } catch (e) {
      error = describeError(e)
      out(t(lang, 'walk.stopped', { error }))
    }
    for (const check of scenario.checks)
      if (!lab.hasResult(check.id))
        lab.record(check.id, {
          kind: 'unobserved',
          reason: error
            ? `scenario stopped before this check: ${error}`
            : 'the scenario never evaluated this check',
        })
    if (error === undefined && lab.results.every((r) => r.passed)) passed++
    if (keep && last && error === undefined && !deps.interrupts.signal.aborted) {
      const errors = await lab.release()
      for (const e of errors) out(t(lang, 'walk.stopped', { error: e }))
      out(
        t(lang, 'walk.kept', {
          count: lab.journal.entries(scenario.id).length,
          id: scenario.id,
          journal: journal.location,
        }),
      )
    } else {
      out(t(lang, 'walk.undo'))
      const report = await lab.cleanup()
      out(t(lang, 'walk.undone', { deleted: report.deleted.length, restored: report.restored.length }))
      for (const e of report.errors) out(t(lang, 'walk.stopped', { error: e }))
    }
    unregister()
  }
  out('')
  out(t(lang, 'walk.done', { passed, count: scenarios.length }))
  return passed === scenarios.length ? 0 : 1
}
