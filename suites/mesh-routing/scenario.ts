import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { labNames, MESH_WITH_SUBSETS } from '../shared.js'

/**
 * 5.2 Routing inside the mesh: webapp is the edge service and calls catalog; VirtualService
 * catalog (gateway "mesh") sends every call to v1. The bodies show no imageUrl, and webapp's
 * own proxy log shows its outbound calls going to the version-v1 subset cluster.
 */
export const scenario = defineScenario({
  id: 'mesh-routing',
  title: 'Route calls inside the mesh: webapp to catalog v1',
  section: '5.2.6',
  observation: "/api/catalog never shows imageUrl; webapp's proxy log shows calls to the version-v1 cluster",
  manifests: {
    'v1-and-v2-behind-webapp': MESH_WITH_SUBSETS,
    'all-to-v1': ['ch5/mesh-vs-catalog-v1.yaml', 'ch5/webapp-access-log.yaml'],
  },
  checks: {
    'no-v2': {
      proves: 'zero imageUrl responses through webapp',
      hint: "VirtualService catalog must list gateway 'mesh' (calls inside the mesh) and route to subset version-v1; webapp's sidecar must be injected (2/2 containers in `kubectl get pods -n istioinaction -l app=webapp`), and its route to catalog must name version-v1 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
      design: ONLY_ONE_VERSION,
    },
    'proxy-log-v1-cluster': {
      proves: "webapp's outbound access-log lines name the version-v1 subset cluster",
      hint: "webapp's istio-proxy log should show outbound|80|version-v1|catalog... for its calls (`kubectl logs deploy/webapp -n istioinaction -c istio-proxy`); no lines at all means access logging is off (Telemetry for app: webapp, or meshConfig.accessLogFile).",
      design: observed('access log'),
    },
  },
  waits: { routeChanges: 1, logReads: 1 },
  async run(lab) {
    const { CATALOG_AUTHORITY, meshRoutesTo, V1_CLUSTER, WEBAPP_CATALOG, WEBAPP_PROXY_LOGS } = labNames(
      lab.namespace,
    )
    await lab.apply('v1-and-v2-behind-webapp')
    await lab.apply('all-to-v1')
    const measured = await lab.expectOnly('no-v2', WEBAPP_CATALOG, 'v1', {
      routes: meshRoutesTo(WEBAPP_CATALOG, V1_CLUSTER),
    })
    if (!measured) return
    // webapp's outbound lines are correlated with the sampler's x-request-id where the ingress
    // gateway keeps it (Istio < 1.25 for a client on a private address); from 1.25 the gateway
    // replaces it (Envoy >= 1.33 trusts no client address), and the judge takes every call
    // webapp started since the window opened, which only the measured traffic made.
    await lab.observe(
      'proxy-log-v1-cluster',
      async () => {
        const read = await lab.cluster.readLogs(WEBAPP_PROXY_LOGS, measured.window)
        return {
          kind: 'access-log-cluster',
          pod: read.pods,
          authorityPrefix: CATALOG_AUTHORITY,
          expectedCluster: V1_CLUSTER,
          requestIds: measured.records.map((r) => r.requestId),
          notBefore: measured.window.since,
          lines: read.lines.map((l) => l.text),
        }
      },
      { until: 'logLinesDelivered' },
    )
  },
})
