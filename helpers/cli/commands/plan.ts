import {
  hostOnlyImages,
  type ImagePull,
  NODE_PORTS,
  nodePreloadImages,
  PLATFORMS,
  type Profile,
  registriesOf,
  type ToolPin,
} from '../../../cluster/profiles.js'
import { type ExpectedUp, expectedColdUp } from '../../../cluster/up-phases.js'
import { SCENARIOS } from '../../../suites/index.js'
import { BASE_LAB } from '../../../suites/shared.js'
import { suiteContextName } from '../../kube/context-guard.js'
import { manifestFiles } from '../../runner/define.js'
import { demandOf } from '../../runner/demand.js'
import { estimateScenario, jobsOf, jobsOnBaseLab, TYPICAL } from '../../runner/estimate.js'
import {
  type Budget,
  type Demand,
  NO_DEMAND,
  type PeakDemand,
  peakDemand,
  REQUEST_BUDGET,
} from '../../schedule/budget.js'
import { type MeshWide, type Placement, schedule } from '../../schedule/concurrent.js'
import type { DesignSummary } from '../../stats/run-budget.js'
import { runBoundOf, summaryOf } from '../../stats/summaries.js'
import { percent } from '../../text/format.js'
import { DEFAULT_PARALLEL } from './run-mode.js'

export interface Plan {
  readonly profile: string
  readonly description: string
  readonly cluster: { readonly name: string; readonly context: string; readonly nodeImage: string }
  readonly hostPorts: { readonly http: number; readonly https: number; readonly bind: string }
  readonly ingress: { readonly url: string; readonly note: string }
  readonly versions: Readonly<Record<string, { version: string; source: string }>>
  /** How each downloaded tool is verified, per platform: its pinned sha256, or the publisher's file. */
  readonly toolChecksums: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** What `up` pulls once on the host and loads into the node before installing (skipping what is there). */
  readonly images: readonly string[]
  /** Pulled on the host only (the hermetic egress stand-in and testcontainers' reaper). */
  readonly hostImages: readonly string[]
  /** Which cluster run changes, and how far (README, "Which cluster it touches"). */
  readonly safety: {
    readonly ownership: string
    readonly existingCluster: string
    readonly journal: string
  }
  /**
   * Every registry the main job pulls from with this profile (cluster, Istio, addons, Flagger,
   * app images, the hermetic stand-in), each image with what pulls it and its source.
   */
  readonly registries: readonly { readonly registry: string; readonly images: readonly ImagePull[] }[]
  /** Newer releases that exist and why the profile does not use them. */
  readonly newerReleases: readonly string[]
  readonly scenarios: readonly {
    id: string
    title: string
    section: string
    observation: string
    manifests: readonly string[]
    checks: readonly { id: string; proves: string; design: DesignSummary }[]
  }[]
  /**
   * The probability that a correct mesh fails at least one check of a full run (the sum of
   * every check's false-failure bounds, error bounds included), as declared.
   */
  readonly falseFailureBound: number
  /** How long a full run is expected to take, and in which order (runner/estimate.ts). */
  readonly schedule: PlannedSchedule
}

export interface PlannedRun {
  readonly placements: readonly Placement[]
  readonly expectedS: number
  readonly criticalPath: readonly string[]
}

export interface PlannedSchedule {
  /** Flagger's analysis interval the estimate assumes: 20 s by default, 45 s with --book-timing. */
  readonly timing: 'default' | 'book'
  /** Each scenario's expected seconds and where they go (objects, rollouts, routes, requests, Flagger...). */
  readonly scenarios: readonly {
    readonly id: string
    readonly expectedS: number
    readonly parts: Readonly<Record<string, number>>
    readonly touches: readonly MeshWide[]
    readonly observes: readonly MeshWide[]
    /** What it sends through the ingress at its peak (runner/demand.ts). */
    readonly demand: Demand
  }[]
  /**
   * What `run` does on the suite's own cluster: scenarios in namespaces of their own, at most
   * `maxConcurrent` at once, never two that touch the same mesh-wide state, never more requests
   * at once than `budget`; which run together is `placements` (the same dispatch `run` makes,
   * with the expected durations), and `peakDemand` the most they send at once.
   */
  readonly run: PlannedRun & {
    readonly maxConcurrent: number
    readonly budget: Budget
    readonly peakDemand: PeakDemand
  }
  /**
   * `run --serial` (and runs in one namespace): one scenario after another on the base lab,
   * in the order it runs them, and last the base lab's removal (placement `base-lab`).
   */
  readonly serial: PlannedRun
  /** The typical costs the estimate uses; a run's measured timeline (run.json, HTML) is the truth. */
  readonly costs: typeof TYPICAL
  /** A cold `up` (cluster created, nothing cached): its phases side by side, and its critical path. */
  readonly up: ExpectedUp
}

/** The schedule a full run is expected to follow. Pure. */
export function planSchedule(bookTiming: boolean): PlannedSchedule {
  const options = { bookTiming, ownNamespace: true }
  const serial = schedule(jobsOnBaseLab(SCENARIOS, { bookTiming }, BASE_LAB), { mode: 'serial' })
  const jobs = jobsOf(SCENARIOS, options)
  const concurrent = schedule(jobs, {
    mode: 'concurrent',
    maxConcurrent: DEFAULT_PARALLEL,
    budget: REQUEST_BUDGET,
  })
  const demandById = new Map(jobs.map((j) => [j.id, j.demand ?? NO_DEMAND]))
  const planned = (s: typeof serial): PlannedRun => ({
    placements: s.placements,
    expectedS: s.makespanS,
    criticalPath: s.criticalPath,
  })
  return {
    timing: bookTiming ? 'book' : 'default',
    scenarios: SCENARIOS.map((d) => {
      const e = estimateScenario(d, options)
      return {
        id: d.id,
        expectedS: e.seconds,
        parts: e.parts,
        touches: d.footprint.touches,
        observes: d.footprint.observes,
        demand: demandOf(d),
      }
    }),
    run: {
      ...planned(concurrent),
      maxConcurrent: DEFAULT_PARALLEL,
      budget: REQUEST_BUDGET,
      peakDemand: peakDemand(concurrent.placements, (id) => demandById.get(id) ?? NO_DEMAND),
    },
    serial: planned(serial),
    costs: TYPICAL,
    up: expectedColdUp(),
  }
}

/** What `up` and `run` would do for a profile and cluster name. Pure. */
export function buildPlan(
  profile: Profile,
  clusterName: string,
  options: { bookTiming?: boolean } = {},
): Plan {
  return {
    profile: profile.name,
    description: profile.description,
    cluster: { name: clusterName, context: suiteContextName(clusterName), nodeImage: profile.kind.nodeImage },
    hostPorts: { http: NODE_PORTS.http, https: NODE_PORTS.https, bind: '127.0.0.1' },
    ingress: {
      url: `http://127.0.0.1:${NODE_PORTS.http}/`,
      note: 'send the Host header (e.g. catalog.istioinaction.io); no /etc/hosts edit',
    },
    versions: {
      istio: { version: profile.istio.version, source: profile.istio.source },
      kind: { version: profile.kind.version, source: profile.kind.source },
      kubernetes: { version: profile.kind.kubernetesVersion, source: profile.kind.source },
      helm: { version: profile.helm.version, source: profile.helm.source },
      flagger: { version: profile.flagger.chartVersion, source: profile.flagger.source },
      prometheus: {
        version: `istio-${profile.istio.version}/${profile.prometheusAddon}`,
        source: profile.istio.source,
      },
    },
    toolChecksums: {
      kind: checksums(profile.kind),
      istio: checksums(profile.istio),
      helm: checksums(profile.helm),
    },
    images: nodePreloadImages(profile),
    hostImages: hostOnlyImages(profile),
    safety: {
      ownership: `run changes ${suiteContextName(clusterName)} only when its API server is on loopback and the cluster holds the ownership record up writes (ConfigMap kube-system/istio-traffic-conformance naming cluster '${clusterName}')`,
      existingCluster:
        'with --context NAME --allow-existing-cluster: only the lab namespace (--namespace, default istioinaction) changes, and one holding objects the suite did not create is refused unless --adopt-namespace; REGISTRY_ONLY through a namespace Sidecar, never mesh-wide configuration; hermetic service-entry is refused (it edits cluster DNS)',
      journal:
        'every change is journaled in .journal/ before it is made and undone at the end, on failure and on Ctrl-C; run, up and restore undo what an interrupted run left',
    },
    registries: registriesOf(profile).map(({ registry, images }) => ({
      registry,
      images: images.map((image) => profile.images.find((i) => i.image === image) as ImagePull),
    })),
    newerReleases: profile.newerReleases,
    scenarios: SCENARIOS.map((s) => ({
      id: s.id,
      title: s.title,
      section: s.section,
      observation: s.observation,
      manifests: manifestFiles(s),
      checks: s.checks.map((c) => ({ id: c.id, proves: c.proves, design: summaryOf(c.design) })),
    })),
    falseFailureBound: runBoundOf(
      SCENARIOS.flatMap((s) => s.checks.map((c) => ({ id: `${s.id}/${c.id}`, design: c.design }))),
    ).total,
    schedule: planSchedule(options.bookTiming ?? false),
  }
}

const PUBLISHER_FILE = "publisher's checksum file, recorded on first download"

function checksums(pin: ToolPin): Record<string, string> {
  return Object.fromEntries(PLATFORMS.map((p) => [p, pin.sha256[p] ?? PUBLISHER_FILE]))
}

const exp = (x: number) => x.toExponential(1)

/** A check's design in one line: what it fails, at which error probabilities, with how many requests. */
export function describeDesign(d: DesignSummary): string | undefined {
  const errors = d.errorRateCaught?.atMaxN
  const errorText =
    d.errorBound === undefined
      ? ''
      : `; errors: rate <= ${percent(d.errorBound.maxRate)} allowed${errors ? `, ${percent(errors)} caught with probability ${d.errorBound.power ?? 0.999}` : ''}`
  switch (d.kind) {
    case 'ratio':
      return `sequential test: fails shares ${d.alternatives.map(percent).join(' or ')} (or farther) with probability >= ${1 - d.beta < 1 ? (1 - d.beta).toFixed(4) : '1'}, a correct route with <= ${exp(d.alpha)}; about ${Math.round(d.expectedNAtP0 ?? 0)} responses, at worst ${Math.round(d.worstExpectedN?.n ?? 0)} expected, never more than ${d.maxN} (a fixed test needs ${d.fixedN})${errorText}`
    case 'zero-tolerance':
      return `${d.maxN} responses, all of one version: a ${percent(d.alternatives[0] ?? 0)} leak is missed with probability <= ${exp(d.beta)}${errorText}`
    case 'canary-steps':
      return `per weight step the fixed exact test (alpha ${exp(d.alpha)} over all steps, miss <= ${exp(d.beta)}): ${(d.steps ?? []).map((s) => `${percent(s.p0)} needs ${s.needed}`).join(', ')}; load ${d.loadRate} req/s over a ${((d.windowMs ?? 0) / 1000).toFixed(1)} s window per step${errorText}`
    case 'deterministic':
      return undefined
  }
}

export function renderPlan(plan: Plan): string {
  const lines = [
    `profile ${plan.profile}: ${plan.description}`,
    '',
    `cluster   kind cluster '${plan.cluster.name}', kube context ${plan.cluster.context}`,
    `node      ${plan.cluster.nodeImage}`,
    `ports     ${plan.hostPorts.bind}:${plan.hostPorts.http} -> ingress http2 (80 -> 8080 -> NodePort ${plan.hostPorts.http})`,
    `          ${plan.hostPorts.bind}:${plan.hostPorts.https} -> ingress https (443 -> 8443 -> NodePort ${plan.hostPorts.https})`,
    `ingress   ${plan.ingress.url} (${plan.ingress.note})`,
    '',
    'versions',
    ...Object.entries(plan.versions).map(([k, v]) => `  ${k.padEnd(11)} ${v.version.padEnd(46)} ${v.source}`),
    '',
    'checksums',
    ...Object.entries(plan.toolChecksums).map(([tool, byPlatform]) => {
      const values = Object.values(byPlatform)
      const pinned = values.filter((v) => v !== PUBLISHER_FILE).length
      return `  ${tool.padEnd(11)} ${pinned === values.length ? `sha256 pinned for all ${pinned} platforms` : pinned === 0 ? `verified against the ${PUBLISHER_FILE}` : `${pinned}/${values.length} pinned`}`
    }),
    '',
    `images loaded into the node by up (pulled once on the host, skipped when present): ${plan.images.length}`,
    ...plan.images.map((i) => `  ${i}`),
    `host only: ${plan.hostImages.join(', ')}`,
    '',
    `safety    ${plan.safety.ownership}`,
    `          ${plan.safety.existingCluster}`,
    `          ${plan.safety.journal}`,
    '',
    'registries (allow these through a proxy or mirror)',
    ...plan.registries.flatMap(({ registry, images }) => [
      `  ${registry}`,
      ...images.map((i) => `    ${i.image}  (${i.pulledBy})`),
    ]),
    ...(plan.newerReleases.length
      ? ['', 'newer releases not used', ...plan.newerReleases.map((n) => `  ${n}`)]
      : []),
    '',
    `scenarios (${plan.scenarios.length}); a correct mesh fails a full run with probability <= ${plan.falseFailureBound.toExponential(1)}`,
  ]
  for (const s of plan.scenarios) {
    const expected = plan.schedule.scenarios.find((e) => e.id === s.id)
    lines.push(
      `  ${s.id}  [${s.section}] ${s.title}${expected ? `  (about ${minutes(expected.expectedS)})` : ''}`,
    )
    lines.push(`    manifests: ${s.manifests.join(', ')}`)
    for (const c of s.checks) {
      lines.push(`    check ${c.id}: ${c.proves}`)
      const design = describeDesign(c.design)
      if (design) lines.push(`          ${design}`)
    }
  }
  lines.push('', ...renderSchedule(plan.schedule))
  return lines.join('\n')
}

/** m:ss */
const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`

/** Which scenarios start at each second of a schedule, in time order. */
function startsOf(placements: readonly Placement[]): [number, string[]][] {
  const at = new Map<number, string[]>()
  for (const p of placements) {
    const second = Math.round(p.startS)
    at.set(second, [...(at.get(second) ?? []), p.id])
  }
  return [...at.entries()].sort((a, b) => a[0] - b[0])
}

const minutes = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`)

/** The schedule in words: the run, each scenario's time and where it goes, the critical path. */
export function renderSchedule(schedule: PlannedSchedule): string[] {
  const width = Math.max(...schedule.scenarios.map((s) => s.id.length))
  const parts = (p: Readonly<Record<string, number>>) =>
    Object.entries(p)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${Math.round(v)} s`)
      .join(', ')
  const up = schedule.up
  const { budget, peakDemand: peak } = schedule.run
  return [
    `up, cold: about ${minutes(up.seconds)} with its phases side by side (${minutes(up.sumS)} one after another), critical path ${up.phases.map((p) => p.phase).join(' -> ')}`,
    `expected duration (${schedule.timing} timing; typical costs, not deadlines: every run measures its own timeline in run.json and the HTML report)`,
    ...schedule.scenarios.map(
      (s) =>
        `  ${s.id.padEnd(width)}  ${minutes(s.expectedS).padStart(7)}  ${parts(s.parts)}${s.touches.length ? `  [mesh-wide: ${s.touches.join(', ')}]` : ''}`,
    ),
    `run: about ${minutes(schedule.run.expectedS)}, at most ${schedule.run.maxConcurrent} scenarios at once, each in its own namespace itc-<scenario-id>, never two that change the same mesh-wide state together; critical path ${schedule.run.criticalPath.join(' -> ')}`,
    ...startsOf(schedule.run.placements).map(([at, ids]) => `  at ${clock(at)} start ${ids.join(', ')}`),
    `  requests at once: budget ${budget.samplerConnections} sampler connections and ${budget.loadRps} req/s of load (helpers/schedule/budget.ts); this run's peak ${peak.samplerConnections} connections (at ${clock(peak.samplerConnectionsAtS)}) and ${peak.loadRps} req/s (at ${clock(peak.loadRpsAtS)})`,
    `run --serial (or --namespace, or a cluster not the suite's own): about ${minutes(schedule.serial.expectedS)}, one scenario after another on a base lab (the apps applied once): ${schedule.serial.placements.map((p) => p.id).join(', ')}`,
  ]
}
