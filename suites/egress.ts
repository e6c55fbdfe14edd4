import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node'
import { withHostsEntry, withOutboundPolicy } from '../helpers/mesh-edits.js'
import type { ManifestSet } from '../helpers/runner/define.js'
import type { Lab } from '../helpers/runner/lab.js'

/**
 * The egress scenarios' lock-down step. On a cluster that is not the suite's own, its file (a
 * namespace Sidecar with REGISTRY_ONLY) is applied; on the suite's own cluster the mesh config
 * is edited instead, the way the lab does it.
 */
export const REGISTRY_ONLY: ManifestSet = {
  files: ['ch5/sidecar-registry-only.yaml'],
  outboundPolicy: 'REGISTRY_ONLY',
}

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
 * (istio-system/istio, key mesh); on a cluster that is not the suite's own, the declared
 * `registry-only` set (a namespace-scoped Sidecar), never touching mesh-wide config. Both are
 * undone at cleanup.
 */
export async function lockDownEgress(lab: Lab): Promise<void> {
  if (lab.options.existingCluster) {
    await lab.apply('registry-only')
    return
  }
  const mesh = await readConfigMap(lab, 'istio-system', 'istio')
  await lab.applyObjects([
    configMap('istio-system', 'istio', {
      ...mesh.data,
      mesh: withOutboundPolicy(mesh.data?.mesh ?? '', 'REGISTRY_ONLY'),
    }),
  ])
  lab.say('lab.meshConfig', { mode: 'REGISTRY_ONLY' })
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
  lab.say('lab.clusterDns', { host, address })
}
