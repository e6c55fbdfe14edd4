import { type Step, scheduleDag } from '../helpers/schedule/critical-path.js'
import { IMAGE_USERS, type ImageUser } from './profiles.js'

/**
 * The phases of `up` as data: which phase waits for which. `up` runs them concurrently, each
 * as soon as the phases it waits for have ended; the critical path of a run is computed from
 * this graph and the measured durations, and the expected one from `EXPECTED_COLD_SECONDS`.
 * Pure.
 */

/** The phases `up` runs once it has decided to create or repair the cluster. */
export type UpPhase =
  | 'cluster'
  | `pull:${ImageUser}`
  | `load:${ImageUser}`
  | 'istio-system'
  | 'istio'
  | 'namespace'
  | 'prometheus'
  | 'flagger'
  | 'verify'

export interface PhaseNode {
  readonly id: UpPhase
  /** Phases that must have ended before this one starts. */
  readonly after: readonly UpPhase[]
}

/**
 * Phases run one after another before the graph: the command resolves the tools, then `up`
 * looks for the cluster and, when it exists, connects and judges it (create, verify, repair
 * or refuse). Nothing in the graph starts before that decision: pulling a gigabyte of images
 * for a cluster that is then verified in seconds, or refused, would be waste.
 */
export const PRELUDE = ['tools', 'inspect', 'connect'] as const

/**
 * The guarantee the edges keep: the node never pulls an image itself. Every image is pulled on
 * the host (`pull:*`) and loaded into the node (`load:*`) before the phase that starts a
 * container from it, so a recreated cluster pulls nothing from the internet and a registry
 * outage fails a named phase rather than leaving a pod in ImagePullBackOff. Images are split by
 * the part of `up` that runs them (`imagesByUser` in profiles.ts, from each image's `pulledBy`
 * record), so Istio's install waits for Istio's two images only, not for the apps' (the
 * catalog app alone is a `node:latest` image of about 1 GB).
 */
export const UP_GRAPH: readonly PhaseNode[] = [
  // kind create cluster: the node (it pulls its own node image; kind runs it, not the kubelet).
  { id: 'cluster', after: [] },
  // docker pull on the host needs no cluster: pulls overlap the cluster's creation.
  ...IMAGE_USERS.map((u) => ({ id: `pull:${u}` as const, after: [] })),
  // kind load docker-image imports the image into the node's containerd (docker save, then ctr
  // import inside the node container: kubernetes-sigs/kind pkg/cmd/kind/load/docker-image and
  // pkg/cluster/nodeutils LoadImageArchive): it needs the node and the image on the host, and
  // nothing of the API server. Loads are safe beside `istioctl install` and beside each other: they touch
  // containerd's image store, the installs touch the API server, and a container only starts
  // from an image its phase waited for.
  ...IMAGE_USERS.map((u) => ({ id: `load:${u}` as const, after: ['cluster', `pull:${u}`] as const })),
  // Namespace istio-system, applied by up itself, as Istio's own multicluster and Helm guides
  // do before installing (istioctl only creates it when absent: istio/istio 1.31
  // operator/pkg/util/k8s.go CreateNamespace gets it first and creates it on NotFound). Prometheus and Flagger need
  // nothing of Istio but this namespace, so they need not wait for Istio's install.
  { id: 'istio-system', after: ['cluster'] },
  // istioctl install runs istiod (pilot) and the ingress gateway (proxyv2); it waits for
  // istio-system so that it never races up's own apply of the namespace.
  { id: 'istio', after: ['load:istio', 'istio-system'] },
  // istioinaction with istio-injection=enabled: only the API server. The label is read by
  // Istio's injector when a pod is created there, which happens in `run`, after `up`.
  { id: 'namespace', after: ['cluster'] },
  // The Prometheus addon: a ServiceAccount, ConfigMap, RBAC, Service and Deployment in
  // istio-system; its pods opt out of injection (sidecar.istio.io/inject: "false") and it
  // discovers Istio's pods whenever they appear.
  { id: 'prometheus', after: ['istio-system', 'load:prometheus'] },
  // Flagger's chart (meshProvider=istio): its CRDs first, then `helm upgrade --install
  // --namespace istio-system` (no --create-namespace). At start Flagger only requires its own
  // CRDs; an unreachable metrics server is logged, not fatal, and Istio's APIs are used per
  // Canary, in `run` (fluxcd/flagger cmd/flagger/main.go: verifyCRDs, IsOnline). So it waits
  // for neither Istio nor Prometheus. The chart creates no Istio object.
  { id: 'flagger', after: ['istio-system', 'load:flagger'] },
  // Checks every component, then records the profile: the record means the whole cluster is
  // ready, including the apps' images the scenarios will start (load:apps) and the host-only
  // images `run` starts on the host (pulled in pull:apps).
  { id: 'verify', after: ['istio', 'namespace', 'prometheus', 'flagger', 'load:apps'] },
]

/** The phase that starts containers from a user's images; the apps' are started by `run`, after `verify`. */
export const STARTED_BY: Readonly<Record<ImageUser, UpPhase>> = {
  istio: 'istio',
  prometheus: 'prometheus',
  flagger: 'flagger',
  apps: 'verify',
}

/**
 * The graph `up` runs for its decision: all of it to create; to repair, the cluster exists,
 * so `cluster` is left out and what waited for it waits for nothing more.
 */
export function upGraph(action: 'create' | 'repair'): readonly PhaseNode[] {
  if (action === 'create') return UP_GRAPH
  return UP_GRAPH.filter((n) => n.id !== 'cluster').map((n) => ({
    id: n.id,
    after: n.after.filter((d) => d !== 'cluster'),
  }))
}

/** Every phase a node waits for, directly or through others. */
function waitsFor(graph: readonly PhaseNode[], id: string, seen = new Set<string>()): Set<string> {
  for (const d of graph.find((n) => n.id === id)?.after ?? []) {
    if (seen.has(d)) continue
    seen.add(d)
    waitsFor(graph, d, seen)
  }
  return seen
}

/**
 * What a graph of up's phases breaks of the rules above; empty when it keeps them all. The
 * tests hold UP_GRAPH (and both of `upGraph`'s variants) to it, and show that it catches an
 * edge removed. Pure.
 */
export function graphProblems(graph: readonly PhaseNode[]): string[] {
  const problems: string[] = []
  const ids = graph.map((n) => n.id)
  if (new Set(ids).size !== ids.length) problems.push('phase ids are not unique')
  for (const n of graph)
    for (const d of n.after) if (!ids.includes(d)) problems.push(`${n.id} waits for unknown phase ${d}`)
  for (const n of graph) if (waitsFor(graph, n.id).has(n.id)) problems.push(`${n.id} waits for itself`)
  const has = (id: UpPhase) => ids.includes(id)
  for (const u of IMAGE_USERS) {
    const load = waitsFor(graph, `load:${u}`)
    if (!load.has(`pull:${u}`)) problems.push(`load:${u} does not wait for pull:${u}`)
    if (has('cluster') && !load.has('cluster')) problems.push(`load:${u} does not wait for the cluster`)
    if (!waitsFor(graph, STARTED_BY[u]).has(`load:${u}`))
      problems.push(`${STARTED_BY[u]} may start the ${u} images before load:${u} has loaded them`)
  }
  for (const p of ['prometheus', 'flagger'] as const) {
    const before = waitsFor(graph, p)
    if (!before.has('istio-system') && !before.has('istio'))
      problems.push(`${p} may install into istio-system before it exists`)
  }
  if (has('cluster'))
    for (const n of graph)
      if (n.id !== 'cluster' && !n.id.startsWith('pull:') && !waitsFor(graph, n.id).has('cluster'))
        problems.push(`${n.id} may talk to the cluster before it exists`)
  const last = waitsFor(graph, 'verify')
  for (const id of ids) if (id !== 'verify' && !last.has(id)) problems.push(`verify does not wait for ${id}`)
  return problems
}

/** What a phase took, as `Phases` records it (helpers/progress.ts PhaseTiming). */
export interface PhaseTime {
  readonly phase: string
  readonly seconds: number
  readonly outcome: 'ok' | 'failed' | 'skipped'
}

export interface CriticalPath {
  /** The phases whose durations add up to the whole, first to last. */
  readonly phases: readonly { readonly phase: string; readonly seconds: number }[]
  /** Their sum: how long `up` took, or is expected to take, from its first phase to its last. */
  readonly seconds: number
}

/**
 * The steps of a run for `scheduleDag`: phases outside the graph (the prelude) one after
 * another in the order recorded, then the graph's phases with their edges. A phase of the graph
 * that did not run (`cluster` when repairing, phases never started after a failure) is
 * bridged: what waited for it waits for what it waited for. Durations go in as whole
 * milliseconds, so that the scheduler's sums and differences are exact.
 */
function stepsOf(times: readonly PhaseTime[], graph: readonly PhaseNode[]): Step[] {
  const ran = times.filter((t) => t.outcome !== 'skipped')
  const ranIds = new Set(ran.map((t) => t.phase))
  const inGraph = new Set<string>(graph.map((n) => n.id))
  const prelude = ran.filter((t) => !inGraph.has(t.phase)).map((t) => t.phase)
  const lastPrelude = prelude.at(-1)
  const bridged = (id: string, seen = new Set<string>()): string[] =>
    (graph.find((n) => n.id === id)?.after ?? []).flatMap((d) => {
      if (seen.has(d)) return []
      seen.add(d)
      return ranIds.has(d) ? [d] : bridged(d, seen)
    })
  const seen = new Set<string>()
  return ran.flatMap((t) => {
    if (seen.has(t.phase)) return [] // a phase recorded twice counts once: the first
    seen.add(t.phase)
    const ms = Math.max(0, Math.round(t.seconds * 1000))
    if (!inGraph.has(t.phase)) {
      const i = prelude.indexOf(t.phase)
      return [{ id: t.phase, seconds: ms, after: i > 0 ? [prelude[i - 1] as string] : [] }]
    }
    const after = [...new Set(bridged(t.phase))]
    return [{ id: t.phase, seconds: ms, after: after.length || !lastPrelude ? after : [lastPrelude] }]
  })
}

function criticalPathOf(steps: readonly Step[]): CriticalPath {
  const schedule = scheduleDag(steps)
  const ms = new Map(steps.map((s) => [s.id, s.seconds]))
  return {
    phases: schedule.criticalPath.map((phase) => ({ phase, seconds: (ms.get(phase) ?? 0) / 1000 })),
    seconds: schedule.makespanS / 1000,
  }
}

/**
 * The critical path of a run of `up`, from its measured phase durations and the graph: the
 * chain of phases that decided how long it took. Making any other phase faster would not have
 * made `up` faster. Pure.
 */
export function measuredCriticalPath(
  times: readonly PhaseTime[],
  graph: readonly PhaseNode[] = UP_GRAPH,
): CriticalPath {
  return criticalPathOf(stepsOf(times, graph))
}

/**
 * What each phase of a cold `up` is expected to take, in seconds: a fresh host (no image, no
 * tool cached) with a few tens of MB/s to Docker Hub and ghcr.io, as on a hosted CI runner.
 * These are estimates from the images' sizes and the tools' usual times, not measurements:
 * replace them with the medians of `reports/up-*.json` once cold runs have been recorded.
 */
export const EXPECTED_COLD_SECONDS: Readonly<Record<(typeof PRELUDE)[number] | UpPhase, number>> = {
  // istioctl (~30 MB archive), kind (~10 MB) and helm (~17 MB) downloaded, verified, unpacked.
  tools: 10,
  // kind get clusters.
  inspect: 1,
  // Only when the cluster exists, which a cold up does not have.
  connect: 2,
  // kind create cluster --wait 3m: the node image (a few hundred MB compressed) pulled by kind,
  // then kubeadm init, the CNI and the node Ready; about half a minute once the image is there.
  cluster: 60,
  // istio/pilot (~75 MB compressed) and istio/proxyv2 (~100 MB), pulled side by side.
  'pull:istio': 15,
  // docker save and ctr import of both (~450 MB uncompressed).
  'load:istio': 10,
  // One server-side apply.
  'istio-system': 1,
  // istioctl install -y: about a hundred objects, then istiod and the gateway ready; the images
  // are already in the node, so this is scheduling, start-up and readiness probes.
  istio: 60,
  namespace: 1,
  // prom/prometheus (~110 MB compressed) and its config reloader (~15 MB).
  'pull:prometheus': 12,
  'load:prometheus': 8,
  // Apply the addon, wait for the Deployment (readiness on /-/ready).
  prometheus: 20,
  // ghcr.io/fluxcd/flagger (~35 MB compressed).
  'pull:flagger': 6,
  'load:flagger': 4,
  // helm fetches the chart from flagger.app twice (show crds, upgrade --install), then the
  // Deployment's readiness.
  flagger: 25,
  // istioinaction/catalog is built FROM node:latest (~400 MB compressed; book-source-code
  // services/catalog/Dockerfile); webapp and forum are alpine with a Go binary (~15 MB each);
  // plus the host-only node:20-alpine (~45 MB) and testcontainers' ryuk (~8 MB).
  'pull:apps': 40,
  // catalog is ~1.1 GB uncompressed through docker save and ctr import.
  'load:apps': 30,
  // Four Deployments, a Service and a Namespace read; the record written.
  verify: 2,
}

export interface ExpectedUp extends CriticalPath {
  /** Every phase at its expected start, in the graph's order. */
  readonly schedule: readonly { readonly phase: string; readonly startS: number; readonly seconds: number }[]
  /** The phases' durations added up: what `up` took when it ran them one after another. */
  readonly sumS: number
}

/**
 * The expected schedule and critical path of a cold `up` (the cluster created; no tool or
 * image cached), from `EXPECTED_COLD_SECONDS` and the graph, for `plan` to show. Pure.
 */
export function expectedColdUp(): ExpectedUp {
  const times: PhaseTime[] = [
    { phase: 'tools', seconds: EXPECTED_COLD_SECONDS.tools, outcome: 'ok' },
    { phase: 'inspect', seconds: EXPECTED_COLD_SECONDS.inspect, outcome: 'ok' },
    ...UP_GRAPH.map((n) => ({ phase: n.id, seconds: EXPECTED_COLD_SECONDS[n.id], outcome: 'ok' as const })),
  ]
  const steps = stepsOf(times, UP_GRAPH)
  const schedule = scheduleDag(steps)
  return {
    ...criticalPathOf(steps),
    schedule: schedule.steps.map((s) => ({
      phase: s.id,
      startS: s.startS / 1000,
      seconds: (s.endS - s.startS) / 1000,
    })),
    sumS: times.reduce((sum, t) => sum + t.seconds, 0),
  }
}
