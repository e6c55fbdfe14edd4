import { SCENARIOS } from '../../suites/index.js'
import { RUN_RECORD_SCHEMA, type RunRecord, type ScenarioResult } from '../report/model.js'
import { runScenario } from '../runner/scenario.js'
import { runBoundOf } from '../stats/summaries.js'
import { FakeLab } from './fake-lab.js'
/** A lab namespace as `up` makes istioinaction (or a user makes one for run --namespace): with sidecar injection. */
export const labNamespace = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'istio-injection': 'enabled' } },
})

/**
 * What the suite's cluster holds before a run: the lab namespace `up` creates, and the
 * cluster-wide ConfigMaps the egress scenarios edit (mesh config, CoreDNS) as kind and Istio
 * create them.
 */
export const CLUSTER_CONFIG = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio', namespace: 'istio-system' },
    data: { mesh: 'accessLogFile: /dev/stdout\n' },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'coredns', namespace: 'kube-system' },
    data: { Corefile: '.:53 {\n    forward . /etc/resolv.conf\n    reload\n}\n' },
  },
  labNamespace('istioinaction'),
]

/** Ids for breakage tables, so a cache key can tell them apart. */
const breakageIds = new WeakMap<object, number>()
let nextBreakageId = 1
const runs = new Map<string, Promise<RunRecord>>()

/**
 * A run record built the way a real run builds it, from evidence the scenarios gathered
 * against the in-memory lab. `breakage` makes chosen scenarios misbehave.
 *
 * The lab is deterministic (a seeded random, its own clock), so each distinct set of options
 * is run once per worker and every caller gets its own copy to read or tamper with.
 */
export async function buildRun(
  options: {
    istio?: string
    shadowSuffix?: boolean
    breakage?: Partial<Record<string, (fake: FakeLab) => void>>
  } = {},
): Promise<RunRecord> {
  const { breakage } = options
  if (breakage && !breakageIds.has(breakage)) breakageIds.set(breakage, nextBreakageId++)
  const key = `${options.istio ?? ''}|${options.shadowSuffix ?? ''}|${breakage ? breakageIds.get(breakage) : 0}`
  let run = runs.get(key)
  if (!run) {
    run = runFreshly(options)
    runs.set(key, run)
  }
  return structuredClone(await run)
}

async function runFreshly(
  options: {
    istio?: string
    shadowSuffix?: boolean
    breakage?: Partial<Record<string, (fake: FakeLab) => void>>
  } = {},
): Promise<RunRecord> {
  const scenarios: ScenarioResult[] = []
  for (const definition of SCENARIOS) {
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.istio = options.istio ?? '1.17.8'
    fake.shadowSuffix = options.shadowSuffix ?? true
    options.breakage?.[definition.id]?.(fake)
    scenarios.push(await runScenario(definition, fake.adapters()))
  }
  const istio = options.istio ?? '1.17.8'
  return {
    schema: RUN_RECORD_SCHEMA,
    suite: { name: 'istio-traffic-conformance', version: '0.1.0' },
    profile: istio === '1.17.8' ? 'book' : 'current',
    context: 'kind-istio-conformance',
    server: 'https://127.0.0.1:6443',
    clusterMode: 'suite-cluster',
    versions: {
      kubernetes: istio === '1.17.8' ? 'v1.26.15' : 'v1.36.4',
      istioControlPlane: istio,
      istioProxies: [istio],
      flagger: istio === '1.17.8' ? '1.36.1' : '1.44.0',
      nodeImage:
        'kindest/node:v1.26.15@sha256:c79602a44b4056d7e48dc20f7504350f1e87530fe953428b792def00bc1076dd',
    },
    startedAt: scenarios[0]?.startedAt ?? '2026-11-27T08:00:00.000Z',
    endedAt: scenarios.at(-1)?.endedAt ?? '2026-11-27T08:00:00.000Z',
    upTimings: [
      { phase: 'tools', seconds: 0.4, outcome: 'ok' },
      { phase: 'inspect', seconds: 0.2, outcome: 'ok' },
      { phase: 'connect', seconds: 0.3, outcome: 'ok' },
    ],
    scenarios,
    missingResults: [],
    diagnostics: {},
    selected: SCENARIOS.map((d) => d.id),
    falseFailureBound: runBoundOf(
      SCENARIOS.flatMap((s) => s.checks.map((c) => ({ id: `${s.id}/${c.id}`, design: c.design }))),
    ).total,
    passed: scenarios.every((s) => s.passed),
  }
}

/** Misbehaviours for a run with failures in several scenarios. */
export const BREAKAGE: Record<string, (fake: FakeLab) => void> = {
  'subset-v1': (fake) => {
    let n = 0
    fake.override = () => (++n === 200 ? 'v2' : undefined)
  },
  'weighted-shift': (fake) => {
    let n = 0
    fake.override = () => (n++ % 2 ? 'v2' : 'v1')
  },
  'flagger-canary': (fake) => {
    fake.failingSpecs = new Set(['failing', 'v2'])
  },
  mirroring: (fake) => {
    fake.shadowSuffix = false
  },
}
