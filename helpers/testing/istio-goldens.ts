import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubernetesObject } from '@kubernetes/client-node'
import { compareVersions } from '../istio-behaviour.js'
import type { NamedManifestSet } from '../runner/define.js'

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
/** A step that changes only the mesh config (REGISTRY_ONLY) applies no manifest to name it by. */
export const MESH_ONLY_STEP = 'mesh-registry-only'

/** The proxies a golden holds a dump for; the gateway always, a sidecar where its app is deployed. */
export const PROXIES = ['ingressgateway', 'webapp', 'forum'] as const
export type ProxyName = (typeof PROXIES)[number]

type Loader = (file: string) => readonly KubernetesObject[]
interface ScenarioSets {
  readonly id: string
  readonly manifestSets: readonly NamedManifestSet[]
}

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
 * Flagger's Canary routes by the VirtualService Flagger generates, not by a manifest of the
 * suite: the oracle has nothing of the suite's to translate, so such a scenario has no steps.
 */
const routedByFlagger = (scenario: ScenarioSets, load: Loader): boolean =>
  scenario.manifestSets.some((set) =>
    set.files.some((f) => load(f).some((o) => o.apiVersion?.startsWith('flagger.app/'))),
  )

/**
 * The oracle's input, derived from the scenario registry: for every scenario, its steps on the
 * suite's own cluster, and under `<id>@existing-cluster` its steps with --allow-existing-cluster
 * where they differ. Pure, given the manifest loader.
 */
export function deriveSteps(scenarios: readonly ScenarioSets[], loadFile: Loader): StepsFile {
  const loaded = new Map<string, readonly KubernetesObject[]>()
  const load: Loader = (file) => {
    if (!loaded.has(file)) loaded.set(file, loadFile(file))
    return loaded.get(file) ?? []
  }
  const out: Record<string, GoldenStep[]> = {}
  for (const scenario of scenarios) {
    if (routedByFlagger(scenario, load)) continue
    const own = stepsOf(scenario, false, load)
    const existing = stepsOf(scenario, true, load)
    out[scenario.id] = own
    if (JSON.stringify(existing) !== JSON.stringify(own)) out[`${scenario.id}${EXISTING_CLUSTER}`] = existing
  }
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

/** The Istio release lines that have goldens, oldest first (e.g. ['1.31']). */
export function goldenLines(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d+\.\d+$/.test(d.name))
    .map((d) => d.name)
    .sort(compareVersions)
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
