/**
 * What `check` reads from a learner's cluster, as plain data: the lab namespace, its Istio
 * objects, its pods and Services, the ingress gateway, the mesh's outbound policy. The reader
 * (an adapter) fills it through a read-only client; everything that decides works on this. Pure.
 */

/** An Istio (or Flagger) object as the API returns it; only kind, metadata and spec are read. */
export interface LiveObject {
  readonly apiVersion?: string
  readonly kind: string
  readonly metadata: {
    readonly name: string
    readonly namespace?: string
    readonly ownerReferences?: readonly { readonly kind?: string; readonly name?: string }[]
  }
  readonly spec?: unknown
  readonly status?: unknown
}

export interface PodFacts {
  readonly name: string
  readonly namespace: string
  readonly labels: Readonly<Record<string, string>>
  /** Regular containers, and init containers (Istio's native sidecar runs as one). */
  readonly containers: readonly string[]
  readonly initContainers: readonly string[]
  /** Environment values set literally, per container (SHOW_IMAGE makes catalog answer as v2). */
  readonly env: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly phase: string
  readonly ready: boolean
}

export interface ServiceFacts {
  readonly name: string
  readonly namespace: string
  readonly type: string
  readonly selector: Readonly<Record<string, string>>
  readonly labels: Readonly<Record<string, string>>
  readonly ports: readonly {
    readonly name?: string
    readonly port: number
    readonly targetPort?: number | string
    readonly nodePort?: number
  }[]
}

export interface LabSnapshot {
  readonly namespace: string
  /** The namespace's labels; undefined when it does not exist. */
  readonly namespaceLabels: Readonly<Record<string, string>> | undefined
  /** VirtualService, DestinationRule, Gateway, ServiceEntry, Sidecar, Telemetry, Canary in the namespace. */
  readonly objects: readonly LiveObject[]
  readonly pods: readonly PodFacts[]
  readonly services: readonly ServiceFacts[]
  /** Pods in any namespace that a Gateway's selector matches, keyed by the selector text (k=v,k=v). */
  readonly gatewayPods: Readonly<Record<string, readonly PodFacts[]>>
  /** Services in any namespace selecting the ingress gateway pods (for its node port). */
  readonly ingressServices: readonly ServiceFacts[]
  /** meshConfig.outboundTrafficPolicy.mode from istio-system/istio; undefined when unreadable. */
  readonly meshOutboundPolicy: string | undefined
  readonly istioVersion: string
}

/** Label selector text as kubectl writes it: k=v joined by commas, keys sorted. */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
}

export const matchesLabels = (
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>>,
): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v)

/** Whether a pod runs Istio's proxy: a container, or a native-sidecar init container, named istio-proxy. */
export const hasProxy = (pod: PodFacts): boolean =>
  pod.containers.includes('istio-proxy') || pod.initContainers.includes('istio-proxy')

/**
 * What catalog answers as: v2 when SHOW_IMAGE is set to anything non-empty in its container
 * (the book's services/catalog: items carry imageUrl), else v1. Other apps: undefined.
 */
export function catalogVersionOf(pod: PodFacts): 'v1' | 'v2' {
  const env = pod.env.catalog ?? Object.values(pod.env)[0] ?? {}
  return env.SHOW_IMAGE ? 'v2' : 'v1'
}

/** Objects Flagger generates for a Canary (their owner is the Canary): not the learner's. */
export const ownedByCanary = (o: LiveObject): boolean =>
  (o.metadata.ownerReferences ?? []).some((r) => r.kind === 'Canary')
