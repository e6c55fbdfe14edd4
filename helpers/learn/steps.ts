import {
  type CanonicalObject,
  canonicalObject,
  type Difference,
  differences,
  STEP_KINDS,
  sidecarPolicy,
} from './normalize.js'
import { type LabSnapshot, type LiveObject, ownedByCanary } from './snapshot.js'

/**
 * The steps of chapter 5, and which one a cluster is at. A step is the state a scenario leaves
 * after applying one of its manifest sets (its sets applied in order from a clean namespace):
 * the Istio objects it holds, and whether outbound traffic is locked to the registry. The
 * registry's scenarios are the book's order, so `walkthrough` and `check` share one list. Pure.
 */

export interface StepScenario {
  readonly id: string
  readonly title: string
  readonly section: string
  readonly observation: string
}

/** A manifest set with its objects loaded (the CLI loads the files; this module reads none). */
export interface StepSetSource {
  readonly name: string
  readonly files: readonly string[]
  readonly outboundPolicy?: 'REGISTRY_ONLY'
  readonly objects: readonly LiveObject[]
}

export interface Step {
  /** scenario/set, e.g. edge-header-routing/cohort-to-v2. */
  readonly id: string
  readonly scenario: StepScenario
  readonly set: string
  /** Book order: the position in the registry, then in the scenario. */
  readonly order: number
  /** The files this set applies. */
  readonly files: readonly string[]
  /** Istio objects in place after this set (later sets replace earlier objects of the same name). */
  readonly objects: readonly CanonicalObject[]
  /** The Istio objects this set itself brings (what the step changes). */
  readonly added: readonly CanonicalObject[]
  readonly registryOnly: boolean
  /** Equal signatures mean equal states (a step some other scenario starts from). */
  readonly signature: string
}

const key = (o: { kind: string; name: string }) => `${o.kind}/${o.name}`
const signatureOf = (objects: readonly CanonicalObject[], registryOnly: boolean) =>
  JSON.stringify({ objects: [...objects].sort((a, b) => (key(a) < key(b) ? -1 : 1)), registryOnly })

/** The canonical Istio objects among a set's objects; a set that locks egress holds its policy instead. */
function istioObjects(set: StepSetSource, namespace: string): CanonicalObject[] {
  return set.objects
    .filter((o) => (STEP_KINDS as readonly string[]).includes(o.kind))
    .filter((o) => !(set.outboundPolicy && sidecarPolicy(o) !== undefined))
    .map((o) => canonicalObject(o, namespace))
    .filter((o): o is CanonicalObject => o !== undefined)
}

/** Every step of the given scenarios, in book order; a set that changes no Istio object is no step. */
export function buildSteps(
  scenarios: readonly { readonly scenario: StepScenario; readonly sets: readonly StepSetSource[] }[],
  namespace: string,
): Step[] {
  const steps: Step[] = []
  for (const { scenario, sets } of scenarios) {
    const inPlace = new Map<string, CanonicalObject>()
    let registryOnly = false
    for (const set of sets) {
      const added = istioObjects(set, namespace)
      for (const o of added) inPlace.set(key(o), o)
      registryOnly ||= set.outboundPolicy === 'REGISTRY_ONLY'
      if (added.length === 0 && set.outboundPolicy === undefined) continue
      const objects = [...inPlace.values()]
      steps.push({
        id: `${scenario.id}/${set.name}`,
        scenario,
        set: set.name,
        order: steps.length,
        files: set.files,
        objects,
        added,
        registryOnly,
        signature: signatureOf(objects, registryOnly),
      })
    }
  }
  return steps
}

/** The cluster's side of the comparison: its Istio objects and its outbound policy. */
export interface LiveState {
  readonly objects: readonly CanonicalObject[]
  readonly registryOnly: boolean
  /** Where REGISTRY_ONLY comes from, when it does: the mesh config or a namespace Sidecar. */
  readonly policySource: 'mesh' | 'sidecar' | undefined
}

/**
 * The learner's objects, without what Flagger generates for a Canary (owned by it) and with a
 * namespace Sidecar that only sets the outbound policy read as that policy, as the mesh config's.
 */
export function liveState(
  snapshot: Pick<LabSnapshot, 'objects' | 'meshOutboundPolicy' | 'namespace'>,
): LiveState {
  const sidecarOnly = snapshot.objects.filter((o) => sidecarPolicy(o) !== undefined)
  const bySidecar = sidecarOnly.some((o) => sidecarPolicy(o) === 'REGISTRY_ONLY')
  const byMesh = snapshot.meshOutboundPolicy === 'REGISTRY_ONLY'
  return {
    objects: snapshot.objects
      .filter((o) => !ownedByCanary(o) && sidecarPolicy(o) === undefined)
      .map((o) => canonicalObject(o, snapshot.namespace))
      .filter((o): o is CanonicalObject => o !== undefined),
    registryOnly: bySidecar || byMesh,
    policySource: byMesh ? 'mesh' : bySidecar ? 'sidecar' : undefined,
  }
}

export interface ObjectComparison {
  readonly kind: string
  readonly name: string
  readonly state: 'same' | 'differs' | 'missing'
  readonly differences: readonly Difference[]
}

export interface StepMatch {
  readonly step: Step
  readonly objects: readonly ObjectComparison[]
  /** The step locks egress and the cluster does not, or the other way round. */
  readonly policyDiffers: boolean
  /** Live objects the step does not hold that are some other step's, unchanged (left from it). */
  readonly leftovers: readonly string[]
  /** Live objects the step does not hold that are no step's as they are. */
  readonly unknown: readonly string[]
  readonly exact: boolean
  /** How far the cluster is from the step: what would have to change, weighted. */
  readonly cost: number
}

export type Recognition =
  | { readonly kind: 'exact'; readonly match: StepMatch; readonly sameAs: readonly Step[] }
  | { readonly kind: 'none'; readonly closest: StepMatch | undefined }

const sameObject = (a: CanonicalObject, b: CanonicalObject) =>
  a.kind === b.kind && a.name === b.name && JSON.stringify(a.spec) === JSON.stringify(b.spec)

/** How the cluster compares with one step. `known` is every object of every step. */
export function compareStep(step: Step, live: LiveState, known: readonly CanonicalObject[]): StepMatch {
  const objects = step.objects.map((o): ObjectComparison => {
    const mine = live.objects.find((l) => l.kind === o.kind && l.name === o.name)
    if (!mine) return { kind: o.kind, name: o.name, state: 'missing', differences: [] }
    const diffs = differences(mine.spec, o.spec)
    return { kind: o.kind, name: o.name, state: diffs.length ? 'differs' : 'same', differences: diffs }
  })
  const extras = live.objects.filter((l) => !step.objects.some((o) => o.kind === l.kind && o.name === l.name))
  const leftovers = extras.filter((l) => known.some((k) => sameObject(k, l))).map(key)
  const unknown = extras.filter((l) => !known.some((k) => sameObject(k, l))).map(key)
  // A step that does not lock egress still holds when egress is locked (a later step's state).
  const policyDiffers = step.registryOnly && !live.registryOnly
  const exact = objects.every((o) => o.state === 'same') && !policyDiffers && unknown.length === 0
  const cost =
    objects.reduce((sum, o) => sum + (o.state === 'missing' ? 2 : o.differences.length), 0) +
    unknown.length * 2 +
    (policyDiffers ? 2 : 0)
  return { step, objects, policyDiffers, leftovers, unknown, exact, cost }
}

const sameCount = (m: StepMatch) => m.objects.filter((o) => o.state === 'same').length

/**
 * The step the cluster is at. Among the steps whose every object the cluster holds as the book
 * has it (with nothing unknown besides), the one holding the most objects decides (a later step
 * holds an earlier one's objects): if it also locks egress as the cluster does, that is the step
 * (ties: the one whose egress matches, the fewest leftovers, the later one; of steps with the
 * same state, the first in the book, naming the others); if it needs a lock-down the cluster
 * lacks, the cluster is at no step and that one is the closest. Otherwise the closest step: the
 * fewest changes to reach it, then nothing to delete, then the most objects already right, then
 * the earlier one (the step to do next).
 */
export function recognise(steps: readonly Step[], live: LiveState): Recognition {
  const known = steps.flatMap((s) => s.objects)
  const matches = steps.map((s) => compareStep(s, live, known))
  const holding = matches
    .filter((m) => m.objects.every((o) => o.state === 'same') && m.unknown.length === 0)
    .sort(
      (a, b) =>
        b.step.objects.length - a.step.objects.length ||
        Number(a.policyDiffers) - Number(b.policyDiffers) ||
        Number(b.step.registryOnly === live.registryOnly) -
          Number(a.step.registryOnly === live.registryOnly) ||
        a.leftovers.length - b.leftovers.length ||
        b.step.order - a.step.order,
    )
  const top = holding[0]
  if (top && !top.policyDiffers) {
    // Of steps with the same state, the first in the book is named; the others are the same.
    const twins = holding.filter((m) => m.exact && m.step.signature === top.step.signature)
    const best = twins.reduce((a, b) => (b.step.order < a.step.order ? b : a))
    const sameAs = twins.map((m) => m.step).filter((s) => s !== best.step)
    return { kind: 'exact', match: best, sameAs }
  }
  if (top) return { kind: 'none', closest: top }
  const closest = [...matches].sort(
    (a, b) =>
      a.cost - b.cost ||
      a.unknown.length - b.unknown.length ||
      sameCount(b) - sameCount(a) ||
      a.step.order - b.step.order,
  )[0]
  return { kind: 'none', closest }
}
