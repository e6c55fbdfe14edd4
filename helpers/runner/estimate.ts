import { loadManifest } from '../manifests/load.js'
import { type Job, NO_FOOTPRINT } from '../schedule/concurrent.js'
import { summaryOf } from '../stats/summaries.js'
import {
  BASE_LAB_OWNER,
  type BaseLabDefinition,
  baseObjects,
  keyOf,
  orderForBaseLab,
  planBaseLab,
} from './base-lab.js'
import type { ScenarioDefinition, ScenarioOptions } from './define.js'
import { demandOf } from './demand.js'

/**
 * How long a scenario is expected to take on a real cluster, from what it declares (its
 * manifests, its checks' designs, its waits) and a table of typical costs. Pure.
 *
 * The costs are typical values, not deadlines (those are in timeouts.ts): the plan's times
 * are estimates. Every run measures the real ones (run.json's timeline, the HTML report's
 * chart); when they disagree, the run is right and this table should follow it.
 */
export const TYPICAL = {
  /**
   * One server-side apply round trip, and the read the journal makes before it (local kind API
   * server).
   */
  objectChangeS: 0.5,
  /**
   * Undoing one at cleanup: delete, then read until it is gone, polling every second
   * (KubeClient.deleteAndWaitGone); objects are undone one after another.
   */
  objectUndoS: 1,
  /**
   * A Deployment rolled out with its image already on the node (up preloads every image):
   * scheduling, istio-init, the sidecar's and the app's readiness. Deployments applied together
   * roll out together.
   */
  rolloutS: 20,
  /**
   * A proxy holding a route change: istiod debounces 100 ms to 10 s
   * (PILOT_DEBOUNCE_AFTER / PILOT_DEBOUNCE_MAX, pilot/pkg/features), pushes, Envoy acks; the
   * suite polls the route table every second.
   */
  routeChangeS: 3,
  /** meshConfig edited: istiod's ConfigMap watch, a full push to every proxy, one poll. */
  meshPolicyChangeS: 10,
  /**
   * A CoreDNS hosts entry answering. The kubelet projects the edited ConfigMap into CoreDNS's
   * volume within its sync period (1 min by default, plus its cache's delay: Kubernetes docs,
   * "Mounted ConfigMaps are updated automatically"), 30 s on average; the reload plugin then
   * checks the Corefile every 30 s +/- 15 s (coredns plugin/reload), 15 s on average; Envoy
   * re-resolves within the entry's 5 s TTL.
   */
  dnsChangeS: 50,
  /** Access-log lines of calls just made: Envoy flushes its access log every second. */
  logReadS: 1.5,
  /**
   * Responses per second the sampler gets through the ingress (8 connections, a few
   * milliseconds per request on kind through one or two sidecars).
   */
  requestsPerS: 200,
  /**
   * A namespace of the scenario's own created and, at cleanup, deleted until gone: its pods
   * terminate (the sidecar drains for 5 s: ProxyConfig terminationDrainDuration, whose default
   * istio/istio 1.31 sets in pkg/config/mesh/mesh.go) and the namespace controller empties it.
   */
  namespaceS: 15,
  /** Responses the convergence gate sends before each measured check (3 in a row, plus misses). */
  convergeRequests: 5,
} as const

/**
 * Flagger's analysis interval in seconds: 20 by default (ch5/catalog-canary.yaml's comment has
 * the arithmetic against Prometheus' 15 s scrapes), the book's 45 with --book-timing. The
 * Flagger scenarios set their Canary's interval from it.
 */
export const FLAGGER_INTERVAL_S = { default: 20, book: 45 } as const

export const flaggerIntervalS = (options: Pick<ScenarioOptions, 'bookTiming'>): number =>
  options.bookTiming ? FLAGGER_INTERVAL_S.book : FLAGGER_INTERVAL_S.default

/**
 * What takes a scenario time that its manifests and check designs do not show: the body
 * knows these, so the declaration states them (and a test holds them to the body's behaviour
 * in the in-memory lab).
 */
export interface Waits {
  /** Waits for a proxy to hold new routes (route gates, convergence after a routing change). */
  readonly routeChanges: number
  readonly meshPolicyChanges?: number
  readonly dnsChanges?: number
  /** Reads of access logs caused by calls just made. */
  readonly logReads?: number
  /** Flagger analysis intervals the scenario waits through (Flagger's goldens count them). */
  readonly flaggerIntervals?: number
  /** Any other wait of a fixed length (none of today's scenarios has one). */
  readonly fixedS?: number
}

export interface Estimate {
  readonly id: string
  readonly seconds: number
  /** Where the seconds go, by cost. */
  readonly parts: Readonly<Record<string, number>>
}

const objectsOf = (files: readonly string[]) => files.flatMap(loadManifest)

/** The expected duration of a scenario with these options. */
export function estimateScenario(
  definition: ScenarioDefinition,
  options: Pick<ScenarioOptions, 'bookTiming' | 'ownNamespace'>,
): Estimate {
  const { waits } = definition
  const sets = definition.manifestSets.filter((s) => s.outboundPolicy === undefined)
  const objects = sets.reduce((n, s) => n + objectsOf(s.files).length, 0)
  const rollouts = sets.filter((s) => objectsOf(s.files).some((o) => o.kind === 'Deployment')).length
  const requests = definition.checks.reduce((n, c) => {
    const s = summaryOf(c.design)
    return s.kind === 'ratio' || s.kind === 'zero-tolerance'
      ? n + (s.expectedNAtP0 ?? 0) + TYPICAL.convergeRequests
      : n
  }, 0)
  const parts: Record<string, number> = {
    // Applied once, undone once at cleanup.
    objects: objects * (TYPICAL.objectChangeS + TYPICAL.objectUndoS),
    rollouts: rollouts * TYPICAL.rolloutS,
    routes: waits.routeChanges * TYPICAL.routeChangeS,
    requests: requests / TYPICAL.requestsPerS,
    // Cleanup restores them without waiting for the push.
    meshPolicy: (waits.meshPolicyChanges ?? 0) * TYPICAL.meshPolicyChangeS,
    dns: (waits.dnsChanges ?? 0) * TYPICAL.dnsChangeS,
    logs: (waits.logReads ?? 0) * TYPICAL.logReadS,
    flagger: (waits.flaggerIntervals ?? 0) * flaggerIntervalS(options),
    fixed: waits.fixedS ?? 0,
    namespace: options.ownNamespace ? TYPICAL.namespaceS : 0,
  }
  const kept = Object.fromEntries(
    Object.entries(parts)
      .filter(([, s]) => s > 0)
      .map(([k, s]) => [k, Math.round(s * 10) / 10]),
  )
  return { id: definition.id, seconds: Object.values(kept).reduce((a, b) => a + b, 0), parts: kept }
}

/**
 * The scenarios of a serial run on a base lab, as jobs in the order the base lab runs them
 * (base-lab.ts), and one last job, the base lab's removal. A scenario's own objects are those
 * of its files outside the base lab; the base lab's step before it applies what it needs and
 * rolls its new Deployments out together; a scenario that changes a base Deployment (a canary
 * revision) has it restored at cleanup, a rollout the next scenario waits for.
 */
export function jobsOnBaseLab(
  definitions: readonly ScenarioDefinition[],
  options: Pick<ScenarioOptions, 'bookTiming'>,
  base: BaseLabDefinition,
): Job[] {
  const objects = baseObjects(base)
  const ordered = orderForBaseLab(definitions, objects)
  const plan = planBaseLab(ordered, objects)
  const baseFiles = new Set(base.files)
  const baseKeys = new Set(objects.map((o) => o.key))
  const jobs = ordered.map((d, i): Job => {
    const own = {
      ...d,
      manifestSets: d.manifestSets.map((set) => ({
        ...set,
        files: set.files.filter((f) => !baseFiles.has(f)),
      })),
    }
    const e = estimateScenario(own, options)
    const step = plan.steps[i]
    const baseApplied = step?.apply.length ?? 0
    const baseRollout = step?.apply.some((k) => k.startsWith('Deployment/')) ? 1 : 0
    const changesBase = own.manifestSets.some((set) =>
      objectsOf(set.files).some((o) => o.kind === 'Deployment' && baseKeys.has(keyOf(o))),
    )
    const seconds =
      e.seconds +
      baseApplied * TYPICAL.objectChangeS +
      (step?.remove.length ?? 0) * TYPICAL.objectUndoS +
      (baseRollout + (changesBase ? 1 : 0)) * TYPICAL.rolloutS
    return { id: d.id, seconds: Math.round(seconds * 10) / 10, footprint: d.footprint, demand: demandOf(d) }
  })
  return [
    ...jobs,
    { id: BASE_LAB_OWNER, seconds: objects.length * TYPICAL.objectUndoS, footprint: NO_FOOTPRINT },
  ]
}

/**
 * The scenarios as jobs for the scheduler (helpers/schedule/concurrent.ts): expected
 * durations, footprints and request demands (demand.ts), what run dispatches and plan shows.
 */
export function jobsOf(
  definitions: readonly ScenarioDefinition[],
  options: Pick<ScenarioOptions, 'bookTiming' | 'ownNamespace'>,
): Job[] {
  return definitions.map((d) => ({
    id: d.id,
    seconds: estimateScenario(d, options).seconds,
    footprint: d.footprint,
    demand: demandOf(d),
  }))
}
