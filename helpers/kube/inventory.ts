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
  let ns: V1Namespace | undefined
  try {
    ns = await client.read<V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: namespace })
  } catch (error) {
    // Namespace-scoped RBAC is common on shared clusters: say so instead of a stack.
    if (error instanceof ApiException && error.code === 403)
      return { namespace, labels: undefined, objects: [], unlisted: [], unreadable: 'forbidden (HTTP 403)' }
    throw error
  }
  if (!ns) return { namespace, labels: undefined, objects: [], unlisted: [] }
  const objects: NamespaceObject[] = []
  const seen = new Set<string>()
  const unlisted: string[] = []
  for (const { apiVersion, kind } of NAMESPACE_INVENTORY) {
    try {
      const served = await client.servedRef({ apiVersion, kind, name: '' })
      const items: KubernetesObject[] = await client.list(served.apiVersion, kind, namespace)
      for (const o of items) {
        const name = o.metadata?.name ?? ''
        // A kind listed at two versions (HTTPRoute v1 and v1beta1) is the same objects twice.
        if (seen.has(`${kind}/${name}`)) continue
        seen.add(`${kind}/${name}`)
        const type = (o as { type?: unknown }).type
        const serviceAccount = o.metadata?.annotations?.['kubernetes.io/service-account.name']
        objects.push({
          kind,
          name,
          owners: (o.metadata?.ownerReferences ?? []).map((r) => ({ kind: r.kind, name: r.name })),
          ...(o.metadata?.labels ? { labels: o.metadata.labels } : {}),
          ...(typeof type === 'string' ? { type } : {}),
          ...(serviceAccount ? { serviceAccount } : {}),
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
