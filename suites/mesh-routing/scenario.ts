import { defineScenario } from '../../helpers/runner/scenario.js'
import { MESH_WITH_SUBSETS, V1_CLUSTER, WEBAPP_CATALOG, WEBAPP_PROXY_LOGS } from '../shared.js'

/**
 * 5.2 Routing inside the mesh: webapp is the edge service and calls catalog; VirtualService
 * catalog (gateway "mesh") sends every call to v1. The bodies show no imageUrl, and webapp's
 * own proxy log shows its outbound calls going to the version-v1 subset cluster.
 */
export const scenario = defineScenario({
  id: 'mesh-routing',
  async run(lab) {
    await lab.apply(...MESH_WITH_SUBSETS, 'ch5/mesh-vs-catalog-v1.yaml', 'ch5/webapp-access-log.yaml')
    if (!(await lab.awaitConverged('no-v2', WEBAPP_CATALOG, 'v1'))) return
    // The log window opens after convergence and before the measured traffic.
    const window = lab.openLogWindow()
    const records = await lab.expectOnly('no-v2', WEBAPP_CATALOG, 'v1', { alreadyConverged: true })
    await lab.observe('proxy-log-v1-cluster', async () => {
      const read = await lab.cluster.readLogs(WEBAPP_PROXY_LOGS, window)
      return {
        kind: 'access-log-cluster',
        pod: read.pods,
        authorityPrefix: 'catalog.istioinaction',
        expectedCluster: V1_CLUSTER,
        requestIds: records.map((r) => r.requestId),
        notBefore: window.since,
        lines: read.lines.map((l) => l.text),
        unknownLines: 0,
      }
    })
  },
})
