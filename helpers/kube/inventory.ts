import { ApiException, type KubernetesObject, type V1Namespace } from '@kubernetes/client-node'
import { isNotFound, type KubeClient } from './client.js'
import { describeError } from './describe-error.js'
import { type LabNamespaceFacts, NAMESPACE_INVENTORY, type NamespaceObject } from './lab-namespace.js'

/** A kind the server does not serve (its CRD is not installed): nothing of it can be there. */
const notServed = (error: unknown): boolean =>
  isNotFound(error) || (error instanceof Error && /Unrecognized API version and kind/i.test(error.message))

/**
 * Reads what judgeLabNamespace decides on: the namespace's labels and every object of the
 * inventory's kinds in it (Istio kinds at the version the server serves). Reads only.
 */
export async function readLabNamespace(client: KubeClient, namespace: string): Promise<LabNamespaceFacts> {
  const ns = await client.read<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: namespace })
  if (!ns) return { namespace, labels: undefined, objects: [], unlisted: [] }
  const objects: NamespaceObject[] = []
  const unlisted: string[] = []
  for (const { apiVersion, kind } of NAMESPACE_INVENTORY) {
    try {
      const served = await client.servedRef({ apiVersion, kind, name: '' })
      const items: KubernetesObject[] = await client.list(served.apiVersion, kind, namespace)
      for (const o of items) {
        const type = (o as { type?: unknown }).type
        objects.push({
          kind,
          name: o.metadata?.name ?? '',
          owned: (o.metadata?.ownerReferences?.length ?? 0) > 0,
          ...(typeof type === 'string' ? { type } : {}),
        })
      }
    } catch (error) {
      if (notServed(error)) continue
      const code = error instanceof ApiException ? ` (HTTP ${error.code})` : ''
      unlisted.push(`listing ${kind} failed${code}: ${describeError(error).slice(0, 160)}`)
    }
  }
  return { namespace, labels: ns.metadata?.labels ?? {}, objects, unlisted }
}
