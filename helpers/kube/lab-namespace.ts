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
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
]

/** One object found in the namespace. */
export interface NamespaceObject {
  readonly kind: string
  readonly name: string
  /** It has ownerReferences: made by a controller from another object (a Deployment's pods). */
  readonly owned: boolean
  /** A Secret's type. */
  readonly type?: string
}

/** What was read about the namespace. */
export interface LabNamespaceFacts {
  readonly namespace: string
  /** Its labels, or undefined when it does not exist. */
  readonly labels: Readonly<Record<string, string>> | undefined
  readonly objects: readonly NamespaceObject[]
  /** Kinds that could not be listed (other than not being served), with why. */
  readonly unlisted: readonly string[]
}

/**
 * What Kubernetes and Istio put in every namespace: the default ServiceAccount (and its token
 * Secret before Kubernetes 1.24), the root CA bundles kube-controller-manager and istiod
 * publish (kube-root-ca.crt, istio-ca-root-cert).
 */
export function isNamespaceDefault(o: NamespaceObject): boolean {
  if (o.kind === 'ServiceAccount') return o.name === 'default'
  if (o.kind === 'ConfigMap') return o.name === 'kube-root-ca.crt' || o.name === 'istio-ca-root-cert'
  if (o.kind === 'Secret')
    return o.type === 'kubernetes.io/service-account-token' && o.name.startsWith('default-token-')
  return false
}

/** Objects someone created in the namespace: neither made by a controller nor put there by Kubernetes or Istio. */
export const foreignObjects = (objects: readonly NamespaceObject[]): NamespaceObject[] =>
  objects.filter((o) => !o.owned && !isNamespaceDefault(o))

/** Whether pods started in the namespace get an istio-proxy (istio-injection=enabled, or a revision label). */
export function injectsSidecars(labels: Readonly<Record<string, string>>): boolean {
  if (labels['istio-injection'] === 'disabled') return false
  return labels['istio-injection'] === 'enabled' || Boolean(labels['istio.io/rev'])
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
