import type { V1ConfigMap, V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node'
import { ISTIOD_REF, istiodFacts } from '../../istiod.js'
import { chooseApiVersion } from '../../kube/api-versions.js'
import { isNotFound, type KubeClient } from '../../kube/client.js'
import type { LabSnapshot, LiveObject, PodFacts, ServiceFacts } from '../../learn/snapshot.js'
import { selectorText } from '../../learn/snapshot.js'
import { outboundPolicyOf } from '../../mesh-edits.js'

/**
 * Reads what `check` judges from a learner's cluster, with GETs only (the client given is the
 * read-only one): the lab namespace and its Istio and Flagger objects, pods and Services, the
 * pods each Gateway selects (in any namespace, as istiod matches them), the ingress Service,
 * the mesh's outbound policy and istiod's version. A kind the cluster does not serve reads as
 * none; anything else that fails stops the read (the command says it cannot tell).
 */

const ISTIO_KINDS: readonly [group: string, kind: string][] = [
  ['networking.istio.io', 'Gateway'],
  ['networking.istio.io', 'VirtualService'],
  ['networking.istio.io', 'DestinationRule'],
  ['networking.istio.io', 'ServiceEntry'],
  ['networking.istio.io', 'Sidecar'],
  ['telemetry.istio.io', 'Telemetry'],
]
const CANARY_API = 'flagger.app/v1beta1'
export const INGRESS_SELECTOR = 'istio=ingressgateway'

function podFacts(p: V1Pod): PodFacts {
  const env: Record<string, Record<string, string>> = {}
  for (const c of p.spec?.containers ?? [])
    env[c.name] = Object.fromEntries(
      (c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
    )
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? '',
    labels: p.metadata?.labels ?? {},
    containers: (p.spec?.containers ?? []).map((c) => c.name),
    initContainers: (p.spec?.initContainers ?? []).map((c) => c.name),
    env,
    phase: p.status?.phase ?? 'Unknown',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  }
}

function serviceFacts(s: V1Service): ServiceFacts {
  return {
    name: s.metadata?.name ?? '',
    namespace: s.metadata?.namespace ?? '',
    type: s.spec?.type ?? 'ClusterIP',
    selector: s.spec?.selector ?? {},
    labels: s.metadata?.labels ?? {},
    ports: (s.spec?.ports ?? []).map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: p.port,
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
      ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
    })),
  }
}

/** A list that is empty where the kind is not served (a 404), e.g. no Flagger installed. */
async function listOrNone(client: KubeClient, apiVersion: string, kind: string, namespace: string) {
  try {
    return await client.list(apiVersion, kind, namespace)
  } catch (error) {
    if (isNotFound(error) || /not found|unable to find|no kind/i.test(String(error))) return []
    throw error
  }
}

export async function readSnapshot(client: KubeClient, namespace: string): Promise<LabSnapshot> {
  let namespaceLabels: Record<string, string> | undefined
  try {
    namespaceLabels = (await client.core.readNamespace({ name: namespace })).metadata?.labels ?? {}
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  // istio-system may be closed to a learner: the version is then unknown, not a failure.
  const istiod = istiodFacts(await client.read<V1Deployment>(ISTIOD_REF).catch(() => undefined))
  const mesh = await client
    .read<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' })
    .catch(() => undefined)
  const empty = {
    namespace,
    objects: [],
    pods: [],
    services: [],
    gatewayPods: {},
    ingressServices: [],
    meshOutboundPolicy: mesh?.data?.mesh === undefined ? undefined : outboundPolicyOf(mesh.data.mesh),
    istioVersion: istiod.version,
  }
  if (namespaceLabels === undefined) return { ...empty, namespaceLabels }

  const served = await client.servedKinds()
  const objects: LiveObject[] = []
  for (const [group, kind] of ISTIO_KINDS) {
    const apiVersion = chooseApiVersion(served, group, kind)
    if (!apiVersion) continue
    for (const o of await listOrNone(client, apiVersion, kind, namespace))
      objects.push({ ...(o as LiveObject), apiVersion, kind })
  }
  for (const o of await listOrNone(client, CANARY_API, 'Canary', namespace))
    objects.push({ ...(o as LiveObject), apiVersion: CANARY_API, kind: 'Canary' })

  const pods = (await client.core.listNamespacedPod({ namespace })).items.map(podFacts)
  const services = (await client.core.listNamespacedService({ namespace })).items.map(serviceFacts)
  const selectors = new Set([INGRESS_SELECTOR])
  for (const gw of objects.filter((o) => o.kind === 'Gateway'))
    selectors.add(
      selectorText((gw.spec as { selector?: Record<string, string> } | undefined)?.selector ?? {}),
    )
  const gatewayPods: Record<string, PodFacts[]> = {}
  for (const labelSelector of selectors) {
    // An empty selector would select every pod of the cluster; a Gateway without one serves nothing useful.
    gatewayPods[labelSelector] = labelSelector
      ? (await client.core.listPodForAllNamespaces({ labelSelector })).items
          .map(podFacts)
          .filter((p) => p.phase === 'Running')
      : []
  }
  const ingressServices = (
    await client.core.listServiceForAllNamespaces({ labelSelector: INGRESS_SELECTOR })
  ).items.map(serviceFacts)
  return { ...empty, namespaceLabels, objects, pods, services, gatewayPods, ingressServices }
}
