import type { KubernetesObject } from '@kubernetes/client-node'
import { type CanarySample, parseFlaggerEvent, stepsFromTimeline } from '../../helpers/flagger/canary.js'
import type { ObjectRef } from '../../helpers/kube/client.js'
import type { Lab, LoadRecord } from '../../helpers/runner/lab.js'
import { defineScenario } from '../../helpers/runner/scenario.js'
import { CATALOG_V2, NAMESPACE, WEBAPP_CATALOG } from '../shared.js'

const CANARY: ObjectRef = {
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  name: 'catalog-release',
  namespace: NAMESPACE,
}
const STEP_WEIGHT = 10
const MAX_WEIGHT = 50
const THRESHOLD = 5
/** Responses this soon after a weight change still see the old weights (propagation). */
const SETTLE_MS = 2_000
/** Load during the analysis: Flagger halts on "no values found" without traffic. */
const LOAD_RPS = 10

type Status = { phase: string; weight: number }
const statusOf = (obj: KubernetesObject | undefined): Status => {
  const status = (obj as { status?: { phase?: string; canaryWeight?: number } } | undefined)?.status
  return { phase: status?.phase ?? 'Absent', weight: status?.canaryWeight ?? 0 }
}

/** The Canary with the analysis interval for this run (book: 45 s; default 10 s). */
function withInterval(obj: KubernetesObject, seconds: number): KubernetesObject {
  if (obj.kind !== 'Canary') return obj
  const canary = obj as KubernetesObject & { spec: { analysis: Record<string, unknown> } }
  return {
    ...canary,
    spec: { ...canary.spec, analysis: { ...canary.spec.analysis, interval: `${seconds}s` } },
  } as KubernetesObject
}

/** Samples the Canary every 2 s from a new revision until it has been analysed and ended. */
async function watchRevision(
  lab: Lab,
  intervalMs: number,
): Promise<{ samples: CanarySample[]; completed: boolean }> {
  let analysing = false
  const { samples, completed } = await lab.watch(
    CANARY,
    statusOf,
    (s) => {
      analysing ||= s.phase === 'Progressing'
      return analysing && (s.phase === 'Succeeded' || s.phase === 'Failed')
    },
    // New revision, each step, promotion and finalising, or the failed checks, plus slack.
    { timeoutMs: (MAX_WEIGHT / STEP_WEIGHT + THRESHOLD + 8) * intervalMs + 120_000, intervalMs: 2_000 },
  )
  return {
    samples: samples.map((s) => ({ at: s.at, phase: s.value.phase, weight: s.value.weight })),
    completed,
  }
}

async function events(lab: Lab, since: string) {
  return (await lab.cluster.events(NAMESPACE, CANARY.name))
    .filter((e) => e.at >= since)
    .map((e) => parseFlaggerEvent(e.message, e.at))
}

/**
 * 5.3 Automated canary with Flagger. As the lab does: remove catalog's VS, DR, Service and
 * catalog-v2, keep Deployment catalog (v1), apply Canary catalog-release and wait until it is
 * Initialized. Under steady load through webapp, a revision that answers errors must be
 * rolled back with the primary still serving v1; then the v2 pod spec must progress by 10%
 * steps to 50%, be promoted, and serve every request.
 */
export const scenario = defineScenario({
  id: 'flagger-canary',
  async run(lab, options) {
    const intervalMs = (options.bookTiming ? 45 : 10) * 1000
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
    // Flagger creates Service catalog (and catalog-primary, catalog-canary) itself.
    await lab.applyFile('apps/catalog.yaml', (objects) => objects.filter((o) => o.kind !== 'Service'))
    await lab.apply('apps/webapp.yaml', 'ch5/coolstore-gateway.yaml')
    await lab.applyFile('ch5/catalog-canary.yaml', (objects) =>
      objects.map((o) => withInterval(o, intervalMs / 1000)),
    )
    const init = await lab.watch(CANARY, statusOf, (s) => s.phase === 'Initialized', {
      timeoutMs: 300_000,
      intervalMs: 2_000,
    })
    if (!init.completed)
      throw new Error(
        `Canary catalog-release never reached Initialized (last phase ${init.samples.at(-1)?.value.phase})`,
      )
    const load = lab.startLoad(WEBAPP_CATALOG, LOAD_RPS)
    const common = { stepWeight: STEP_WEIGHT, maxWeight: MAX_WEIGHT, stallMs: 3 * intervalMs + 10_000 }

    // Rollback first, while the primary still runs v1.
    const badStart = lab.openLogWindow().since
    await lab.apply('ch5/catalog-deployment-failing.yaml')
    const bad = await watchRevision(lab, intervalMs)
    lab.record('rollback', {
      kind: 'canary-timeline',
      aspect: 'final',
      expectFinal: 'Failed',
      ...common,
      samples: bad.samples,
      events: await events(lab, badStart),
    })
    await lab.expectOnly('primary-v1-after-rollback', WEBAPP_CATALOG, 'v1')

    // The good revision: v2's pod spec.
    const goodStart = lab.openLogWindow().since
    await lab.apply('ch5/catalog-deployment-v2.yaml')
    const good = await watchRevision(lab, intervalMs)
    const goodEvents = await events(lab, goodStart)
    const timeline = {
      kind: 'canary-timeline' as const,
      expectFinal: 'Succeeded' as const,
      ...common,
      samples: good.samples,
      events: goodEvents,
    }
    lab.record('weights-monotonic', { ...timeline, aspect: 'weights' })
    lab.record('phases', { ...timeline, aspect: 'phases' })
    const records: LoadRecord[] = await load.stop()
    lab.record('share-per-step', {
      kind: 'canary-steps',
      alpha: 1e-6,
      settleMs: SETTLE_MS,
      steps: stepsFromTimeline(good.samples, records, SETTLE_MS),
    })
    await lab.expectOnly('all-v2-after', WEBAPP_CATALOG, 'v2')
  },
})
