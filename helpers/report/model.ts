import type { Evidence, Verdict } from '../evidence/index.js'
import type { PhaseTiming } from '../progress.js'

/**
 * One check's result as judged: its own words (title and hint, as declared when it was
 * judged, so an old record renders with the hints it had), its evidence and its verdict.
 */
export interface CheckResult {
  readonly scenario: string
  readonly check: string
  /** What the check proves. */
  readonly title: string
  /** What to look at when it fails: for learners debugging their own cluster. */
  readonly hint: string
  readonly passed: boolean
  readonly cause: string
  readonly evidence: Evidence
  readonly verdict: Verdict
  readonly startedAt: string
  readonly durationMs: number
}

/** What cleanup did: objects deleted and restored, and what it could not undo. */
export interface CleanupReport {
  readonly deleted: readonly string[]
  readonly restored: readonly string[]
  readonly errors: readonly string[]
}

/**
 * What a scenario's Lab was doing, as closed kinds, so a reader sees where its wall time went:
 *
 * - `apply`: journaling and server-side applying manifests or objects (what the object was is
 *   read first, for the undo);
 * - `delete`: making objects absent, and waiting until they are gone;
 * - `rollout`: waiting for the Deployments just applied to be available;
 * - `routes`: waiting until a proxy's route table shows the new configuration;
 * - `converge`: the convergence gate (3 responses of the expected class in a row);
 * - `measure`: sampling the requests a statistical check judges;
 * - `observe`: gathering evidence (log reads, exec), until it is delivered when asked to wait;
 * - `watch`: watching an object over time (Flagger's Canary progressing);
 * - `wait`: any other condition the scenario waits for (Lab.poll called by the body);
 * - `stand-in`: starting the container that stands in for an outside host;
 * - `diagnostics`: gathering what a failed scenario leaves for a person to read;
 * - `cleanup`: stopping background work and undoing the journal.
 *
 * run-record.schema.json lists the same kinds (its test keeps the two equal).
 */
export const PHASE_KINDS = [
  'apply',
  'delete',
  'rollout',
  'routes',
  'converge',
  'measure',
  'observe',
  'watch',
  'wait',
  'stand-in',
  'diagnostics',
  'cleanup',
] as const

export type PhaseKind = (typeof PHASE_KINDS)[number]

/**
 * One step of a scenario on the lab's clock. Spans do not nest: a Lab step made inside another
 * (the route gate and the convergence gate of `expectOnly`, a poll inside `observe`) is counted
 * by the outermost span only, so a scenario's spans never add up to more than its wall time
 * unless its body runs Lab steps at the same time (none does; Ctrl-C's cleanup may overlap the
 * step it interrupted). What no span covers (reading the Istio version, the body's own reads)
 * is the rest of the scenario's wall time.
 */
export interface PhaseSpan {
  readonly kind: PhaseKind
  /** What the step was about: a manifest set, a check id, an object, a Deployment list; may be empty. */
  readonly label: string
  readonly startedAt: string
  readonly durationMs: number
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
  /**
   * Where the scenario's wall time went, in the order the steps started (PhaseSpan). Every
   * record from schema 3 on has it; records of schema 2 do not, and draw no timeline.
   */
  readonly phases?: readonly PhaseSpan[]
  /**
   * The namespace its lab lived in: its own (itc-<id>) when scenarios ran concurrently, else
   * the run's. Absent in records of schema 2: the run's namespace.
   */
  readonly namespace?: string
}

/** The versions a run found in the cluster. */
export interface DetectedVersions {
  readonly kubernetes: string
  /** istiod's image tag. */
  readonly istioControlPlane: string
  /** Distinct proxy image tags (ingress gateway and the scenarios' sidecars). */
  readonly istioProxies: readonly string[]
  readonly flagger: string
  /** The kind node image (from the suite's profile record), or the node's kubelet version. */
  readonly nodeImage: string
}

/**
 * The version of run.json's shape. Its JSON Schema is run-record.schema.json beside this file
 * ($id `urn:istio-traffic-conformance:run-record:<version>`); every record read is validated
 * against it. A change of shape bumps this number, the schema's $id and its `schema` const.
 *
 * 3: scenarios carry `phases` (the run's timeline). 2: the same without them; still read
 * (`checkRunRecord`, READABLE_RUN_RECORD_SCHEMAS).
 */
export const RUN_RECORD_SCHEMA = 3

/**
 * The record versions this suite reads. An older one is read as the current shape it is a
 * subset of: schema 2 is schema 3 without any scenario's `phases`.
 */
export const READABLE_RUN_RECORD_SCHEMAS: readonly number[] = [2, RUN_RECORD_SCHEMA]

/**
 * run.json: everything a person or a machine needs afterwards, without the cluster. Every
 * check keeps its evidence and verdict exactly as produced, so `report rejudge` can recompute.
 */
export interface RunRecord {
  readonly schema: typeof RUN_RECORD_SCHEMA
  readonly suite: { readonly name: 'istio-traffic-conformance'; readonly version: string }
  readonly profile: string
  readonly context: string
  readonly server: string
  /**
   * The suite's own cluster, or one the user named with --allow-existing-cluster, where only
   * the lab's namespace changed and no mesh-wide configuration did.
   */
  readonly clusterMode: 'suite-cluster' | 'existing-cluster'
  /** The lab's namespace (run --namespace); absent in records from before the flag: istioinaction. */
  readonly namespace?: string
  readonly versions: DetectedVersions
  readonly startedAt: string
  readonly endedAt: string
  /** Phase timings of `up` when the run followed it (the main job), else empty. */
  readonly upTimings: readonly PhaseTiming[]
  readonly scenarios: readonly ScenarioResult[]
  /** Scenarios that produced no result (the e2e run stopped first): failed, never passed. */
  readonly missingResults: readonly string[]
  /** Diagnostics folders written for failed scenarios, relative to the run folder. */
  readonly diagnostics: Readonly<Record<string, readonly string[]>>
  /**
   * The scenario ids the run was asked to run, in order; each appears in `scenarios` or
   * `missingResults`. Lets `report rejudge` see a scenario deleted from the record.
   */
  readonly selected: readonly string[]
  /** The run's verdict as written (`runPassed`); `report rejudge` recomputes it. */
  readonly passed: boolean
  /**
   * The probability that a correct mesh fails at least one check of this run: the sum of the
   * run's checks' false-failure bounds (routing tests and error bounds), as designed.
   */
  readonly falseFailureBound: number
  /** What the serial run's base lab did (helpers/runner/base-lab.ts); absent when it had none. */
  readonly baseLab?: BaseLabRecord
}

/**
 * A serial run's base lab: the apps applied once for the run, in `namespace`; the order the
 * scenarios ran in for it; how often it rolled each base Deployment out (once, by design); and
 * its removal at the end, whose errors fail the run as a scenario's cleanup errors fail it.
 */
export interface BaseLabRecord {
  readonly namespace: string
  readonly files: readonly string[]
  readonly order: readonly string[]
  readonly rollouts: Readonly<Record<string, number>>
  readonly startedAt: string
  readonly endedAt: string
  readonly cleanup: CleanupReport
}

export function runPassed(run: RunRecord): boolean {
  return (
    run.missingResults.length === 0 &&
    run.scenarios.every((s) => s.passed) &&
    (run.baseLab?.cleanup.errors.length ?? 0) === 0
  )
}

export function checkCounts(run: RunRecord): { passed: number; failed: number } {
  const checks = run.scenarios.flatMap((s) => s.checks)
  return { passed: checks.filter((c) => c.passed).length, failed: checks.filter((c) => !c.passed).length }
}

/** The run's bound on failing a correct mesh, for the report's sentence ('report.errorRate'). Pure. */
export function boundText(run: Pick<RunRecord, 'falseFailureBound'>): string {
  const bound = Number(run.falseFailureBound)
  return Number.isFinite(bound) ? bound.toExponential(1) : '?'
}

/** "Istio 1.17.8 on Kubernetes v1.26.15 (profile book)". */
export function versionLine(run: RunRecord): string {
  return `Istio ${run.versions.istioControlPlane} on Kubernetes ${run.versions.kubernetes} (profile ${run.profile}, Flagger ${run.versions.flagger})`
}
