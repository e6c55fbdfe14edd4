import type { KubernetesObject } from '@kubernetes/client-node'
import type { ObjectRef } from '../kube/client.js'
import { loadManifest } from '../manifests/load.js'
import { intoNamespace } from '../manifests/namespace.js'
import { canonicalJson } from '../text/canonical-json.js'

/**
 * The base lab of a serial run: the apps every scenario builds on (catalog v1 and v2, webapp,
 * forum, their Services and ServiceAccounts), applied and rolled out once for the whole run
 * instead of once per scenario, and removed once at its end, as the Gateway API conformance
 * suite applies its base manifests once. Scenarios then apply only what they add: their Istio
 * objects, and a workload of their own (a canary revision).
 *
 * Only a serial run has one. Concurrent scenarios each run in a namespace of their own with
 * their own apps (run-concurrent.ts): a sidecar takes one VirtualService per host (istio/istio
 * 1.31 pilot/pkg/networking/core/httproute.go drops a later virtual host for a domain already
 * taken, "duplicate domain from virtual service") and looks DestinationRules up by its own
 * namespace first (pilot/pkg/model/push_context.go destinationRule), so scenarios sharing one
 * catalog would route each other's calls. In its namespace each applies the apps once, which
 * is the same thing at that scale.
 *
 * What a scenario needs is read from its declaration: the base Deployments whose files its
 * manifest sets name, and every other base object (Services, ServiceAccounts: the registry Istio
 * translates stays the same for every scenario, which is what the `@base-lab` goldens hold).
 * What it needs gone it declares in `without`. The plan applies a Deployment before the first
 * scenario that needs it, removes a `without` object before the scenario that declares it, and
 * the order puts scenarios that take away what others still need after them, so every base
 * workload rolls out once. Pure, but for BaseLabRun, the run's record of what is in place.
 */

/** The journal's owner of the base lab's changes: undone once, after every scenario's. */
export const BASE_LAB_OWNER = 'base-lab'

/** A base object by kind and name, e.g. `Deployment/catalog-v2`: the lab's namespace is implied. */
export type BaseObjectKey = `${string}/${string}`

/** Which manifest files make up the base lab (paths relative to manifests/). */
export interface BaseLabDefinition {
  readonly files: readonly string[]
}

/** What the base lab needs of a scenario: its id, the files it applies, what it needs gone. */
export interface BaseLabUser {
  readonly id: string
  readonly manifestSets: readonly { readonly files: readonly string[] }[]
  readonly without: readonly BaseObjectKey[]
}

export interface BaseObject {
  readonly key: BaseObjectKey
  readonly file: string
  readonly object: KubernetesObject
}

/** What the base lab does before one scenario. */
export interface BaseStep {
  readonly scenario: string
  /** Base objects it removes first (the scenario's `without`, where present). */
  readonly remove: readonly BaseObjectKey[]
  /** Base objects it applies (not in place yet, and needed). */
  readonly apply: readonly BaseObjectKey[]
  /**
   * Of `apply`, those an earlier scenario needed gone (`without`): something else may have made
   * an object of that name meanwhile (Flagger's Service catalog, owned by a Canary that is gone
   * and garbage-collected in the background), so it is deleted and waited for first.
   */
  readonly replace: readonly BaseObjectKey[]
  /** The base Deployments the scenario needs, ready before its body starts. */
  readonly ready: readonly string[]
}

export interface BasePlan {
  readonly order: readonly string[]
  readonly steps: readonly BaseStep[]
  /** How often the base lab rolls each base Deployment out in this order (`Deployment/name`). */
  readonly rollouts: Readonly<Record<string, number>>
}

export const keyOf = (o: { kind?: string; metadata?: { name?: string } }): BaseObjectKey =>
  `${o.kind ?? ''}/${o.metadata?.name ?? ''}`
export const refKey = (r: ObjectRef): BaseObjectKey => `${r.kind}/${r.name}`

/** The base lab's objects, each with the file it comes from, in the book's namespace. */
export function baseObjects(
  definition: BaseLabDefinition,
  load: (file: string) => readonly KubernetesObject[] = loadManifest,
): BaseObject[] {
  return definition.files.flatMap((file) =>
    load(file).map((object) => ({ key: keyOf(object), file, object })),
  )
}

const isWorkload = (o: BaseObject) => o.object.kind === 'Deployment'

/** The base objects a scenario needs in place. */
export function needsOf(user: BaseLabUser, base: readonly BaseObject[]): Set<BaseObjectKey> {
  const files = new Set(user.manifestSets.flatMap((s) => s.files))
  return new Set(
    base
      .filter((o) => (isWorkload(o) ? files.has(o.file) : true))
      .filter((o) => !user.without.includes(o.key))
      .map((o) => o.key),
  )
}

/** What is wrong with the declarations for a base lab: `without` naming no base object. Pure. */
export function baseLabProblems(users: readonly BaseLabUser[], base: readonly BaseObject[]): string[] {
  const keys = new Set(base.map((o) => o.key))
  return users.flatMap((u) =>
    u.without
      .filter((k) => !keys.has(k))
      .map((k) => `${u.id}: without names ${k}, which is not an object of the base lab`),
  )
}

/**
 * The run order for a base lab: the order given, with every scenario that removes an object
 * needed both before and after it moved to the end (stable), so the object is never applied
 * twice. Pure.
 */
export function orderForBaseLab<U extends BaseLabUser>(
  users: readonly U[],
  base: readonly BaseObject[],
): U[] {
  const order = [...users]
  for (const user of users) {
    const at = order.indexOf(user)
    const takesAway = (other: U) => user.without.some((k) => needsOf(other, base).has(k))
    if (order.slice(0, at).some(takesAway) && order.slice(at + 1).some(takesAway)) {
      order.splice(at, 1)
      order.push(user)
    }
  }
  return order
}

/** What the base lab does before each scenario, in this order, and how often each workload rolls out. Pure. */
export function planBaseLab(users: readonly BaseLabUser[], base: readonly BaseObject[]): BasePlan {
  const present = new Set<BaseObjectKey>()
  const removed = new Set<BaseObjectKey>()
  const rollouts: Record<string, number> = {}
  const steps = users.map((user): BaseStep => {
    const remove = user.without.filter((k) => present.has(k))
    for (const k of remove) present.delete(k)
    // Gone for this scenario, whether the base lab removed it or it was never applied: the
    // scenario may leave something of that name (Flagger does).
    for (const k of user.without) removed.add(k)
    const needed = needsOf(user, base)
    const apply = base.filter((o) => needed.has(o.key) && !present.has(o.key)).map((o) => o.key)
    const replace = apply.filter((k) => removed.has(k))
    for (const k of apply) {
      present.add(k)
      if (k.startsWith('Deployment/')) rollouts[k] = (rollouts[k] ?? 0) + 1
    }
    const ready = base
      .filter((o) => isWorkload(o) && needed.has(o.key))
      .map((o) => o.object.metadata?.name ?? '')
    return { scenario: user.id, remove, apply, replace, ready }
  })
  return { order: users.map((u) => u.id), steps, rollouts }
}

/**
 * A serial run's base lab while it runs: its plan for the run's scenarios, its objects in the
 * lab's namespace, and which of them it has put in place. The Lab makes the changes (journaled
 * under BASE_LAB_OWNER) and tells it; the run undoes them once, at its end.
 */
export class BaseLabRun {
  readonly plan: BasePlan
  private readonly objects: ReadonlyMap<BaseObjectKey, KubernetesObject>
  private readonly inPlace = new Set<BaseObjectKey>()

  constructor(
    readonly definition: BaseLabDefinition,
    users: readonly BaseLabUser[],
    readonly namespace: string,
    load: (file: string) => readonly KubernetesObject[] = loadManifest,
  ) {
    const base = baseObjects(definition, load)
    const problems = baseLabProblems(users, base)
    if (problems.length) throw new Error(problems.join('; '))
    this.plan = planBaseLab(users, base)
    this.objects = new Map(
      base.map((o) => {
        const [moved] = intoNamespace([o.object], namespace)
        return [o.key, moved as KubernetesObject]
      }),
    )
  }

  /** What to do before scenario `id`; throws for a scenario the run did not plan. */
  stepFor(id: string): BaseStep {
    const step = this.plan.steps.find((s) => s.scenario === id)
    if (!step) throw new Error(`the base lab has no step for ${id}: it was not planned for this run`)
    return step
  }

  /** A base object as the base lab applies it (in the lab's namespace). */
  objectOf(key: BaseObjectKey): KubernetesObject {
    const o = this.objects.get(key)
    if (!o) throw new Error(`${key} is not an object of the base lab`)
    return o
  }

  isBaseObject(ref: ObjectRef): boolean {
    return this.objects.has(refKey(ref)) && (ref.namespace ?? this.namespace) === this.namespace
  }

  /** Whether the base lab has put this object in place (and not removed it since). */
  isInPlace(ref: ObjectRef): boolean {
    return this.isBaseObject(ref) && this.inPlace.has(refKey(ref))
  }

  /** Whether the base lab holds this very object in place: a scenario need not apply it again. */
  holds(o: KubernetesObject): boolean {
    const key = keyOf(o)
    const mine = this.objects.get(key)
    return (
      mine !== undefined &&
      this.inPlace.has(key) &&
      (o.metadata?.namespace ?? '') === this.namespace &&
      canonicalJson(mine) === canonicalJson(o)
    )
  }

  placed(keys: readonly BaseObjectKey[]): void {
    for (const k of keys) this.inPlace.add(k)
  }

  removed(keys: readonly BaseObjectKey[]): void {
    for (const k of keys) this.inPlace.delete(k)
  }
}
