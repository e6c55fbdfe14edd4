/**
 * Whether a namespace may hold the lab (`run --namespace NAME`, default istioinaction), decided
 * before anything is changed. Pure: the facts come from helpers/kube/inventory.ts.
 *
 * - It must exist and have sidecar injection: the suite never creates or labels a namespace
 *   (on a cluster that is not its own that is not its to do; on its own, `up` made istioinaction).
 * - On a cluster that is not the suite's own, it must hold nothing the suite did not create,
 *   unless the user adopts it (--adopt-namespace): a staging namespace's workloads are never
 *   touched by accident. What the suite changes in an adopted namespace is journaled with its
 *   state before and restored afterwards; the rest is left alone.
 */

import type { KubernetesObject } from '@kubernetes/client-node'

/** The kinds looked for: workloads, what routes traffic to them, and what the suite applies. */
export const NAMESPACE_INVENTORY: readonly { readonly apiVersion: string; readonly kind: string }[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService' },
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'DestinationRule' },
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'Gateway' },
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'ServiceEntry' },
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'Sidecar' },
  { apiVersion: 'networking.istio.io/v1beta1', kind: 'WorkloadEntry' },
  { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter' },
  { apiVersion: 'security.istio.io/v1beta1', kind: 'AuthorizationPolicy' },
  { apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication' },
  { apiVersion: 'security.istio.io/v1beta1', kind: 'RequestAuthentication' },
  { apiVersion: 'telemetry.istio.io/v1alpha1', kind: 'Telemetry' },
  { apiVersion: 'flagger.app/v1beta1', kind: 'Canary' },
  // Gateway API routes at both versions clusters serve (v1beta1 before Gateway API 1.0); an
  // object served at both is one object (readLabNamespace keeps it once).
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
  { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'HTTPRoute' },
]

/** One object found in the namespace. */
export interface NamespaceObject {
  readonly kind: string
  readonly name: string
  /** Its ownerReferences: the objects a controller made it from (a Deployment's ReplicaSets, their pods). */
  readonly owners: readonly { readonly kind: string; readonly name: string }[]
  readonly labels?: Readonly<Record<string, string>>
  /** A Secret's type. */
  readonly type?: string
  /** A service-account token Secret's ServiceAccount (annotation kubernetes.io/service-account.name). */
  readonly serviceAccount?: string
}

/** What was read about the namespace. */
export interface LabNamespaceFacts {
  readonly namespace: string
  /** Its labels, or undefined when it does not exist. */
  readonly labels: Readonly<Record<string, string>> | undefined
  readonly objects: readonly NamespaceObject[]
  /** Kinds that could not be listed (other than not being served), with why. */
  readonly unlisted: readonly string[]
  /** Why the namespace itself could not be read (forbidden): then nothing else is known. */
  readonly unreadable?: string
}

/**
 * What Kubernetes and Istio put in every namespace:
 * - the `default` ServiceAccount (kubernetes/kubernetes pkg/controller/serviceaccount,
 *   serviceaccounts_controller.go) and, before Kubernetes 1.24, its token Secret
 *   (tokens_controller.go; annotation kubernetes.io/service-account.name);
 * - `kube-root-ca.crt` (pkg/controller/certificates/rootcacertpublisher/publisher.go);
 * - istiod's ConfigMaps, labelled istio.io/config=true (istio/istio
 *   pilot/pkg/serviceregistry/kube/controller/namespacecontroller.go): `istio-ca-root-cert`, and
 *   from 1.27 `istio-ca-crl` (PILOT_ENABLE_CA_CRL, on by default; pilot/pkg/features); their
 *   names can be changed (PILOT_CA_CERT_CONFIGMAP, PILOT_CRL_CONFIGMAP), the label cannot.
 */
export function isNamespaceDefault(o: NamespaceObject): boolean {
  if (o.kind === 'ServiceAccount') return o.name === 'default'
  if (o.kind === 'ConfigMap')
    return (
      o.name === 'kube-root-ca.crt' ||
      o.labels?.['istio.io/config'] === 'true' ||
      o.name === 'istio-ca-root-cert' ||
      o.name === 'istio-ca-crl'
    )
  if (o.kind === 'Secret')
    return o.type === 'kubernetes.io/service-account-token' && o.serviceAccount === 'default'
  return false
}

/**
 * Objects someone created in the namespace: neither put there by Kubernetes or Istio nor made by
 * a controller from an object that is itself in the namespace's inventory. An object owned by
 * something the inventory does not list (an Argo Rollout's ReplicaSet, a cert-manager
 * Certificate's Secret) stands for its owner, which is someone's: it is named by that owner.
 */
export function foreignObjects(objects: readonly NamespaceObject[]): NamespaceObject[] {
  const listed = new Set(objects.map((o) => `${o.kind}/${o.name}`))
  const out = new Map<string, NamespaceObject>()
  for (const o of objects) {
    if (isNamespaceDefault(o)) continue
    if (o.owners.length === 0) {
      out.set(`${o.kind}/${o.name}`, o)
      continue
    }
    for (const owner of o.owners)
      if (!listed.has(`${owner.kind}/${owner.name}`))
        out.set(`${owner.kind}/${owner.name}`, { kind: owner.kind, name: owner.name, owners: [] })
  }
  return [...out.values()]
}

/** Whether pods started in the namespace get an istio-proxy (istio-injection=enabled, or a revision label). */
export function injectsSidecars(labels: Readonly<Record<string, string>>): boolean {
  // Istio's injection webhooks (istio/istio manifests/charts/istio-control/istio-discovery/
  // templates/mutatingwebhook.yaml): the default revision's selects istio-injection=enabled;
  // a revision's selects istio.io/rev=<rev> only where istio-injection does not exist. So the
  // legacy label, whatever its value, decides when it is there.
  if ('istio-injection' in labels) return labels['istio-injection'] === 'enabled'
  return Boolean(labels['istio.io/rev'])
}

export interface LabNamespaceVerdict {
  /** Why the run may not use the namespace, and what to do; absent when it may. */
  readonly refusal?: { readonly cause: string; readonly fix: string }
  /** Objects of others the run goes ahead beside (--adopt-namespace). */
  readonly adopted: readonly string[]
}

const SHOWN = 8
const list = (names: readonly string[]): string =>
  names.length > SHOWN
    ? `${names.slice(0, SHOWN).join(', ')} and ${names.length - SHOWN} more`
    : names.join(', ')

/** Decides, from the facts, whether the lab may live in the namespace. */
export function judgeLabNamespace(
  facts: LabNamespaceFacts,
  options: { readonly existingCluster: boolean; readonly adopt: boolean; readonly context: string },
): LabNamespaceVerdict {
  const { namespace } = facts
  const kubectl = `kubectl --context ${options.context}`
  if (facts.unreadable)
    return {
      refusal: {
        cause: `cannot read namespace ${namespace} on context ${options.context}: ${facts.unreadable}`,
        fix: `grant get on namespaces/${namespace} (the run reads its labels to know that sidecars are injected), or name a namespace you can read with --namespace`,
      },
      adopted: [],
    }
  if (!facts.labels)
    return {
      refusal: {
        cause: `namespace ${namespace} does not exist on context ${options.context}`,
        fix: `create it with sidecar injection: ${kubectl} create namespace ${namespace} && ${kubectl} label namespace ${namespace} istio-injection=enabled (or istio.io/rev=<revision>)`,
      },
      adopted: [],
    }
  if (!injectsSidecars(facts.labels))
    return {
      refusal: {
        cause: `namespace ${namespace} has no sidecar injection (neither istio-injection=enabled nor istio.io/rev), so the apps would run without istio-proxy`,
        fix: `${kubectl} label namespace ${namespace} istio-injection=enabled (or istio.io/rev=<revision>), or name another namespace with --namespace`,
      },
      adopted: [],
    }
  if (!options.existingCluster) return { adopted: [] }
  const foreign = foreignObjects(facts.objects).map((o) => `${o.kind}/${o.name}`)
  if (options.adopt) return { adopted: foreign }
  if (foreign.length > 0)
    return {
      refusal: {
        cause: `namespace ${namespace} holds ${foreign.length} object${foreign.length === 1 ? '' : 's'} the suite did not create: ${list(foreign)}`,
        fix: `name an empty namespace with --namespace NAME, or add --adopt-namespace to run beside them (what the suite changes there is journaled and restored; nothing else is touched)`,
      },
      adopted: [],
    }
  if (facts.unlisted.length > 0)
    return {
      refusal: {
        cause: `cannot tell whether namespace ${namespace} holds objects of others: ${list(facts.unlisted)}`,
        fix: 'grant list on those kinds in the namespace, or add --adopt-namespace to run without this check',
      },
      adopted: [],
    }
  return { adopted: [] }
}

/**
 * The namespace a scenario is about to create for itself (scenarios running concurrently):
 * absent (create it), on its way out (wait until it is gone: a namespace being deleted refuses
 * new objects), or there (someone's: the suite never takes over a namespace; an interrupted
 * run's own was undone from the journal before this run started). Pure.
 */
export type OwnNamespaceState = 'absent' | 'terminating' | 'taken'

export function ownNamespaceState(namespace: KubernetesObject | undefined): OwnNamespaceState {
  if (!namespace) return 'absent'
  const phase = (namespace as { status?: { phase?: string } }).status?.phase
  return namespace.metadata?.deletionTimestamp || phase === 'Terminating' ? 'terminating' : 'taken'
}

/** Why a run refuses namespaces it would create that already exist, and the way on. */
export function ownNamespacesTaken(names: readonly string[]): { cause: string; fix: string } {
  return {
    cause: `namespace ${names.join(', ')} already exists: scenarios running concurrently each create their own, and the suite never takes over one it did not create`,
    fix: `delete ${names.length > 1 ? 'them' : 'it'} if nothing of yours is there (kubectl delete namespace ${names.join(' ')}), or run --serial`,
  }
}
