import { type V1Deployment, type V1Namespace, type V1Service, VersionApi } from '@kubernetes/client-node'
import type { KubeClient } from '../helpers/kube/client.js'
import { deploymentRollout } from '../helpers/kube/readiness.js'
import {
  APPS_NAMESPACE,
  COMPONENTS,
  type HealthObservations,
  PROFILE_RECORD,
  type ProfileRecord,
} from './health.js'
import type { ClusterApi } from './up.js'

const RECORD_KEYS = ['profile', 'istio', 'kubernetes', 'nodeImage', 'flagger', 'createdAt'] as const

/** A ProfileRecord from a ConfigMap's data, or undefined when a field is missing. Pure. */
export function recordFromData(
  data: Readonly<Record<string, string>> | undefined,
): ProfileRecord | undefined {
  if (!data || RECORD_KEYS.some((k) => typeof data[k] !== 'string')) return undefined
  const fields = Object.fromEntries(RECORD_KEYS.map((k) => [k, data[k]])) as unknown as ProfileRecord
  return typeof data.cluster === 'string' ? { cluster: data.cluster, ...fields } : fields
}

/** The cluster API side of `up`, over the suite's KubeClient. */
export function createClusterApi(client: KubeClient): ClusterApi {
  return {
    async serverVersion() {
      return (await client.kubeConfig.makeApiClient(VersionApi).getCode()).gitVersion
    },
    async readRecord() {
      return recordFromData((await client.configMap(PROFILE_RECORD.namespace, PROFILE_RECORD.name))?.data)
    },
    async writeRecord(record) {
      await client.apply([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: PROFILE_RECORD.name, namespace: PROFILE_RECORD.namespace },
          data: { ...record },
        } as import('@kubernetes/client-node').KubernetesObject,
      ])
    },
    async applyYaml(text) {
      await client.applyYaml(text)
    },
    waitForDeployments: (namespace, names, timeoutMs) =>
      client.waitForDeployments(namespace, names, timeoutMs),
    async observeHealth(): Promise<HealthObservations> {
      const deployments: Record<string, { ready: boolean; state: string } | undefined> = {}
      for (const name of COMPONENTS) {
        const d = await client.read<V1Deployment>({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name,
          namespace: 'istio-system',
        })
        deployments[name] = d ? deploymentRollout(d) : undefined
      }
      const svc = await client.read<V1Service>({
        apiVersion: 'v1',
        kind: 'Service',
        name: 'istio-ingressgateway',
        namespace: 'istio-system',
      })
      const ns = await client.read<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: APPS_NAMESPACE })
      return {
        deployments,
        ...(svc
          ? {
              ingressService: {
                type: svc.spec?.type ?? 'ClusterIP',
                ports: (svc.spec?.ports ?? []).map((p) => ({
                  name: p.name ?? '',
                  ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
                })),
              },
            }
          : {}),
        ...(ns ? { namespaceLabels: ns.metadata?.labels ?? {} } : {}),
      }
    },
  }
}
