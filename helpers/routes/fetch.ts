import type { KubeClient } from '../kube/client.js'
import { type RouteView, routesOf } from './inspect.js'

export interface RouteQuery {
  readonly namespace: string
  /** Selects the proxy's pod, e.g. app=istio-ingressgateway or app=webapp. */
  readonly labelSelector: string
  readonly routeName: string
  readonly virtualHost: string
}

/**
 * Reads a proxy's live route table through Envoy's admin API inside its own container
 * (`pilot-agent request GET config_dump`), so no port-forward or local istioctl is needed.
 * Returns the routes and the pod they came from.
 */
export async function fetchRoutes(
  client: KubeClient,
  query: RouteQuery,
): Promise<{ pod: string; routes: RouteView[] }> {
  const pods = await client.core.listNamespacedPod({
    namespace: query.namespace,
    labelSelector: query.labelSelector,
  })
  const pod = pods.items.find((p) => p.status?.phase === 'Running')?.metadata?.name
  if (!pod) throw new Error(`no running pod matches ${query.labelSelector} in ${query.namespace}`)
  const result = await client.exec(query.namespace, pod, 'istio-proxy', [
    'pilot-agent',
    'request',
    'GET',
    'config_dump',
  ])
  if (result.exitCode !== 0)
    throw new Error(
      `config_dump from ${pod} failed (${result.status}): ${result.stderr.trim().slice(0, 200)}`,
    )
  return { pod, routes: routesOf(JSON.parse(result.stdout), query.routeName, query.virtualHost) }
}
