import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node'
import { withHostsEntry, withOutboundPolicy } from '../helpers/mesh-edits.js'
import type { Lab } from '../helpers/runner/lab.js'
import type { ScenarioOptions } from '../helpers/runner/scenario.js'

const configMap = (namespace: string, name: string, data: Record<string, string>): KubernetesObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data }) as KubernetesObject

async function readConfigMap(lab: Lab, namespace: string, name: string): Promise<V1ConfigMap> {
  const cm = (await lab.cluster.read({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace })) as
    | V1ConfigMap
    | undefined
  if (!cm?.data) throw new Error(`ConfigMap ${namespace}/${name} not found`)
  return cm
}

/**
 * 5.5 REGISTRY_ONLY. On the suite's own cluster the way the lab does it, in the mesh config
 * (istio-system/istio, key mesh); on a cluster that is not the suite's own, a namespace-scoped
 * Sidecar instead, never touching mesh-wide config. Both are undone at cleanup.
 */
export async function lockDownEgress(lab: Lab, options: ScenarioOptions): Promise<void> {
  if (options.existingCluster) {
    await lab.apply('ch5/sidecar-registry-only.yaml')
    return
  }
  const mesh = await readConfigMap(lab, 'istio-system', 'istio')
  await lab.applyObjects([
    configMap('istio-system', 'istio', {
      ...mesh.data,
      mesh: withOutboundPolicy(mesh.data?.mesh ?? '', 'REGISTRY_ONLY'),
    }),
  ])
  lab.log('mesh config: outboundTrafficPolicy.mode REGISTRY_ONLY')
}

/** Answers `host` with `address` from the cluster DNS (a CoreDNS hosts entry), undone at cleanup. */
export async function pointDnsAt(lab: Lab, host: string, address: string): Promise<void> {
  const coredns = await readConfigMap(lab, 'kube-system', 'coredns')
  await lab.applyObjects([
    configMap('kube-system', 'coredns', {
      ...coredns.data,
      Corefile: withHostsEntry(coredns.data?.Corefile ?? '', address, host),
    }),
  ])
  lab.log(`cluster DNS: ${host} -> ${address}`)
}
