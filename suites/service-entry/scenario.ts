import { DEFAULT_ERROR_BOUND } from '../../helpers/evidence/shares.js'
import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { lockDownEgress, pointDnsAt, REGISTRY_ONLY } from '../egress.js'
import { ALLOWED_LABELS, EGRESS_APPS, labNames, OUTSIDE_HOST } from '../shared.js'

/**
 * 5.5 Let one outside host back in: with REGISTRY_ONLY in effect, ServiceEntry jsonplaceholder
 * makes jsonplaceholder.typicode.com known to the mesh, /api/users answers 200 with users, and
 * forum's call leaves through the ServiceEntry's cluster instead of block_all.
 *
 * Hermetic by default: a stand-in container on kind's network answers /users, and the cluster
 * DNS resolves the host to it, so the run does not depend on a third-party site.
 */
export const scenario = defineScenario({
  id: 'service-entry',
  title: 'Allow one outside host with a ServiceEntry',
  section: '5.5',
  observation: '/api/users succeeds again through the ServiceEntry cluster',
  manifests: {
    'webapp-forum-catalog': EGRESS_APPS,
    'registry-only': REGISTRY_ONLY,
    'service-entry': ['ch5/jsonplaceholder-se.yaml'],
  },
  checks: {
    'users-200': {
      proves: '/api/users answers 200 with a JSON list of users',
      hint: 'After the ServiceEntry, /api/users must answer 200 with users; 500 means the host is still blocked or does not resolve (CoreDNS for the stand-in, or internet access): `kubectl get serviceentry -n istioinaction -o yaml`, `kubectl logs deploy/forum -n istioinaction -c istio-proxy`.',
      design: ONLY_ONE_VERSION,
    },
    'forum-se-cluster': {
      proves: "forum's proxy log shows the ServiceEntry's cluster, not BlackHole",
      hint: "forum's call must leave through outbound|80||jsonplaceholder.typicode.com; block_all means the ServiceEntry (hosts, port 80 HTTP, MESH_EXTERNAL) is missing or in another namespace (`kubectl logs deploy/forum -n istioinaction -c istio-proxy`).",
      design: observed('access log'),
    },
  },
  footprint: { touches: ['outbound-policy', 'cluster-dns'] },
  waits: { routeChanges: 1, meshPolicyChanges: 1, dnsChanges: 1, logReads: 1 },
  async run(lab, options) {
    const { FORUM_PROXY_LOGS, USERS_OK } = labNames(lab.namespace)
    await lab.apply('webapp-forum-catalog')
    await lockDownEgress(lab)
    if (options.egress === 'hermetic') {
      if (options.existingCluster) {
        throw new Error(
          "hermetic egress edits the cluster's DNS (CoreDNS); on a cluster that is not the suite's own, run with --egress internet",
        )
      }
      const standIn = await lab.startStandIn()
      await pointDnsAt(lab, OUTSIDE_HOST, standIn.address)
    }
    await lab.apply('service-entry')
    const measured = await lab.expectOnly('users-200', USERS_OK, 'v1', {
      convergeTimeout: 'outsideHostReachable',
      labels: ALLOWED_LABELS,
      // The real host is a public service: fewer requests (rule out a 5% failure rate), and
      // tolerate its rare errors; the hermetic stand-in gets the full zero-error check.
      ...(options.egress === 'internet' ? { leak: 0.05, errorBound: DEFAULT_ERROR_BOUND } : {}),
    })
    if (!measured) return
    await lab.observe(
      'forum-se-cluster',
      async () => {
        const read = await lab.cluster.readLogs(FORUM_PROXY_LOGS, measured.window)
        return {
          kind: 'access-log-match',
          description: `the ServiceEntry's cluster outbound|80||${OUTSIDE_HOST}`,
          want: { path: '/users', cluster: `outbound|80||${OUTSIDE_HOST}` },
          forbid: { routeName: 'block_all' },
          lines: read.lines.map((l) => l.text),
          notBefore: measured.window.since,
        }
      },
      { until: 'logLinesDelivered' },
    )
  },
})
