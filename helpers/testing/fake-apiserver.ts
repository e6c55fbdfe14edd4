import type { ServerResponse } from 'node:http'
import { json, type RecordedRequest, startRecordingServer } from './recording-server.js'

/** Discovery documents for the groups our tests touch (shape: metav1.APIResourceList). */
type Resource = { name: string; kind: string; namespaced: boolean }
const RESOURCES: Record<string, Resource[]> = {
  '/api/v1': [
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'events', kind: 'Event', namespaced: true },
  ],
  '/apis/apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  '/apis/networking.istio.io/v1beta1': [
    { name: 'virtualservices', kind: 'VirtualService', namespaced: true },
    { name: 'gateways', kind: 'Gateway', namespaced: true },
    { name: 'destinationrules', kind: 'DestinationRule', namespaced: true },
    { name: 'serviceentries', kind: 'ServiceEntry', namespaced: true },
    { name: 'sidecars', kind: 'Sidecar', namespaced: true },
  ],
}

/**
 * A minimal Kubernetes API server on 127.0.0.1: serves discovery, stores what is applied
 * (server-side apply echoes the object), and lets a test answer anything else itself.
 * Records every request so tests can check method, path, query and headers.
 */
export async function startFakeApiServer(
  extra: (req: RecordedRequest, res: ServerResponse, store: Map<string, unknown>) => boolean = () => false,
  /** Discovery to serve instead of the default, keyed by /apis/<group>/<version>. */
  discovery: Record<string, Resource[]> = RESOURCES,
) {
  const store = new Map<string, unknown>()
  const served = { ...RESOURCES, ...discovery }
  const server = await startRecordingServer((req, res) => {
    const path = req.url.split('?')[0] ?? ''
    if (path === '/apis') {
      // APIGroupList built from the served /apis/<group>/<version> paths.
      const groups = new Map<string, string[]>()
      for (const key of Object.keys(served)) {
        const m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(key)
        if (m?.[1] && m[2]) groups.set(m[1], [...(groups.get(m[1]) ?? []), m[2]])
      }
      json(res, 200, {
        kind: 'APIGroupList',
        groups: [...groups].map(([name, versions]) => ({
          name,
          versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        })),
      })
      return
    }
    const discovery = served[path]
    if (discovery) {
      json(res, 200, {
        kind: 'APIResourceList',
        groupVersion: path.replace(/^\/apis?\//, ''),
        resources: discovery.map((r) => ({ ...r, verbs: ['get', 'list', 'patch', 'delete', 'create'] })),
      })
      return
    }
    if (extra(req, res, store)) return
    if (req.method === 'PATCH') {
      const body = JSON.parse(req.body) as unknown
      store.set(path, body)
      json(res, 200, body)
      return
    }
    if (req.method === 'GET' && store.has(path)) {
      json(res, 200, store.get(path))
      return
    }
    if (req.method === 'DELETE') {
      const existed = store.delete(path)
      json(res, existed ? 200 : 404, { kind: 'Status', code: existed ? 200 : 404 })
      return
    }
    json(res, 404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 })
  })
  return { ...server, store }
}

/**
 * The suite's own cluster as the commands that change it see it before their first write: an
 * API server answering /version and holding the ownership record `up` writes (ConfigMap
 * kube-system/istio-traffic-conformance) for cluster istio-conformance and a profile.
 */
export function startOwnedCluster(options: { readonly gitVersion: string; readonly profile: string }) {
  return startFakeApiServer((req, res) => {
    if (req.url === '/version') json(res, 200, { gitVersion: options.gitVersion })
    else if (req.url.startsWith('/api/v1/namespaces/kube-system/configmaps/istio-traffic-conformance'))
      json(res, 200, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio-traffic-conformance', namespace: 'kube-system' },
        data: { profile: options.profile, cluster: 'istio-conformance' },
      })
    else return false
    return true
  })
}
