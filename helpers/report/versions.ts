import type { V1ConfigMap, V1Deployment, V1Pod } from '@kubernetes/client-node'
import { ISTIOD_REF, istiodFacts, istioVersionOfImage } from '../istiod.js'
import type { KubeClient } from '../kube/client.js'
import type { DetectedVersions } from './model.js'

/** The tag of an image reference, without registry or digest: docker.io/istio/proxyv2:1.17.8 -> 1.17.8. Pure. */
export function imageTag(image: string | undefined): string {
  if (!image) return 'unknown'
  const noDigest = image.split('@')[0] ?? ''
  const last = noDigest.split('/').at(-1) ?? ''
  return last.includes(':') ? (last.split(':').at(-1) ?? 'unknown') : 'latest'
}

/**
 * The istio-proxy image of a pod: a regular container, or a native sidecar (an init container
 * with restartPolicy Always), which Istio 1.27+ injects on Kubernetes >= 1.33
 * (istio/istio pkg/kube/inject/webhook.go DetectNativeSidecar). Pure.
 */
export function proxyImageOf(pod: V1Pod): string | undefined {
  const spec = pod.spec
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].find((c) => c.name === 'istio-proxy')
    ?.image
}

/** Reads the versions the cluster runs. Every read is optional: a missing component reads 'absent'. */
export async function detectVersions(
  client: KubeClient,
  kubernetes: string,
  /** Where `up` records how it built the cluster (its node image among it). */
  profileRecord: { readonly namespace: string; readonly name: string },
  namespace = 'istioinaction',
): Promise<DetectedVersions> {
  const deployment = (name: string) =>
    client
      .read<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: 'istio-system' })
      .catch(() => undefined)
  const [istiod, gateway, flagger, record, pods] = await Promise.all([
    client.read<V1Deployment>(ISTIOD_REF).catch(() => undefined),
    deployment('istio-ingressgateway'),
    deployment('flagger'),
    client
      .read<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', ...profileRecord })
      .catch(() => undefined),
    client.core.listNamespacedPod({ namespace }).catch(() => undefined),
  ])
  const image = (d: V1Deployment | undefined) => d?.spec?.template.spec?.containers[0]?.image
  const proxies = new Set<string>()
  if (gateway) proxies.add(istioVersionOfImage(image(gateway)))
  for (const pod of pods?.items ?? []) {
    const proxy = proxyImageOf(pod)
    if (proxy) proxies.add(istioVersionOfImage(proxy))
  }
  return {
    kubernetes,
    istioControlPlane: istiod ? istiodFacts(istiod).version : 'absent',
    istioProxies: [...proxies].sort(),
    flagger: flagger ? imageTag(image(flagger)) : 'absent',
    nodeImage: record?.data?.nodeImage ?? 'unknown (not the suite cluster)',
  }
}
