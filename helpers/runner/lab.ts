import type { KubernetesObject } from '@kubernetes/client-node'
import { type ScenarioEntry, scenarioById } from '../catalogue.js'
import { type Evidence, judge, type Verdict } from '../evidence/judges.js'
import {
  DEFAULT_ERROR_BOUND,
  type ErrorBound,
  encodeOutcomes,
  type ResponseClass,
} from '../evidence/verdict.js'
import type { Convergence, Probe, RequestRecord, SampleResult } from '../http/sampler.js'
import type { ObjectRef } from '../kube/client.js'
import { refOf } from '../kube/client.js'
import { describeError } from '../kube/describe-error.js'
import type { LogQuery, LogRead } from '../logs/reader.js'
import { type LogWindow, openLogWindow } from '../logs/window.js'
import { loadManifest } from '../manifests/load.js'
import { type Clock, type PollResult, pollUntil, realClock } from '../poll.js'
import type { RouteQuery } from '../routes/fetch.js'
import type { RouteView } from '../routes/inspect.js'
import {
  DEFAULT_SPEC,
  designSequential,
  designZeroTolerance,
  type RatioSpec,
  sequentialDecision,
} from '../stats/ratio-tests.js'

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

/** One response of the background load, with the time it was sent. */
export interface LoadRecord {
  readonly at: string
  readonly class: ResponseClass
}

export interface LoadHandle {
  /** Stops sending and returns every response, in the order sent. */
  stop(): Promise<LoadRecord[]>
}

/** A stand-in for an outside host (the service-entry scenario's hermetic mode). */
export interface StandIn {
  /** Its address on the cluster's network. */
  readonly address: string
  stop(): Promise<void>
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
  istioVersion(): Promise<string>
  read(ref: ObjectRef): Promise<KubernetesObject | undefined>
  /** Server-side apply at the newest served apiVersions. */
  apply(objects: readonly KubernetesObject[]): Promise<void>
  /** Delete and wait until gone. */
  delete(refs: readonly ObjectRef[]): Promise<void>
  waitForDeployments(namespace: string, names: readonly string[]): Promise<void>
  readLogs(query: LogQuery, window: LogWindow): Promise<LogRead>
  fetchRoutes(query: RouteQuery): Promise<{ pod: string; routes: RouteView[] }>
}

/** How a scenario reaches the ingress gateway. */
export interface LabIngress {
  converge(probe: Probe, expected: ResponseClass, timeoutMs?: number): Promise<Convergence>
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
}

export interface CheckResult {
  readonly scenario: string
  readonly check: string
  readonly passed: boolean
  readonly cause: string
  readonly evidence: Evidence
  readonly verdict: Verdict
  readonly startedAt: string
  readonly durationMs: number
}

interface LedgerEntry {
  readonly ref: ObjectRef
  /** The object as it was before the scenario touched it; undefined if the scenario created it. */
  readonly before: KubernetesObject | undefined
}

export interface CleanupReport {
  readonly deleted: readonly string[]
  readonly restored: readonly string[]
  readonly errors: readonly string[]
}

const key = (r: ObjectRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`
const label = (r: ObjectRef) => `${r.kind}/${r.name}`

/** Fields the server owns; a snapshot re-applied to restore an object must not carry them. */
function restorable(obj: KubernetesObject): KubernetesObject {
  const { status: _status, ...rest } = obj as KubernetesObject & { status?: unknown }
  const meta = { ...(obj.metadata ?? {}) } as Record<string, unknown>
  for (const f of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'])
    delete meta[f]
  const spec = (rest as { spec?: Record<string, unknown> }).spec
  if (obj.kind === 'Service' && spec) {
    // A recreated Service gets a fresh cluster IP; the old one may have been reused.
    const { clusterIP: _ip, clusterIPs: _ips, ...keep } = spec
    return { ...rest, metadata: meta, spec: keep } as KubernetesObject
  }
  return { ...rest, metadata: meta } as KubernetesObject
}

/**
 * What a scenario talks to: it applies manifests (remembering what existed before), probes
 * through the ingress, records one result per declared check, and on cleanup deletes what it
 * created and restores what it changed, newest first.
 */
export class Lab {
  readonly results: CheckResult[] = []
  /** Manifest files applied, in order (each once): the report shows what a scenario really did. */
  readonly appliedFiles: string[] = []
  private readonly ledger: LedgerEntry[] = []
  private readonly deferred: { what: string; run: () => Promise<void> }[] = []
  readonly entry: ScenarioEntry

  constructor(
    scenarioId: string,
    private readonly adapters: LabAdapters,
  ) {
    const entry = scenarioById(scenarioId)
    if (!entry) throw new Error(`scenario ${scenarioId} is not in the catalogue`)
    this.entry = entry
  }

  get cluster(): LabCluster {
    return this.adapters.cluster
  }

  log(line: string): void {
    this.adapters.log(`${this.entry.id}: ${line}`)
  }

  /** Applies manifest files (paths under manifests/) and waits for the Deployments among them. */
  async apply(...files: string[]): Promise<void> {
    const objects = files.flatMap(loadManifest)
    await this.applyObjects(objects)
    this.noteFiles(files)
    this.log(`applied ${files.join(', ')}`)
  }

  /** Applies one manifest file after adapting its objects (e.g. leaving one out, or setting a field). */
  async applyFile(file: string, adapt: (objects: KubernetesObject[]) => KubernetesObject[]): Promise<void> {
    await this.applyObjects(adapt(loadManifest(file)))
    this.noteFiles([file])
    this.log(`applied ${file} (adapted)`)
  }

  private noteFiles(files: readonly string[]): void {
    for (const f of files) if (!this.appliedFiles.includes(f)) this.appliedFiles.push(f)
  }

  async applyObjects(objects: readonly KubernetesObject[]): Promise<void> {
    for (const obj of objects) await this.remember(refOf(obj))
    await this.cluster.apply(objects)
    const byNamespace = new Map<string, string[]>()
    for (const o of objects.filter((o) => o.kind === 'Deployment')) {
      const ns = o.metadata?.namespace ?? 'default'
      byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), o.metadata?.name ?? ''])
    }
    for (const [ns, names] of byNamespace) await this.cluster.waitForDeployments(ns, names)
  }

  /** Makes sure the objects do not exist (e.g. catalog-v2 before the canary); restored afterwards. */
  async absent(...refs: ObjectRef[]): Promise<void> {
    for (const ref of refs) await this.remember(ref)
    await this.cluster.delete(refs)
    this.log(`removed ${refs.map(label).join(', ')}`)
  }

  private async remember(ref: ObjectRef): Promise<void> {
    if (this.ledger.some((e) => key(e.ref) === key(ref))) return
    this.ledger.push({ ref, before: await this.cluster.read(ref) })
  }

  /** pollUntil on the lab's clock. */
  poll<T>(
    what: string,
    check: () => Promise<PollResult<T>>,
    options: { timeoutMs: number; intervalMs?: number },
  ): Promise<T> {
    return pollUntil(what, check, {
      ...options,
      ...(this.adapters.clock ? { clock: this.adapters.clock } : {}),
    })
  }

  /** Registers work for cleanup (stop the load, stop a container); runs before the ledger, newest first. */
  defer(what: string, run: () => Promise<void>): void {
    this.deferred.push({ what, run })
  }

  /** Starts background load that is stopped at cleanup whatever happens. */
  startLoad(probe: Probe, requestsPerSecond: number): LoadHandle {
    const handle = this.adapters.ingress.startLoad(probe, requestsPerSecond)
    let stopped: Promise<LoadRecord[]> | undefined
    const stop = () => {
      stopped ??= handle.stop()
      return stopped
    }
    this.defer('background load', async () => {
      await stop()
    })
    this.log(`load started: ${requestsPerSecond}/s to ${probe.host}${probe.path}`)
    return { stop }
  }

  async startStandIn(): Promise<StandIn> {
    if (!this.adapters.startStandIn) throw new Error('no stand-in can be started here (needs Docker)')
    const standIn = await this.adapters.startStandIn()
    this.defer(`stand-in ${standIn.address}`, () => standIn.stop())
    return standIn
  }

  /**
   * Samples `extract(object)` every intervalMs until `until` holds or the deadline passes;
   * returns the samples either way (Flagger's phase and canaryWeight over time).
   */
  async watch<V>(
    ref: ObjectRef,
    extract: (obj: KubernetesObject | undefined) => V,
    until: (value: V) => boolean,
    options: { timeoutMs: number; intervalMs: number },
  ): Promise<{ samples: { at: string; value: V }[]; completed: boolean }> {
    const samples: { at: string; value: V }[] = []
    const clock = this.adapters.clock ?? realClock
    const deadline = this.adapters.now().getTime() + options.timeoutMs
    let shown = ''
    for (;;) {
      const value = extract(await this.cluster.read(ref).catch(() => undefined))
      samples.push({ at: this.adapters.now().toISOString(), value })
      // Progress for long watches (a canary takes minutes): a line whenever the value changes.
      const text = typeof value === 'string' ? value : JSON.stringify(value)
      if (text !== shown) {
        this.log(`${ref.kind}/${ref.name}: ${text}`)
        shown = text
      }
      if (until(value)) return { samples, completed: true }
      const left = deadline - this.adapters.now().getTime()
      if (left <= 0) return { samples, completed: false }
      await clock.sleep(Math.min(options.intervalMs, left))
    }
  }

  openLogWindow(): LogWindow {
    return openLogWindow(this.adapters.now())
  }

  /** Judges evidence and records the check's result. */
  record(check: string, evidence: Evidence, startedAt: Date = this.adapters.now()): CheckResult {
    if (!this.entry.checks.some((c) => c.id === check))
      throw new Error(`${this.entry.id} declares no check ${check}`)
    const verdict = judge(evidence)
    const result: CheckResult = {
      scenario: this.entry.id,
      check,
      passed: verdict.passed,
      cause: verdict.cause,
      evidence,
      verdict,
      startedAt: startedAt.toISOString(),
      durationMs: this.adapters.now().getTime() - startedAt.getTime(),
    }
    this.results.push(result)
    this.log(`${result.passed ? 'PASS' : 'FAIL'} ${check}: ${result.cause}`)
    return result
  }

  /**
   * Every response must be `expected` (after convergence), over enough responses to catch a
   * 1% leak with miss probability <= 1e-3. Returns the records for correlation with logs.
   */
  async expectOnly(
    check: string,
    probe: Probe,
    expected: 'v1' | 'v2',
    options: {
      alreadyConverged?: boolean
      errorBound?: ErrorBound
      labels?: { v1: string; v2: string }
      /** The leak to rule out (default 1%); larger means fewer requests. */
      leak?: number
    } = {},
  ): Promise<readonly RequestRecord[]> {
    // Errors have their own bound (sporadic upstream resets are not a routing fault); a check
    // that is about errors themselves passes { maxRate: 0 }.
    const errorBound = options.errorBound ?? DEFAULT_ERROR_BOUND
    const started = this.adapters.now()
    if (!options.alreadyConverged && !(await this.awaitConverged(check, probe, expected))) return []
    const design = designZeroTolerance(options.leak)
    let trials = 0
    const result = await this.adapters.ingress.sample(probe, {
      // Errors do not count as trials; a generous margin lets the error bound, not the cap, decide.
      maxRequests: design.n + 50,
      onOrdered: (r) => {
        if (r.class !== 'error') trials++
        return trials >= design.n || (r.class !== 'error' && r.class !== expected)
      },
    })
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
    return result.records
  }

  /**
   * The share of v2 must be p0, judged by the sequential test at (alpha, beta, delta). The
   * caller has made sure the configuration is in effect (a route-table gate).
   */
  async expectShare(
    check: string,
    probe: Probe,
    p0: number,
    spec: Partial<RatioSpec> = {},
  ): Promise<readonly RequestRecord[]> {
    const started = this.adapters.now()
    const full: RatioSpec = { ...DEFAULT_SPEC, ...spec, p0 }
    const design = designSequential(full)
    let n = 0
    let k = 0
    const result = await this.adapters.ingress.sample(probe, {
      maxRequests: design.maxN + 100,
      onOrdered: (r) => {
        if (r.class === 'error') return false
        n++
        if (r.class === 'v2') k++
        return sequentialDecision(design, n, k) !== 'continue'
      },
    })
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
    return result.records
  }

  /**
   * The convergence gate. On timeout `check` is recorded as unobserved, with the classes seen;
   * with recordSuccess the passing gate is itself recorded as `check`.
   */
  async awaitConverged(
    check: string,
    probe: Probe,
    expected: ResponseClass,
    recordSuccess = false,
    timeoutMs?: number,
  ): Promise<boolean> {
    const started = this.adapters.now()
    try {
      const c = await this.adapters.ingress.converge(probe, expected, timeoutMs)
      if (recordSuccess) {
        this.record(
          check,
          { kind: 'converged', expected, consecutive: 3, requests: c.requests, elapsedMs: c.elapsedMs },
          started,
        )
      }
      return true
    } catch (error) {
      this.record(
        check,
        { kind: 'unobserved', reason: error instanceof Error ? error.message : String(error) },
        started,
      )
      return false
    }
  }

  /** Runs an evidence-gathering step; if it throws, the check is recorded as unobserved. */
  async observe(check: string, gather: () => Promise<Evidence>): Promise<CheckResult> {
    const started = this.adapters.now()
    let evidence: Evidence
    try {
      evidence = await gather()
    } catch (error) {
      evidence = {
        kind: 'unobserved',
        reason: describeError(error),
      }
    }
    return this.record(check, evidence, started)
  }

  /** Deletes what the scenario created and restores what it changed, newest first. Never throws. */
  async cleanup(): Promise<CleanupReport> {
    const deleted: string[] = []
    const restored: string[] = []
    const errors: string[] = []
    for (const d of this.deferred.splice(0).reverse()) {
      try {
        await d.run()
      } catch (error) {
        errors.push(`${d.what}: ${describeError(error)}`)
      }
    }
    for (const entry of [...this.ledger].reverse()) {
      try {
        if (entry.before) {
          await this.cluster.apply([restorable(entry.before)])
          restored.push(label(entry.ref))
        } else if (await this.cluster.read(entry.ref)) {
          await this.cluster.delete([entry.ref])
          deleted.push(label(entry.ref))
        }
      } catch (error) {
        errors.push(`${label(entry.ref)}: ${describeError(error)}`)
      }
    }
    this.ledger.length = 0
    this.log(
      `cleanup: deleted ${deleted.length}, restored ${restored.length}${errors.length ? `, ${errors.length} errors` : ''}`,
    )
    return { deleted, restored, errors }
  }
}
