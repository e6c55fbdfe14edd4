import type { KubernetesObject } from '@kubernetes/client-node'
import { type Evidence, judge } from '../evidence/index.js'
import { DEFAULT_ERROR_BOUND, type ErrorBound, encodeOutcomes } from '../evidence/shares.js'
import type { ResponseClass } from '../http/classify.js'
import type { LoadHandle } from '../http/load.js'
import type { Convergence, Probe, RequestRecord, SampleResult } from '../http/sampler.js'
import { localizeCause } from '../i18n/causes.js'
import { DEFAULT_LANG } from '../i18n/lang.js'
import { type MessageKey, t, type Vars } from '../i18n/messages.js'
import type { ObjectRef } from '../kube/client.js'
import { refOf } from '../kube/client.js'
import { describeError } from '../kube/describe-error.js'
import { type LabNamespaceFacts, ownNamespaceState, ownNamespacesTaken } from '../kube/lab-namespace.js'
import type { LogQuery, LogRead } from '../logs/reader.js'
import { type LogWindow, openLogWindow } from '../logs/window.js'
import { loadManifest } from '../manifests/load.js'
import { BOOK_NAMESPACE, intoNamespace } from '../manifests/namespace.js'
import { type Clock, DeadlineError, type PollResult, pollUntil, realClock } from '../poll.js'
import type { CheckResult, CleanupReport, PhaseKind, PhaseSpan } from '../report/model.js'
import type { RouteQuery } from '../routes/fetch.js'
import { describeRoutes, type RouteView } from '../routes/inspect.js'
import { type RequestShape, routesOnlyTo } from '../routes/match.js'
import {
  DEFAULT_SPEC,
  designSequential,
  designZeroTolerance,
  type RatioSpec,
  sequentialDecision,
} from '../stats/ratio-tests.js'
import { type Interrupts, interrupts as processInterrupts } from '../system/interrupt.js'
import type { StandIn } from '../system/stand-in.js'
import { BASE_LAB_OWNER, type BaseLabRun, type BaseObjectKey, refKey } from './base-lab.js'
import type { CheckSpec, ManifestSet, ScenarioDefinition, ScenarioOptions } from './define.js'
import { describeRef, describeUndo, Journal, type JournalEntry, memoryJournalStore } from './journal.js'
import { TIMEOUTS, type TimeoutName, type Timeouts } from './timeouts.js'
import { undoJournal } from './undo.js'

export interface ClusterEvent {
  readonly reason: string
  readonly message: string
  readonly at: string
}

export interface ExecOutcome {
  readonly command: readonly string[]
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** A proxy's route table as read, and the pod it came from. */
export interface RouteFetch {
  readonly pod: string
  readonly routes: RouteView[]
}

/** What a scenario may do to the cluster. Real: over KubeClient. Tests: an in-memory fake. */
export interface LabCluster {
  /** Events about one object, oldest first (Flagger reports its decisions as events). */
  events(namespace: string, involvedName: string): Promise<ClusterEvent[]>
  /**
   * Runs the first of `commands` whose executable exists in the container of a pod matching
   * the selector (images differ in what they ship: curl, wget).
   */
  exec(
    namespace: string,
    labelSelector: string,
    container: string,
    commands: readonly (readonly string[])[],
  ): Promise<ExecOutcome>
  /**
   * What decides whether the lab may live in a namespace (helpers/kube/lab-namespace.ts): its
   * labels, or none when it does not exist, and the objects in it. Reads only.
   */
  namespaceFacts(namespace: string): Promise<LabNamespaceFacts>
  /** The Istio version of the control plane that serves a namespace (istiod-<rev> for a revisioned one). */
  istioVersion(namespace: string): Promise<string>
  read(ref: ObjectRef): Promise<KubernetesObject | undefined>
  /** Server-side apply at the newest served apiVersions. */
  apply(objects: readonly KubernetesObject[]): Promise<void>
  /**
   * Warnings the API server returned since the last call: admission webhooks warn without
   * refusing (Istio's, for a VirtualService rule it will not translate).
   */
  admissionWarnings?(): readonly string[]
  /** Delete and wait until gone. */
  delete(refs: readonly ObjectRef[]): Promise<void>
  waitForDeployments(namespace: string, names: readonly string[]): Promise<void>
  readLogs(query: LogQuery, window: LogWindow): Promise<LogRead>
  fetchRoutes(query: RouteQuery): Promise<RouteFetch>
}

/** How a scenario reaches the ingress gateway. */
export interface LabIngress {
  converge(probe: Probe, expected: ResponseClass, timeoutMs: number): Promise<Convergence>
  /** Steady, rate-limited load in the background until stopped. */
  startLoad(probe: Probe, requestsPerSecond: number): LoadHandle
  sample(
    probe: Probe,
    options: { maxRequests: number; onOrdered: (r: RequestRecord) => boolean },
  ): Promise<SampleResult>
}

export interface LabAdapters {
  readonly cluster: LabCluster
  readonly ingress: LabIngress
  readonly now: () => Date
  readonly log: (line: string) => void
  /** For polling; the real clock unless a test supplies one. */
  readonly clock?: Clock
  /** Starts a stand-in for an outside host; absent where none can be started. */
  readonly startStandIn?: () => Promise<StandIn>
  /** The run's change journal (on disk for a real run); a lab without one keeps it in memory. */
  readonly journal?: Journal
  /**
   * Ctrl-C handling: its signal aborts on the first press (the lab starts no new change after
   * that) and the scenario's cleanup is registered with it. The process's own by default.
   */
  readonly interrupts?: Interrupts
  /**
   * Aborted when the run stops this scenario though nobody pressed Ctrl-C (--fail-fast while
   * scenarios run concurrently): like the first Ctrl-C, no new change or wait starts, and the
   * reason is the scenario's error.
   */
  readonly stop?: AbortSignal
}

/**
 * A proxy's route table that must send the measured request only to `cluster` before a
 * zero-tolerance check measures: three matching responses in a row also pass on a stale
 * mixed table (a 90/10 table with probability 0.73), the table itself does not.
 */
export interface RouteGate {
  readonly query: RouteQuery
  /** The request as that proxy sees it (a sidecar sees webapp's call to catalog, not the probe). */
  readonly request: RequestShape
  readonly cluster: string
}

/** The responses a measurement used, and the log window opened just before it. */
export interface Measurement {
  readonly records: readonly RequestRecord[]
  readonly window: LogWindow
}

const label = (r: ObjectRef) => `${r.kind}/${r.name}`

/** Thrown at the next step once the user pressed Ctrl-C: no new change is started. */
export class InterruptedError extends Error {
  constructor(why = 'interrupted') {
    super(`${why}: no further change is made; undoing what was changed`)
  }
}

/**
 * What a scenario talks to: it applies its declared manifest sets (remembering what existed
 * before), probes through the ingress, records one result per declared check, and on cleanup
 * deletes what it created and restores what it changed, newest first. `C` and `S` are the
 * scenario's own check ids and manifest-set names.
 */
export class Lab<C extends string = string, S extends string = string> {
  readonly results: CheckResult[] = []
  /** Manifest files applied, in order (each once): the report shows what a scenario really did. */
  readonly appliedFiles: string[] = []
  readonly timeouts: Timeouts
  readonly journal: Journal
  /** When the scenario started (the Lab is made for it then): its log windows reach no further back. */
  readonly startedAt: Date
  /** What the API server warned about while this scenario applied its manifests. */
  readonly admissionWarnings: string[] = []
  private readonly deferred: { what: string; run: () => Promise<void> }[] = []
  private readonly spans: PhaseSpan[] = []
  /**
   * Spans under way: a step started while one runs is inside it and records no span of its
   * own. A counter, not AsyncLocalStorage: that turns on promise hooks for the whole process,
   * which slowed the load generator beside the lab below its rate (helpers/http/load.test.ts).
   */
  private openSpans = 0
  /** The change being made right now: cleanup waits for it before undoing anything. */
  private inFlight: Promise<unknown> = Promise.resolve()
  private cleaning: Promise<CleanupReport> | undefined

  constructor(
    readonly definition: ScenarioDefinition,
    private readonly adapters: LabAdapters,
    readonly options: ScenarioOptions,
  ) {
    this.timeouts = { ...TIMEOUTS, ...options.timeouts }
    this.startedAt = adapters.now()
    this.journal = adapters.journal ?? new Journal(memoryJournalStore(), 'in-memory', 'in-memory')
  }

  get interrupts(): Interrupts {
    return this.adapters.interrupts ?? processInterrupts
  }

  private get stopping(): boolean {
    return this.interrupts.signal.aborted || (this.adapters.stop?.aborted ?? false)
  }

  /** Throws once the user (or the run) asked to stop, so no new change or wait starts. */
  private checkInterrupted(): void {
    if (this.interrupts.signal.aborted) throw new InterruptedError()
    const stop = this.adapters.stop
    if (stop?.aborted) throw new InterruptedError(typeof stop.reason === 'string' ? stop.reason : 'stopped')
  }

  /**
   * An adapter's own wait (a rollout, the convergence gate), ended at once when the user or the
   * run asks to stop instead of at its deadline. The adapter's wait only reads; what it still
   * does after that is ignored.
   */
  private interruptible<T>(work: Promise<T>): Promise<T> {
    const signals = [this.interrupts.signal, ...(this.adapters.stop ? [this.adapters.stop] : [])]
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        try {
          this.checkInterrupted()
        } catch (error) {
          reject(error)
        }
      }
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true })
      onAbort()
      work.then(resolve, reject).finally(() => {
        for (const s of signals) s.removeEventListener('abort', onAbort)
      })
    })
  }

  get cluster(): LabCluster {
    return this.adapters.cluster
  }

  now(): Date {
    return this.adapters.now()
  }

  log(line: string): void {
    this.adapters.log(`${this.definition.id}: ${line}`)
  }

  /** Where the scenario's time went so far: its spans in the order they started (PhaseSpan). */
  get phases(): PhaseSpan[] {
    return [...this.spans].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
  }

  /**
   * Runs `body` as one step of the timeline, timed on the lab's clock whether it returns or
   * throws. Inside another span it is only run: the outermost step counts the time, so spans
   * never count the same time twice. Scenario bodies make one Lab step at a time; the one
   * step that may start while another runs is cleanup on Ctrl-C, which is always recorded.
   */
  async span<T>(kind: PhaseKind, label: string, body: () => Promise<T>): Promise<T> {
    if (this.openSpans > 0 && kind !== 'cleanup') return body()
    const started = this.now()
    this.openSpans++
    try {
      return await body()
    } finally {
      this.openSpans--
      this.spans.push({
        kind,
        label,
        startedAt: started.toISOString(),
        durationMs: this.now().getTime() - started.getTime(),
      })
    }
  }

  /** A progress line from the catalogue, in the run's language (run --lang). */
  say(key: MessageKey, vars: Vars = {}): void {
    this.log(t(this.options.lang ?? DEFAULT_LANG, key, vars))
  }

  /**
   * The namespace the lab lives in: the book's (istioinaction) unless `run --namespace` names
   * another. On a cluster that is not the suite's own it is the only one a scenario may change.
   */
  get namespace(): string {
    return this.options.namespace ?? BOOK_NAMESPACE
  }

  private set(name: S): ManifestSet {
    const set = this.definition.manifestSets.find((s) => s.name === name)
    if (!set) throw new Error(`${this.definition.id} declares no manifest set ${name}`)
    return set
  }

  /**
   * Applies a declared manifest set and waits for the Deployments among it. `adapt` changes
   * the objects first (leave one out, set a field); the report still names the files.
   */
  async apply(name: S, options: { adapt?: (objects: KubernetesObject[]) => KubernetesObject[] } = {}) {
    const { files } = this.set(name)
    const byFile = files.map((file) => ({ file, objects: intoNamespace(loadManifest(file), this.namespace) }))
    const objects = byFile.flatMap((f) => f.objects)
    const applied = await this.applyNamed(name, options.adapt ? options.adapt(objects) : objects)
    // The report names the files the scenario applied something of: not an app file whose
    // objects the run's base lab already had in place.
    const keys = new Set(applied.map((o) => label(refOf(o))))
    const used = byFile.filter((f) => f.objects.some((o) => keys.has(label(refOf(o))))).map((f) => f.file)
    for (const f of used) if (!this.appliedFiles.includes(f)) this.appliedFiles.push(f)
    this.say(options.adapt ? 'lab.appliedAdapted' : 'lab.applied', {
      set: name,
      files: used.length ? used.join(', ') : '-',
    })
  }

  /**
   * Applies objects and waits for the Deployments among them. Each change is journaled before
   * it is made, with what the object was before.
   */
  async applyObjects(objects: readonly KubernetesObject[]): Promise<void> {
    await this.applyNamed(objects.map((o) => label(refOf(o))).join(', '), objects)
  }

  /**
   * applyObjects, its spans labelled `name` (a manifest set, or the objects); returns what it
   * applied.
   */
  private async applyNamed(
    name: string,
    all: readonly KubernetesObject[],
  ): Promise<readonly KubernetesObject[]> {
    // What the run's base lab already holds, unchanged, is in place: applying it again would
    // only journal it twice.
    const base = this.options.baseLab
    const objects = base ? all.filter((o) => !base.holds(o)) : all
    if (objects.length === 0) return objects
    await this.span('apply', name, async () => {
      for (const obj of objects) await this.journalChange(refOf(obj), { kind: 'apply', object: obj })
      await this.change(() => this.cluster.apply(objects))
    })
    const warnings = this.cluster.admissionWarnings?.() ?? []
    for (const w of warnings) this.say('lab.apiWarns', { warning: w })
    this.admissionWarnings.push(...warnings)
    const byNamespace = new Map<string, string[]>()
    for (const o of objects.filter((o) => o.kind === 'Deployment')) {
      const ns = o.metadata?.namespace ?? 'default'
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), o.metadata?.name ?? ''])
    }
    if (byNamespace.size === 0) return objects
    await this.span('rollout', [...byNamespace.values()].flat().join(', '), async () => {
      for (const [ns, names] of byNamespace)
        await this.interruptible(this.cluster.waitForDeployments(ns, names))
    })
    return objects
  }

  /**
   * Creates the lab's namespace, with sidecar injection, as the scenario's first change: the
   * journal holds it first, so cleanup removes it last, after everything in it. Only for a
   * namespace of the scenario's own on the suite's cluster (the journal refuses it elsewhere).
   */
  async createOwnNamespace(): Promise<void> {
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: this.namespace }
    const state = ownNamespaceState(await this.cluster.read(ref))
    if (state === 'taken') {
      const { cause, fix } = ownNamespacesTaken([this.namespace])
      throw new Error(`${cause}; ${fix}`)
    }
    if (state === 'terminating')
      await this.poll(
        `namespace ${this.namespace} deleted`,
        async (): Promise<PollResult<true>> =>
          ownNamespaceState(await this.cluster.read(ref)) === 'absent'
            ? { done: true, value: true }
            : { done: false, state: 'still terminating' },
        { timeout: 'deleted' },
      )
    await this.applyObjects([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: this.namespace, labels: { 'istio-injection': 'enabled' } },
      },
    ])
    this.say('lab.namespaceCreated', { namespace: this.namespace })
  }

  /**
   * The run's base lab, ready for this scenario (base-lab.ts): removes what the scenario
   * declares `without`, applies the base objects it needs that are not in place yet, and waits
   * until the base Deployments it needs are ready (a scenario before may have restored one).
   * Its changes are journaled as the base lab's, undone once when the run ends.
   */
  async prepareBase(base: BaseLabRun): Promise<void> {
    const step = base.stepFor(this.definition.id)
    const refs = (keys: readonly BaseObjectKey[]) => keys.map((k) => refOf(base.objectOf(k)))
    if (step.remove.length > 0) {
      await this.span('delete', `base lab: ${step.remove.join(', ')}`, async () => {
        for (const ref of refs(step.remove)) await this.journalChange(ref, { kind: 'delete' }, BASE_LAB_OWNER)
        await this.change(() => this.cluster.delete(refs(step.remove)))
      })
      base.removed(step.remove)
    }
    if (step.apply.length > 0) {
      const objects = step.apply.map((k) => base.objectOf(k))
      await this.span('apply', `base lab: ${step.apply.join(', ')}`, async () => {
        for (const obj of objects)
          await this.journalChange(refOf(obj), { kind: 'apply', object: obj }, BASE_LAB_OWNER)
        // An object of that name made since the base lab removed it is not the base lab's:
        // applying over it would keep its owner, whose garbage collection then removes it.
        if (step.replace.length > 0) await this.change(() => this.cluster.delete(refs(step.replace)))
        await this.change(() => this.cluster.apply(objects))
      })
      base.placed(step.apply)
    }
    // The base objects this scenario's own files change (a canary's revision of catalog) are
    // journaled now, before any of its objects: cleanup, newest first, then undoes the scenario's
    // objects (the Canary) before it restores them, so Flagger never sees the restore as a new
    // revision of a Canary about to be deleted.
    const changes = this.definition.manifestSets
      .flatMap((set) => set.files.filter((f) => !base.definition.files.includes(f)))
      .flatMap((f) => intoNamespace(loadManifest(f), this.namespace))
      .map((o) => refOf(o))
      .filter((ref) => base.isInPlace(ref))
    for (const ref of changes)
      await this.journalChange(ref, { kind: 'apply', object: base.objectOf(refKey(ref)) })
    if (step.ready.length > 0)
      await this.span('rollout', `base lab: ${step.ready.join(', ')}`, () =>
        this.interruptible(this.cluster.waitForDeployments(this.namespace, step.ready)),
      )
    this.say('lab.baseReady', {
      applied: step.apply.length ? step.apply.join(', ') : '-',
      removed: step.remove.length ? step.remove.join(', ') : '-',
    })
  }

  /** Makes sure the objects do not exist (e.g. catalog-v2 before the canary); restored afterwards. */
  async absent(...refs: ObjectRef[]): Promise<void> {
    const base = this.options.baseLab
    const undeclared = base
      ? refs.filter((r) => base.isBaseObject(r) && !this.definition.without.includes(refKey(r)))
      : []
    if (undeclared.length > 0)
      throw new Error(
        `${this.definition.id} removes ${undeclared.map(refKey).join(', ')} of the base lab without declaring it in \`without\``,
      )
    await this.span('delete', refs.map(label).join(', '), async () => {
      for (const ref of refs) await this.journalChange(ref, { kind: 'delete' })
      await this.change(() => this.cluster.delete(refs))
    })
    this.say('lab.removed', { refs: refs.map(label).join(', ') })
  }

  /**
   * Write-ahead: the journal holds the object's state before the scenario's first change and
   * the change about to be made, before it is made. On a cluster that is not the suite's own,
   * only the lab's namespace may change: never mesh-wide configuration.
   */
  private async journalChange(
    ref: ObjectRef,
    change: JournalEntry['change'],
    owner: string = this.definition.id,
  ): Promise<void> {
    this.checkInterrupted()
    if (this.options.existingCluster && ref.namespace !== this.namespace) {
      throw new Error(
        `refusing to change ${describeRef(ref)} on a cluster that is not the suite's own: only namespace ${this.namespace} may change`,
      )
    }
    // An object changed twice keeps the state it had before the first change (record ignores
    // `before` for an object it already holds), so it is read only once. A scenario's change to
    // an object the base lab has in place is undone to the base lab's own object, not to what
    // the cluster made of it meanwhile: Flagger scales its target to zero once the primary
    // serves (fluxcd/flagger v1.36.1 pkg/canary/deployment_controller.go ScaleToZero), and the
    // next scenario needs the base lab's catalog.
    const base = this.options.baseLab
    const before = this.journal.has(owner, ref)
      ? null
      : owner !== BASE_LAB_OWNER && base?.isInPlace(ref)
        ? base.objectOf(refKey(ref))
        : ((await this.cluster.read(ref)) ?? null)
    this.journal.record(owner, ref, before, change, this.now())
  }

  /**
   * Makes a journaled change, unless the user has asked to stop. Cleanup waits for a change
   * that is under way (it is marked before it starts), so undoing it is never overtaken by it.
   */
  private async change<T>(make: () => Promise<T>): Promise<T> {
    this.checkInterrupted()
    let landed!: () => void
    this.inFlight = new Promise<void>((resolve) => {
      landed = resolve
    })
    try {
      return await make()
    } finally {
      landed()
    }
  }

  /** pollUntil on the lab's clock, with a deadline from the timeout table; a `wait` span. */
  poll<T>(
    what: string,
    check: () => Promise<PollResult<T>>,
    options: { timeout: TimeoutName; intervalMs?: number },
  ): Promise<T> {
    return this.span('wait', what, () =>
      pollUntil(what, check, {
        // Outside the check: an error of the check is a state to wait past, a stop is not.
        guard: () => this.checkInterrupted(),
        timeoutMs: this.timeouts[options.timeout],
        ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
        ...(this.adapters.clock ? { clock: this.adapters.clock } : {}),
      }),
    )
  }

  /** Registers work for cleanup (stop the load, stop a container); runs before the ledger, newest first. */
  defer(what: string, run: () => Promise<void>): void {
    this.deferred.push({ what, run })
  }

  /** Starts background load that is stopped at cleanup whatever happens. */
  startLoad(probe: Probe, requestsPerSecond: number): LoadHandle {
    const handle = this.adapters.ingress.startLoad(probe, requestsPerSecond)
    let stopped: ReturnType<LoadHandle['stop']> | undefined
    const stop = () => {
      stopped ??= handle.stop()
      return stopped
    }
    this.defer('background load', async () => {
      await stop()
    })
    this.say('lab.loadStarted', { rate: requestsPerSecond, target: `${probe.host}${probe.path}` })
    return { stop, answered: () => handle.answered() }
  }

  async startStandIn(): Promise<StandIn> {
    const start = this.adapters.startStandIn
    if (!start) throw new Error('no stand-in can be started here (needs Docker)')
    const standIn = await this.span('stand-in', '', () => start.call(this.adapters))
    this.defer(`stand-in ${standIn.address}`, () => standIn.stop())
    return standIn
  }

  /**
   * Samples `extract(object)` every intervalMs until `until` holds or the deadline passes;
   * returns the samples either way (Flagger's phase and canaryWeight over time).
   */
  watch<V>(
    ref: ObjectRef,
    extract: (obj: KubernetesObject | undefined) => V,
    until: (value: V) => boolean,
    options: { timeoutMs: number; intervalMs: number },
  ): Promise<{ samples: { at: string; value: V }[]; completed: boolean }> {
    return this.span('watch', label(ref), () => this.watchUntil(ref, extract, until, options))
  }

  private async watchUntil<V>(
    ref: ObjectRef,
    extract: (obj: KubernetesObject | undefined) => V,
    until: (value: V) => boolean,
    options: { timeoutMs: number; intervalMs: number },
  ): Promise<{ samples: { at: string; value: V }[]; completed: boolean }> {
    const samples: { at: string; value: V }[] = []
    const clock = this.adapters.clock ?? realClock
    const deadline = this.now().getTime() + options.timeoutMs
    let shown = ''
    for (;;) {
      this.checkInterrupted()
      const value = extract(await this.cluster.read(ref).catch(() => undefined))
      samples.push({ at: this.now().toISOString(), value })
      // Progress for long watches (a canary takes minutes): a line whenever the value changes.
      const text = typeof value === 'string' ? value : JSON.stringify(value)
      if (text !== shown) {
        this.log(`${ref.kind}/${ref.name}: ${text}`)
        shown = text
      }
      if (until(value)) return { samples, completed: true }
      const left = deadline - this.now().getTime()
      if (left <= 0) return { samples, completed: false }
      await clock.sleep(Math.min(options.intervalMs, left))
    }
  }

  /**
   * A log window from now, floored at the scenario's start: a check reads no line written
   * before its scenario began, whoever's pod it is (LogWindow.floor).
   */
  openLogWindow(): LogWindow {
    return { ...openLogWindow(this.now()), floor: this.startedAt.toISOString() }
  }

  private spec(check: C): CheckSpec {
    const spec = this.definition.checks.find((c) => c.id === check)
    if (!spec) throw new Error(`${this.definition.id} declares no check ${check}`)
    return spec
  }

  /** Judges evidence and records the check's result, with the check's own words. */
  record(check: C, evidence: Evidence, startedAt: Date = this.now()): CheckResult {
    const spec = this.spec(check)
    const verdict = judge(evidence)
    const result: CheckResult = {
      scenario: this.definition.id,
      check,
      title: spec.proves,
      hint: spec.hint,
      passed: verdict.passed,
      cause: verdict.cause,
      evidence,
      verdict,
      startedAt: startedAt.toISOString(),
      durationMs: this.now().getTime() - startedAt.getTime(),
    }
    this.results.push(result)
    const lang = this.options.lang ?? DEFAULT_LANG
    this.say('lab.check', {
      verdict: t(lang, result.passed ? 'word.pass' : 'word.fail'),
      check,
      cause: localizeCause(result.cause, lang),
    })
    return result
  }

  /** Whether a check already has a result (a gate that failed records it as unobserved). */
  hasResult(check: C): boolean {
    return this.results.some((r) => r.check === check)
  }

  /**
   * The convergence gate: 3 consecutive responses of the expected class. On timeout `check`
   * is recorded as unobserved, with the classes seen; with `record` the passing gate is itself
   * the check's result.
   */
  async awaitConverged(
    check: C,
    probe: Probe,
    expected: ResponseClass,
    options: { record?: boolean; timeout?: TimeoutName } = {},
  ): Promise<boolean> {
    const started = this.now()
    try {
      const c = await this.span('converge', check, () =>
        this.interruptible(
          this.adapters.ingress.converge(probe, expected, this.timeouts[options.timeout ?? 'converge']),
        ),
      )
      if (options.record) {
        this.record(
          check,
          { kind: 'converged', expected, consecutive: 3, requests: c.requests, elapsedMs: c.elapsedMs },
          started,
        )
      }
      return true
    } catch (error) {
      this.record(check, { kind: 'unobserved', reason: describeError(error) }, started)
      return false
    }
  }

  /**
   * Waits until a proxy's route table satisfies `accept` (the new configuration is in the
   * proxy, not only in the API), and returns that table. On timeout `check` is recorded as
   * unobserved with the last table seen.
   */
  async awaitRoutes(
    check: C,
    query: RouteQuery,
    what: string,
    accept: (routes: readonly RouteView[]) => PollResult<true>,
  ): Promise<RouteFetch | undefined> {
    const started = this.now()
    try {
      return await this.span('routes', check, () =>
        this.poll(
          what,
          async (): Promise<PollResult<RouteFetch>> => {
            const fetched = await this.cluster.fetchRoutes(query)
            const verdict = accept(fetched.routes)
            return verdict.done ? { done: true, value: fetched } : verdict
          },
          { timeout: 'routesProgrammed', intervalMs: 1_000 },
        ),
      )
    } catch (error) {
      this.record(check, { kind: 'unobserved', reason: describeError(error) }, started)
      return undefined
    }
  }

  /**
   * Every response must be `expected`, over enough responses to catch a 1% leak with miss
   * probability <= 1e-3. Converges first unless the caller has already gated (a route-table
   * gate or awaitConverged); opens the log window after convergence, before the measured
   * traffic. Returns the responses and the window, or undefined when it never converged.
   */
  async expectOnly(
    check: C,
    probe: Probe,
    expected: 'v1' | 'v2',
    options: {
      /** The caller has already waited for the configuration to take effect. */
      gated?: boolean
      /** Wait first until this proxy's table sends the request only to the expected cluster. */
      routes?: RouteGate
      /** The deadline of the convergence gate (default `converge`). */
      convergeTimeout?: TimeoutName
      errorBound?: ErrorBound
      labels?: { v1: string; v2: string }
      /** The leak to rule out (default 1%); larger means fewer requests. */
      leak?: number
    } = {},
  ): Promise<Measurement | undefined> {
    // Errors have their own bound (sporadic upstream resets are not a routing fault).
    const errorBound = options.errorBound ?? DEFAULT_ERROR_BOUND
    const started = this.now()
    const gate = options.routes
    if (
      gate &&
      !(await this.awaitRoutes(
        check,
        gate.query,
        `${gate.query.labelSelector} ${gate.query.routeName} sends ${gate.request.path} only to ${gate.cluster}`,
        (routes) =>
          routesOnlyTo(routes, gate.request, gate.cluster)
            ? { done: true, value: true }
            : { done: false, state: describeRoutes(routes).join(' | ') || 'no route' },
      ))
    )
      return undefined
    if (
      !options.gated &&
      !(await this.awaitConverged(check, probe, expected, {
        ...(options.convergeTimeout ? { timeout: options.convergeTimeout } : {}),
      }))
    )
      return undefined
    const window = this.openLogWindow()
    const design = designZeroTolerance(options.leak)
    let trials = 0
    const result = await this.span('measure', check, () =>
      this.adapters.ingress.sample(probe, {
        // Errors do not count as trials; a generous margin lets the error bound, not the cap, decide.
        maxRequests: design.n + 50,
        onOrdered: (r) => {
          if (r.class !== 'error') trials++
          return trials >= design.n || (r.class !== 'error' && r.class !== expected) || this.stopping
        },
      }),
    )
    this.record(
      check,
      {
        kind: 'zero-tolerance',
        expected,
        ...(options.labels ? { labels: options.labels } : {}),
        leak: design.leak,
        beta: design.beta,
        errorBound,
        outcomes: encodeOutcomes(result.records.map((r) => r.class)),
      },
      started,
    )
    return { records: result.records, window }
  }

  /**
   * The share of v2 must be p0, judged by the sequential test at (alpha, beta, delta). The
   * caller has made sure the configuration is in effect (a route-table gate).
   */
  async expectShare(check: C, probe: Probe, p0: number, spec: Partial<RatioSpec> = {}): Promise<Measurement> {
    const started = this.now()
    const window = this.openLogWindow()
    const full: RatioSpec = { ...DEFAULT_SPEC, ...spec, p0 }
    const design = designSequential(full)
    let n = 0
    let k = 0
    const result = await this.span('measure', check, () =>
      this.adapters.ingress.sample(probe, {
        maxRequests: design.maxN + 100,
        onOrdered: (r) => {
          if (this.stopping) return true
          if (r.class === 'error') return false
          n++
          if (r.class === 'v2') k++
          return sequentialDecision(design, n, k) !== 'continue'
        },
      }),
    )
    this.record(
      check,
      {
        kind: 'ratio',
        spec: full,
        errorBound: DEFAULT_ERROR_BOUND,
        outcomes: encodeOutcomes(result.records.map((r) => r.class)),
      },
      started,
    )
    return { records: result.records, window }
  }

  /**
   * Gathers evidence and records the check; if gathering throws, the check is recorded as
   * unobserved. With `until` (a row of the timeout table), evidence caused by something just
   * done is delivered late: Istio starts Envoy with a 1 s access-log flush
   * (pilot-agent's --file-flush-interval-msec 1000, pkg/envoy/proxy.go, 1.17.8 to master) and
   * mirrors are sent fire-and-forget. So it gathers again every second until the evidence both
   * passes and has stopped changing between two reads (the log has caught up), or the deadline
   * passes; then the last evidence is judged once. This waits for delivery; it never retries a
   * verdict on new traffic.
   */
  async observe(check: C, gather: () => Promise<Evidence>, options: { until?: TimeoutName } = {}) {
    const started = this.now()
    const until = options.until
    let evidence: Evidence | undefined
    try {
      await this.span('observe', check, async () => {
        if (!until) {
          evidence = await gather()
          return
        }
        // Compared one read (a second) later, so two reads straddle at least one flush.
        let previous: string | undefined
        await this.poll(
          `${check}: evidence delivered`,
          async (): Promise<PollResult<true>> => {
            evidence = await gather()
            const now = JSON.stringify(evidence)
            const stable = previous !== undefined && now === previous
            previous = now
            const verdict = judge(evidence)
            if (verdict.passed && stable) return { done: true, value: true }
            return { done: false, state: verdict.passed ? 'still arriving' : verdict.cause }
          },
          { timeout: until, intervalMs: 1_000 },
        ).catch((error: unknown) => {
          // The deadline passing is an outcome: the last evidence is judged as it is. Had
          // every read failed, the deadline's message names the last failure.
          if (!(error instanceof DeadlineError) || evidence === undefined) throw error
        })
      })
    } catch (error) {
      evidence = { kind: 'unobserved', reason: describeError(error) }
    }
    return this.record(check, evidence ?? { kind: 'unobserved', reason: 'nothing was gathered' }, started)
  }

  /**
   * Stops the scenario's background work, then undoes its journal entries newest first:
   * deletes what it created, restores what it changed. Safe to call twice (Ctrl-C while the
   * body is still running, then the body's own cleanup): both get the same report. Never throws.
   */
  cleanup(): Promise<CleanupReport> {
    this.cleaning ??= this.span('cleanup', '', () => this.undo())
    return this.cleaning
  }

  /** What cleanup still has to undo, one line each (for the second Ctrl-C). */
  remaining(): string[] {
    return this.journal.entries(this.definition.id).map(describeUndo)
  }

  private async undo(): Promise<CleanupReport> {
    const errors: string[] = []
    for (const d of this.deferred.splice(0).reverse()) {
      try {
        await d.run()
      } catch (error) {
        errors.push(`${d.what}: ${describeError(error)}`)
      }
    }
    // A change that was sent just before: let it land, so undoing it is not overtaken by it.
    await this.inFlight
    const report = await undoJournal(this.journal, this.cluster, { scenario: this.definition.id })
    const all = { ...report, errors: [...errors, ...report.errors] }
    this.say(all.errors.length ? 'lab.cleanupErrors' : 'lab.cleanup', {
      deleted: all.deleted.length,
      restored: all.restored.length,
      errors: all.errors.length,
      journal: this.journal.location,
    })
    return all
  }
}
