import type { Lang } from '../i18n/lang.js'
import { type Footprint, NO_FOOTPRINT } from '../schedule/concurrent.js'
import type { CheckDesign } from '../stats/run-budget.js'
import type { BaseLabRun, BaseObjectKey } from './base-lab.js'
import type { Waits } from './estimate.js'
import type { Lab } from './lab.js'
import type { Timeouts } from './timeouts.js'

/**
 * What a check proves, what to look at when it fails (for learners on their own cluster), and
 * its statistical design: what `plan` shows and the run's false-failure bound sums.
 */
export interface CheckDeclaration {
  readonly proves: string
  readonly hint: string
  readonly design: CheckDesign
}

/**
 * A named set of manifests a scenario applies in one step, in order. `outboundPolicy` marks a
 * step that puts the mesh in REGISTRY_ONLY: on the suite's own cluster through the mesh config,
 * on a cluster that is not the suite's own by applying `files` (a namespace Sidecar) instead.
 */
export interface ManifestSet {
  readonly files: readonly string[]
  readonly outboundPolicy?: 'REGISTRY_ONLY'
}

export interface ScenarioOptions {
  /** Use the book's Flagger analysis interval (45 s) instead of the default. */
  readonly bookTiming: boolean
  /** service-entry: a local stand-in for the outside host, or the real one. */
  readonly egress: 'hermetic' | 'internet'
  /** Running against a cluster that is not the suite's own: never touch mesh-wide config. */
  readonly existingCluster: boolean
  /** The lab's namespace (run --namespace); the book's istioinaction when absent. */
  readonly namespace?: string
  /**
   * The namespace is the scenario's own (scenarios running concurrently): it creates it, with
   * sidecar injection, as its first journaled change, and removes it last.
   */
  readonly ownNamespace?: boolean
  /** The language of the progress lines (run --lang); English when absent. */
  readonly lang?: Lang
  /** The deadlines to use; TIMEOUTS unless overridden. */
  readonly timeouts?: Partial<Timeouts>
  /**
   * The serial run's base lab, when it has one: the apps are applied once for the whole run
   * and the scenario applies only what it adds (base-lab.ts).
   */
  readonly baseLab?: BaseLabRun
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  bookTiming: false,
  egress: 'hermetic',
  existingCluster: false,
}

/**
 * A scenario, declared once: who it is (id, title, book section, observation), the manifest
 * sets it applies (by name, in order), its checks (id, what it proves, hint), and its body. The
 * body's `lab` only accepts the declared check ids and set names, so a typo does not compile.
 */
export interface ScenarioDeclaration<C extends string, S extends string> {
  /** Stable: a CLI argument, a report key, compared between runs. Never rename one. */
  readonly id: string
  readonly title: string
  /** Section of "Istio in Action", chapter 5. */
  readonly section: string
  readonly observation: string
  /** Manifest sets in the order the body applies them; paths relative to manifests/. */
  readonly manifests: { readonly [K in S]: readonly string[] | ManifestSet }
  readonly checks: { readonly [K in C]: CheckDeclaration }
  /**
   * The mesh-wide state it changes (`touches`) or whose state its evidence depends on
   * (`observes`): scenarios that interfere never run at the same time. None when absent.
   */
  readonly footprint?: Partial<Footprint>
  /** What takes it time beyond its manifests and checks: for the plan's estimate (estimate.ts). */
  readonly waits: Waits
  /**
   * Objects of the base lab (`Kind/name`, e.g. `Deployment/catalog-v2`) that must not exist
   * while it runs: its body removes them (`lab.absent`). A serial run's base lab removes them
   * before the scenario starts and plans the order around them (base-lab.ts). None when absent.
   */
  readonly without?: readonly BaseObjectKey[]
  /**
   * The most requests per second of steady background load its body drives (lab.startLoad), for
   * the run's request budget (helpers/schedule/budget.ts); none when absent.
   */
  readonly loadRps?: number
  readonly run: (lab: Lab<C, S>, options: ScenarioOptions) => Promise<void>
}

export interface CheckSpec extends CheckDeclaration {
  readonly id: string
}

export interface NamedManifestSet extends ManifestSet {
  readonly name: string
}

/** The registry's view of a scenario: plain data plus its body. */
export interface ScenarioDefinition {
  readonly id: string
  readonly title: string
  readonly section: string
  readonly observation: string
  /** In declaration order. */
  readonly manifestSets: readonly NamedManifestSet[]
  /** In declaration order, which is the order results are reported in. */
  readonly checks: readonly CheckSpec[]
  readonly footprint: Footprint
  readonly waits: Waits
  readonly without: readonly BaseObjectKey[]
  /** Requests per second of steady load at most (0: none); see ScenarioDeclaration. */
  readonly loadRps: number
  // A method, so a definition typed for its own check ids fits the registry's list.
  run(lab: Lab, options: ScenarioOptions): Promise<void>
}

/** Every manifest file a scenario may apply, in order, each once. Pure. */
export function manifestFiles(definition: Pick<ScenarioDefinition, 'manifestSets'>): string[] {
  return [...new Set(definition.manifestSets.flatMap((s) => s.files))]
}

export function defineScenario<const C extends string, const S extends string>(
  declaration: ScenarioDeclaration<C, S>,
): ScenarioDefinition {
  const sets = declaration.manifests as Readonly<Record<string, readonly string[] | ManifestSet>>
  const checks = declaration.checks as Readonly<Record<string, CheckDeclaration>>
  return {
    id: declaration.id,
    title: declaration.title,
    section: declaration.section,
    observation: declaration.observation,
    manifestSets: Object.entries(sets).map(([name, set]) =>
      Array.isArray(set) ? { name, files: set as readonly string[] } : { name, ...(set as ManifestSet) },
    ),
    checks: Object.entries(checks).map(([id, c]) => ({
      id,
      proves: c.proves,
      hint: c.hint,
      design: c.design,
    })),
    footprint: {
      touches: declaration.footprint?.touches ?? NO_FOOTPRINT.touches,
      observes: declaration.footprint?.observes ?? NO_FOOTPRINT.observes,
    },
    waits: declaration.waits,
    without: declaration.without ?? [],
    loadRps: declaration.loadRps ?? 0,
    run: declaration.run as (lab: Lab, options: ScenarioOptions) => Promise<void>,
  }
}
