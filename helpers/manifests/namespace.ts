import type { KubernetesObject } from '@kubernetes/client-node'

/**
 * The lab in a namespace of the user's choosing (`run --namespace NAME`): the book's manifests
 * put everything in `istioinaction`; on a staging cluster a platform team names a namespace of
 * its own so nothing else is touched. Pure.
 *
 * What changes with the namespace, and why:
 * - `metadata.namespace` of every object;
 * - in-mesh names that carry it: `catalog.istioinaction` (webapp's CATALOG_SERVICE_HOST, the Host
 *   of its calls) and `catalog.istioinaction.svc.cluster.local` (the DestinationRule's host, the
 *   cluster names `outbound|80|version-v1|catalog.<ns>.svc.cluster.local`);
 * - the hosts at the edge, `catalog.istioinaction.io` -> `catalog.<ns>.istioinaction.io`: the
 *   ingress gateway is shared by every namespace, and two Gateways binding the same host on the
 *   same port conflict: istioctl analyze reports IST0145 (istio/istio pkg/config/analysis/
 *   analyzers/gateway/conflictinggateway.go) and on a plain-HTTP port pilot merges both labs'
 *   routes into one virtual host (pilot/pkg/networking/core/gateway.go, 1.31), where the first
 *   lab's catch-all would take the second's traffic. So a lab in another namespace gets hosts
 *   of its own.
 * Images (`istioinaction/catalog:latest`) name a Docker Hub organisation, not the namespace, and
 * stay. In the book's namespace nothing changes.
 */
export const BOOK_NAMESPACE = 'istioinaction'

/**
 * The namespace a scenario's lab lives in when scenarios run concurrently: one of its own, so
 * its objects, pods and edge host (catalog.itc-<id>.istioinaction.io) are apart from every other
 * scenario's. The suite creates it and removes it afterwards. Scenario ids are DNS labels, and
 * the longest (egress-registry-only) gives 24 characters of the 63 a label may have.
 */
export const scenarioNamespace = (scenarioId: string): string => `itc-${scenarioId}`

/** Namespaces the suite never puts its lab in: Kubernetes', Istio's and the suite's tooling's. */
const SYSTEM_NAMESPACES = new Set([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'istio-system',
])

/**
 * Why a name cannot be the lab's namespace (a DNS-1123 label, as Kubernetes requires of a
 * namespace; not a system namespace), or undefined when it can.
 */
export function namespaceProblem(name: string): string | undefined {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
    return `namespace ${JSON.stringify(name)} is not a valid Kubernetes namespace name (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`
  if (SYSTEM_NAMESPACES.has(name) || name.startsWith('kube-'))
    return `namespace ${name} is a system namespace; the lab needs one of its own`
  return undefined
}

/** `catalog.istioinaction.io` -> `catalog.<ns>.istioinaction.io`: an edge host of the lab. */
const EDGE_HOST = /\b([a-z0-9-]+)\.istioinaction\.io\b/g
/**
 * `catalog.istioinaction`, `catalog.istioinaction:80`, `catalog.istioinaction.svc...`, in a
 * command (`curl catalog.istioinaction -H ...`): an in-mesh name, ending where a name cannot go on.
 */
const MESH_NAME = /\b([a-z0-9-]+)\.istioinaction(?=$|[^a-z0-9.-]|\.svc\b|-shadow\b)/g

/**
 * A string of the book with the lab's names in a namespace: in-mesh names and edge hosts (see
 * above); anything else as it was. Identity for the book's namespace. It maps the book's names:
 * applied to its own output it would rename an edge host twice, so it is applied once, to text
 * of the book (manifests, the scenarios' names).
 */
export function nameIn(text: string, namespace: string): string {
  if (namespace === BOOK_NAMESPACE) return text
  return text
    .replace(EDGE_HOST, (_m, name: string) => `${name}.${namespace}.${BOOK_NAMESPACE}.io`)
    .replace(MESH_NAME, (_m, name: string) => `${name}.${namespace}`)
}

function renamed(value: unknown, namespace: string, key: string | undefined): unknown {
  if (typeof value === 'string') return key === 'image' ? value : nameIn(value, namespace)
  if (Array.isArray(value)) return value.map((v) => renamed(v, namespace, undefined))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === 'namespace' && v === BOOK_NAMESPACE ? namespace : renamed(v, namespace, k),
      ]),
    )
  return value
}

/**
 * The book's objects in a namespace: copies (the input is untouched), with `metadata.namespace`
 * (and any other `namespace: istioinaction` field), in-mesh names and edge hosts renamed, and a
 * Namespace object named for it. The same objects for the book's namespace.
 */
export function intoNamespace<T extends KubernetesObject>(objects: readonly T[], namespace: string): T[] {
  if (namespace === BOOK_NAMESPACE) return [...objects]
  return objects.map((o) => {
    const copy = renamed(o, namespace, undefined) as T
    if (o.kind === 'Namespace' && o.metadata?.name === BOOK_NAMESPACE)
      return { ...copy, metadata: { ...copy.metadata, name: namespace } }
    return copy
  })
}
