import type { KubernetesObject } from '@kubernetes/client-node'
import { stringify } from 'yaml'
import { chooseApiVersion } from '../kube/api-versions.js'
import type { KubeClient } from '../kube/client.js'
import type { DiagnosticsSource } from './diagnostics.js'

/** The kinds whose state explains a routing failure. */
const KINDS: readonly [group: string, kind: string][] = [
  ['networking.istio.io', 'VirtualService'],
  ['networking.istio.io', 'DestinationRule'],
  ['networking.istio.io', 'Gateway'],
  ['networking.istio.io', 'ServiceEntry'],
  ['networking.istio.io', 'Sidecar'],
  ['telemetry.istio.io', 'Telemetry'],
]

/** Diagnostics read from the cluster through the suite's client. */
export function clusterDiagnostics(client: KubeClient): DiagnosticsSource {
  return {
    async istioResources(namespace) {
      const served = await client.servedKinds()
      const docs: string[] = []
      const kinds = [
        ...KINDS.map(([g, k]) => [chooseApiVersion(served, g, k), k] as const),
        ['flagger.app/v1beta1', 'Canary'] as const,
      ]
      for (const [apiVersion, kind] of kinds) {
        if (!apiVersion) continue
        const list = await client
          .list(apiVersion, kind, namespace)
          .catch((e: unknown) => [{ kind, error: String(e) }] as unknown as KubernetesObject[])
        for (const obj of list) {
          // List items come without apiVersion and kind; put them first, as manifests read.
          const {
            apiVersion: _v,
            kind: _k,
            metadata: rawMetadata,
            ...rest
          } = obj as KubernetesObject & Record<string, unknown>
          const { managedFields: _m, ...metadata } = (rawMetadata ?? {}) as Record<string, unknown>
          docs.push(stringify({ apiVersion, kind, metadata, ...rest }))
        }
      }
      return docs.join('---\n') || '# no Istio or Flagger resources in the namespace\n'
    },
    async proxyRoutes(namespace, labelSelector) {
      const pods = await client.core.listNamespacedPod({ namespace, labelSelector })
      const pod = pods.items.find((p) => p.status?.phase === 'Running')?.metadata?.name
      if (!pod) throw new Error(`no running pod matches ${labelSelector} in ${namespace}`)
      const r = await client.exec(namespace, pod, 'istio-proxy', [
        'pilot-agent',
        'request',
        'GET',
        'config_dump',
      ])
      const dump = JSON.parse(r.stdout) as { configs?: { '@type'?: string }[] }
      const routes = (dump.configs ?? []).filter((c) => String(c['@type']).endsWith('RoutesConfigDump'))
      return `${JSON.stringify({ pod, configs: routes }, null, 2)}\n`
    },
    async events(namespace) {
      const list = await client.core.listNamespacedEvent({ namespace })
      return list.items
        .map((e) => ({
          at: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).toISOString(),
          e,
        }))
        .sort((a, b) => (a.at < b.at ? -1 : 1))
        .map(
          ({ at, e }) =>
            `${at} ${e.type ?? ''} ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason ?? ''}: ${(e.message ?? '').trim()}`,
        )
        .join('\n')
    },
    async tail(query, lines) {
      const pods = await client.core.listNamespacedPod({
        namespace: query.namespace,
        labelSelector: query.labelSelector,
      })
      const out: { pod: string; text: string }[] = []
      for (const p of pods.items) {
        const name = p.metadata?.name ?? ''
        const text = await client.core.readNamespacedPodLog({
          name,
          namespace: query.namespace,
          container: query.container,
          tailLines: lines,
          timestamps: true,
        })
        out.push({ pod: name, text })
      }
      return out
    },
  }
}
