import type { KubernetesObject } from '@kubernetes/client-node'
import { type CanarySample, type FlaggerEvent, parseFlaggerEvent } from '../helpers/flagger/canary.js'
import type { ObjectRef } from '../helpers/kube/client.js'
import type { ScenarioOptions } from '../helpers/runner/define.js'
import { FLAGGER_INTERVAL_S, flaggerIntervalS } from '../helpers/runner/estimate.js'
import type { Lab } from '../helpers/runner/lab.js'
import { labNames } from './shared.js'

/**
 * 5.3.1 Flagger, as both of its scenarios drive it (flagger-canary promotes a good revision,
 * flagger-rollback rolls back a failing one): the lab's catalog v1 behind webapp with the
 * Canary of ch5/catalog-canary.yaml, initialised, then a new revision watched until it ends.
 * Each scenario runs this in a namespace of its own; Flagger's metric queries select the
 * Canary's namespace (destination_workload_namespace="{{ namespace }}",
 * fluxcd/flagger v1.36.1 pkg/metrics/observers/istio.go, filled from the Canary by
 * pkg/controller/scheduler_metrics.go), so neither sees the other's requests.
 */

/** Canary catalog-release (ch5/catalog-canary.yaml) in the lab's namespace. */
export const canaryIn = (namespace: string): ObjectRef => ({
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  name: 'catalog-release',
  namespace,
})
export const STEP_WEIGHT = 10
export const MAX_WEIGHT = 50
export const THRESHOLD = 5
/** Flagger's analysis interval: 20 s by default (the manifest says why), the book's 45 s with --book-timing. */
export const INTERVAL_MS = {
  default: FLAGGER_INTERVAL_S.default * 1000,
  book: FLAGGER_INTERVAL_S.book * 1000,
} as const
/**
 * How often the Canary's status is read while the good revision is analysed: each step's
 * window loses up to two reads (helpers/stats/canary-steps.ts), so frequent reads leave more
 * of the interval to measure.
 */
export const STATUS_POLL_MS = 500

export const intervalMsOf = (options: Pick<ScenarioOptions, 'bookTiming'>): number =>
  flaggerIntervalS(options) * 1000

type Status = { phase: string; weight: number }
const statusOf = (obj: KubernetesObject | undefined): Status => {
  const status = (obj as { status?: { phase?: string; canaryWeight?: number } } | undefined)?.status
  return { phase: status?.phase ?? 'Absent', weight: status?.canaryWeight ?? 0 }
}

/** The Canary with the analysis interval for this run (book: 45 s; default 20 s). */
function withInterval(obj: KubernetesObject, seconds: number): KubernetesObject {
  if (obj.kind !== 'Canary') return obj
  const canary = obj as KubernetesObject & { spec: { analysis: Record<string, unknown> } }
  return {
    ...canary,
    spec: { ...canary.spec, analysis: { ...canary.spec.analysis, interval: `${seconds}s` } },
  } as KubernetesObject
}

/**
 * As the lab does: remove catalog's VS, DR, Service and catalog-v2, keep Deployment catalog
 * (v1) behind webapp, apply Canary catalog-release with this run's interval and wait until
 * Flagger has Initialized it. Flagger creates Service catalog (and catalog-primary,
 * catalog-canary) itself: catalog.yaml's Service is left out.
 */
export async function initializeCanary(
  lab: Lab<string, 'catalog-v1-behind-webapp' | 'canary'>,
  intervalMs: number,
): Promise<void> {
  const { CATALOG_V2, NAMESPACE } = labNames(lab.namespace)
  await lab.absent(
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      name: 'catalog',
      namespace: NAMESPACE,
    },
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'DestinationRule',
      name: 'catalog',
      namespace: NAMESPACE,
    },
    { apiVersion: 'v1', kind: 'Service', name: 'catalog', namespace: NAMESPACE },
    CATALOG_V2,
  )
  await lab.apply('catalog-v1-behind-webapp', {
    adapt: (objects) => objects.filter((o) => !(o.kind === 'Service' && o.metadata?.name === 'catalog')),
  })
  await lab.apply('canary', { adapt: (objects) => objects.map((o) => withInterval(o, intervalMs / 1000)) })
  const init = await lab.watch(canaryIn(NAMESPACE), statusOf, (s) => s.phase === 'Initialized', {
    timeoutMs: lab.timeouts.canaryInitialized,
    intervalMs: 2_000,
  })
  if (!init.completed)
    throw new Error(
      `Canary catalog-release never reached Initialized (last phase ${init.samples.at(-1)?.value.phase})`,
    )
}

/** Samples the Canary from a new revision until it has been analysed and ended. */
export async function watchRevision(
  lab: Lab<string, string>,
  intervalMs: number,
  pollMs: number,
): Promise<{ samples: CanarySample[]; completed: boolean }> {
  let analysing = false
  const { samples, completed } = await lab.watch(
    canaryIn(lab.namespace),
    statusOf,
    (s) => {
      analysing ||= s.phase === 'Progressing'
      return analysing && (s.phase === 'Succeeded' || s.phase === 'Failed')
    },
    // New revision, each step, up to threshold failed checks, promotion and finalising, plus slack.
    { timeoutMs: (MAX_WEIGHT / STEP_WEIGHT + THRESHOLD + 3 + 1) * intervalMs + 120_000, intervalMs: pollMs },
  )
  return {
    samples: samples.map((s) => ({ at: s.at, phase: s.value.phase, weight: s.value.weight })),
    completed,
  }
}

/** The Canary's events since a moment, as Flagger worded them. */
export async function canaryEvents(lab: Lab<string, string>, since: string): Promise<FlaggerEvent[]> {
  return (await lab.cluster.events(lab.namespace, canaryIn(lab.namespace).name))
    .filter((e) => e.at >= since)
    .map((e) => parseFlaggerEvent(e.message, e.at))
}

/**
 * What a timeline is judged against: the Canary's steps, and how long a weight may hold. A
 * correct revision may hold a weight through up to threshold - 1 failed checks; plus two status
 * reads and slack.
 */
export const timelineBounds = (intervalMs: number) => ({
  stepWeight: STEP_WEIGHT,
  maxWeight: MAX_WEIGHT,
  stallMs: THRESHOLD * intervalMs + 2 * STATUS_POLL_MS + 5_000,
})
