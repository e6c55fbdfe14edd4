import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubernetesObject } from '@kubernetes/client-node'
import { compareVersions } from '../istio-behaviour.js'
import { loadManifest } from '../manifests/load.js'
import { intoNamespace, scenarioNamespace } from '../manifests/namespace.js'
import type { NamedManifestSet } from '../runner/define.js'
import { canonicalJson } from '../text/canonical-json.js'

/**
 * The Istio goldens as the offline tests use them: which steps exist (derived from the scenario
 * registry into oracles/istio/steps.json, the oracle's input), and the config dumps Istio's own
 * control plane computed for each (helpers/testing/istio-golden/<line>/<scenario>/<step>/<proxy>.json,
 * written by oracles/istio). Files are read once per process.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const GOLDEN_DIR = join(ROOT, 'helpers', 'testing', 'istio-golden')
export const STEPS_FILE = join(ROOT, 'oracles', 'istio', 'steps.json')

export type OutboundPolicy = 'ALLOW_ANY' | 'REGISTRY_ONLY'

/** One state of a scenario: every manifest in force, in apply order, and the mesh's outbound policy. */
export interface GoldenStep {
  readonly name: string
  readonly manifests: readonly string[]
  readonly mesh: { readonly outboundTrafficPolicy: OutboundPolicy }
}

export interface StepsFile {
  readonly scenarios: Readonly<Record<string, readonly GoldenStep[]>>
}

/** The key of a scenario's path with --allow-existing-cluster, where its steps differ. */
export const EXISTING_CLUSTER = '@existing-cluster'

/**
 * Namespaces besides the book's that have goldens of their own (`run --namespace`): every
 * scenario's steps again, under `<key>@<namespace>`, with each manifest named `@<namespace>/<file>`
 * (the file moved by helpers/manifests/namespace.ts intoNamespace, as `run` applies it). The
 * oracle translates those objects itself, so a lab in another namespace is routed by Istio's
 * own translation of it, not by a renaming of ours.
 */
export const GOLDEN_NAMESPACES = ['itc-staging'] as const

/**
 * The key of a scenario's steps in a namespace of its own, `<id>@itc-<id>`
 * (helpers/manifests/namespace.ts scenarioNamespace): where it runs when scenarios run
 * concurrently, one namespace each. Only on the suite's own cluster (concurrent runs happen
 * nowhere else), so there is no `<id>@existing-cluster@itc-<id>`.
 */
export const ownNamespaceKey = (scenarioId: string): string =>
  `${scenarioId}@${scenarioNamespace(scenarioId)}`

/** A step's manifest: a file under manifests/, or `@<namespace>/<file>`, the file in that namespace. */
export function loadStepManifest(path: string): KubernetesObject[] {
  const inNamespace = /^@([a-z0-9-]+)\/(.+)$/.exec(path)
  return inNamespace
    ? intoNamespace(loadManifest(inNamespace[2] as string), inNamespace[1] as string)
    : loadManifest(path)
}
/** A step that changes only the mesh config (REGISTRY_ONLY) applies no manifest to name it by. */
export const MESH_ONLY_STEP = 'mesh-registry-only'

/** The proxies a golden holds a dump for; the gateway always, a sidecar where its app is deployed. */
export const PROXIES = ['ingressgateway', 'webapp', 'forum'] as const
export type ProxyName = (typeof PROXIES)[number]

type Loader = (file: string) => readonly KubernetesObject[]
interface ScenarioSets {
  readonly id: string
  readonly manifestSets: readonly NamedManifestSet[]
  readonly without?: readonly string[]
}

/**
 * The key suffix of a scenario's steps on a serial run's base lab, `<key>@base-lab`: the base
 * lab's files in force beneath every step (helpers/runner/base-lab.ts keeps its Services in place
 * for every scenario, so Istio's registry holds catalog, webapp and forum throughout).
 */
export const BASE_LAB_KEY = '@base-lab'

/** group/kind/namespace/name, as the oracle (oracles/istio/v1.31/input.go) and server-side apply identify an object. */
const objectKey = (o: KubernetesObject): string => {
  const api = o.apiVersion ?? ''
  const group = api.includes('/') ? api.slice(0, api.indexOf('/')) : ''
  return `${group}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`
}

/** The files in force, without those whose every object a later file applied again. */
function withoutReplaced(files: readonly string[], load: Loader): string[] {
  return files.filter((file, i) => {
    const later = new Set(files.slice(i + 1).flatMap((f) => load(f).map(objectKey)))
    return load(file).some((o) => !later.has(objectKey(o)))
  })
}

/**
 * A scenario's steps on one kind of cluster: one per manifest set, in the order the body applies
 * them (ARCHITECTURE.md: the oracle takes each set as one step). A set with `outboundPolicy`
 * puts the mesh in REGISTRY_ONLY: on the suite's own cluster through the mesh config (no file is
 * applied; suites/egress.ts lockDownEgress), on another cluster by applying its files (a
 * namespace Sidecar).
 */
function stepsOf(scenario: ScenarioSets, existingCluster: boolean, load: Loader): GoldenStep[] {
  const inForce: string[] = []
  let policy: OutboundPolicy = 'ALLOW_ANY'
  const steps: GoldenStep[] = []
  for (const set of scenario.manifestSets) {
    let name = MESH_ONLY_STEP
    if (set.outboundPolicy && !existingCluster) {
      policy = set.outboundPolicy
    } else {
      for (const file of set.files) {
        const at = inForce.indexOf(file)
        if (at >= 0) inForce.splice(at, 1)
        inForce.push(file)
      }
      name = basename(set.files.at(-1) ?? '', '.yaml')
    }
    if (steps.some((s) => s.name === name))
      throw new Error(
        `${scenario.id}: two steps would be named ${name} (the base name of the manifest applied last in set ${set.name}); a step's golden folder needs a unique name`,
      )
    steps.push({ name, manifests: withoutReplaced(inForce, load), mesh: { outboundTrafficPolicy: policy } })
  }
  return steps
}

/**
 * A scenario's sets up to its first Flagger Canary. From the Canary on, traffic follows the
 * VirtualService Flagger generates, not a manifest of the suite: the oracle has nothing of the
 * suite's to translate there. The sets before it (the apps and the gateway, where a learner's
 * `check` may find the lab) are translated like any other step.
 */
const beforeFlagger = (scenario: ScenarioSets, load: Loader): ScenarioSets => {
  const first = scenario.manifestSets.findIndex((set) =>
    set.files.some((f) => load(f).some((o) => o.apiVersion?.startsWith('flagger.app/'))),
  )
  return first < 0 ? scenario : { ...scenario, manifestSets: scenario.manifestSets.slice(0, first) }
}

/** Steps with the base lab's files in force beneath each (each file once, where it was first applied). */
const onBase = (steps: readonly GoldenStep[], files: readonly string[], load: Loader): GoldenStep[] =>
  steps.map((step) => ({
    ...step,
    manifests: withoutReplaced([...new Set([...files, ...step.manifests])], load),
  }))

/** Steps with every manifest moved into a namespace: `@<namespace>/<file>`. */
const movedInto = (steps: readonly GoldenStep[], namespace: string): GoldenStep[] =>
  steps.map((step) => ({ ...step, manifests: step.manifests.map((file) => `@${namespace}/${file}`) }))

/**
 * The oracle's input, derived from the scenario registry: for every scenario, its steps on the
 * suite's own cluster, and under `<id>@existing-cluster` its steps with --allow-existing-cluster
 * where they differ; every one of those keys again in each of GOLDEN_NAMESPACES; and the steps
 * on the suite's own cluster once more in the scenario's own namespace (ownNamespaceKey), only
 * that scenario there. Pure, given the manifest loader.
 */
export function deriveSteps(
  scenarios: readonly ScenarioSets[],
  loadFile: Loader,
  base?: { readonly files: readonly string[] },
): StepsFile {
  const loaded = new Map<string, readonly KubernetesObject[]>()
  const load: Loader = (file) => {
    if (!loaded.has(file)) loaded.set(file, loadFile(file))
    return loaded.get(file) ?? []
  }
  const out: Record<string, GoldenStep[]> = {}
  /** The ids with steps on the suite's own cluster (a scenario Flagger routes from the start has none). */
  const ownCluster: string[] = []
  for (const all of scenarios) {
    const scenario = beforeFlagger(all, load)
    if (scenario.manifestSets.length === 0) continue
    const own = stepsOf(scenario, false, load)
    const existing = stepsOf(scenario, true, load)
    out[scenario.id] = own
    ownCluster.push(scenario.id)
    if (JSON.stringify(existing) !== JSON.stringify(own)) out[`${scenario.id}${EXISTING_CLUSTER}`] = existing
    // On a base lab. A scenario that removes a base object other than a Deployment (the
    // canaries remove Service catalog, which Flagger then creates) has no such steps: a state
    // of whole files cannot hold one object less, and it sends nothing before its Canary.
    const removesRegistry = (all.without ?? []).some((k) => !k.startsWith('Deployment/'))
    if (base && !removesRegistry) {
      out[`${scenario.id}${BASE_LAB_KEY}`] = onBase(own, base.files, load)
      if (out[`${scenario.id}${EXISTING_CLUSTER}`])
        out[`${scenario.id}${EXISTING_CLUSTER}${BASE_LAB_KEY}`] = onBase(existing, base.files, load)
    }
  }
  const book = Object.entries(out)
  for (const namespace of GOLDEN_NAMESPACES)
    for (const [key, steps] of book) out[`${key}@${namespace}`] = movedInto(steps, namespace)
  for (const id of ownCluster) out[ownNamespaceKey(id)] = movedInto(out[id] ?? [], scenarioNamespace(id))
  return { scenarios: out }
}

/** steps.json's text: two-space JSON and a final newline, as committed. */
export const renderSteps = (steps: StepsFile): string => `${JSON.stringify(steps, null, 2)}\n`

let stepsCache: StepsFile | undefined
/** The committed steps.json (the oracle's input). */
export function committedSteps(): StepsFile {
  stepsCache ??= JSON.parse(readFileSync(STEPS_FILE, 'utf8')) as StepsFile
  return stepsCache
}

let linesCache: readonly string[] | undefined
/** The Istio release lines that have goldens, oldest first (e.g. ['1.31']); read once per process. */
export function goldenLines(): readonly string[] {
  linesCache ??= readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d+\.\d+$/.test(d.name))
    .map((d) => d.name)
    .sort(compareVersions)
  return linesCache
}

const dumps = new Map<string, unknown>()
/**
 * One proxy's golden config dump for a step, parsed once per process; undefined where the step
 * does not deploy that proxy.
 */
export function goldenDump(line: string, scenario: string, step: string, proxy: ProxyName): unknown {
  const path = join(GOLDEN_DIR, line, scenario, step, `${proxy}.json`)
  if (!dumps.has(path)) {
    let dump: unknown
    try {
      dump = JSON.parse(readFileSync(path, 'utf8'))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    dumps.set(path, dump)
  }
  return dumps.get(path)
}

/**
 * The golden line the in-memory lab routes by: its own Istio release line where goldens exist
 * for it, otherwise the newest line. Only 1.31 exists (oracles/istio/README.md: the module proxy
 * serves no other istio.io/istio), so today every lab routes by 1.31's translation, whatever its
 * `istio` field says; that field still decides the behaviour that differs by version outside
 * the route tables (the -shadow suffix, the webhook's warnings, the log flush interval). A lab
 * on a line with goldens of its own (1.17, were they ever served) gets that line's translation.
 */
export function goldenLineFor(istio: string): string {
  const lines = goldenLines()
  const own = istio.split('.').slice(0, 2).join('.')
  const line = lines.includes(own) ? own : lines.at(-1)
  if (!line) throw new Error(`no Istio goldens in ${GOLDEN_DIR}; run npm run goldens -- istio`)
  return line
}

/** A golden step of a scenario (its key in steps.json, e.g. service-entry@existing-cluster). */
export interface StepRef {
  readonly scenario: string
  readonly step: GoldenStep
}

/**
 * What decides a step's route tables and cluster names: the Services (the registry) and Istio's
 * own objects, each by kind, namespace and name with its spec, and the mesh's outbound traffic
 * policy (see shapesTranslation below for why Deployments are left out).
 */
export interface MeshState {
  /** Kind/namespace/name -> the spec as canonical JSON. */
  readonly objects: ReadonlyMap<string, string>
  readonly policy: OutboundPolicy
}

/**
 * What shapes the tables the goldens hold (routes, cluster names, the outbound fallback):
 * Services and Istio's own configuration. Pods, and so Deployments, only fill the clusters'
 * endpoints (EDS), which the goldens do not hold and the lab resolves from its Deployments
 * itself: a subset with no running pod keeps its cluster, and a state that differs from a step
 * only in its workloads (a learner's missing catalog-v2, a new revision's pod spec) is routed
 * by that step's tables.
 */
const shapesTranslation = (o: KubernetesObject): boolean =>
  o.kind === 'Service' || /(^|\.)istio\.io\//.test(o.apiVersion ?? '')

/** The state of a set of objects applied in order (a later object of the same name replaces the earlier). */
export function meshState(objects: Iterable<KubernetesObject>, policy: OutboundPolicy): MeshState {
  const out = new Map<string, string>()
  for (const o of objects) {
    if (!shapesTranslation(o)) continue
    out.set(
      `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`,
      canonicalJson((o as { spec?: unknown }).spec),
    )
  }
  return { objects: out, policy }
}

const fingerprint = (state: MeshState): string =>
  `${state.policy}\n${[...state.objects]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}`

let stepStates: { ref: StepRef; state: MeshState; fingerprint: string }[] | undefined
function allStepStates() {
  stepStates ??= Object.entries(committedSteps().scenarios).flatMap(([scenario, steps]) =>
    steps.map((step) => {
      const state = meshState(step.manifests.flatMap(loadStepManifest), step.mesh.outboundTrafficPolicy)
      return { ref: { scenario, step }, state, fingerprint: fingerprint(state) }
    }),
  )
  return stepStates
}

/** What differs between a state and a step's: extra, missing and changed objects, and the policy. */
function differences(state: MeshState, step: MeshState): string[] {
  const out: string[] = []
  for (const [k, spec] of state.objects) {
    const theirs = step.objects.get(k)
    if (theirs === undefined) out.push(`${k} present (the step has none)`)
    else if (theirs !== spec) out.push(`${k} has another spec`)
  }
  for (const k of step.objects.keys()) if (!state.objects.has(k)) out.push(`${k} absent`)
  if (state.policy !== step.policy)
    out.push(`outboundTrafficPolicy ${state.policy} (the step has ${step.policy})`)
  return out
}

/**
 * The golden step whose configuration is exactly this state (the first in steps.json where
 * several scenarios share it). A state no step has is refused: the error names the nearest
 * step and what differs, since routing it would need an idea of Istio of our own.
 */
export function stepInForce(state: MeshState): StepRef {
  const all = allStepStates()
  const print = fingerprint(state)
  const exact = all.find((s) => s.fingerprint === print)
  if (exact) return exact.ref
  const ranked = all
    .map((s) => ({ ref: s.ref, diff: differences(state, s.state) }))
    .sort((a, b) => a.diff.length - b.diff.length)
  const nearest = ranked[0]
  throw new Error(
    `no golden step has the lab's configuration, so Istio's translation of it is unknown${
      nearest
        ? `; nearest: ${nearest.ref.scenario}/${nearest.ref.step.name}, which differs by: ${nearest.diff.join('; ')}`
        : ''
    }. A scenario that reaches this state must declare it as a manifest set (then npm run goldens); a test must reach a state some scenario declares.`,
  )
}
