import { DEFAULT_ERROR_BOUND } from '../../helpers/evidence/verdict.js'
import { defineScenario } from '../../helpers/runner/scenario.js'
import { lockDownEgress, pointDnsAt } from '../egress.js'
import { ALLOWED_LABELS, EGRESS_APPS, FORUM_PROXY_LOGS, OUTSIDE_HOST, USERS_OK } from '../shared.js'

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
  async run(lab, options) {
    await lab.apply(...EGRESS_APPS)
    await lockDownEgress(lab, options)
    if (options.egress === 'hermetic') {
      if (options.existingCluster) {
        throw new Error(
          "hermetic egress edits the cluster's DNS (CoreDNS); on a cluster that is not the suite's own, run with --egress internet",
        )
      }
      const standIn = await lab.startStandIn()
      await pointDnsAt(lab, OUTSIDE_HOST, standIn.address)
    }
    await lab.apply('ch5/jsonplaceholder-se.yaml')
    // CoreDNS reloads its Corefile within about 30 s; Envoy re-resolves the host every few seconds.
    if (!(await lab.awaitConverged('users-200', USERS_OK, 'v1', false, 180_000))) return
    const window = lab.openLogWindow()
    await lab.expectOnly('users-200', USERS_OK, 'v1', {
      alreadyConverged: true,
      labels: ALLOWED_LABELS,
      // The real host is a public service: fewer requests (rule out a 5% failure rate), and
      // tolerate its rare errors; the hermetic stand-in gets the full zero-error check.
      ...(options.egress === 'internet' ? { leak: 0.05, errorBound: DEFAULT_ERROR_BOUND } : {}),
    })
    await lab.observe('forum-se-cluster', async () => {
      const read = await lab.cluster.readLogs(FORUM_PROXY_LOGS, window)
      return {
        kind: 'access-log-match',
        description: `the ServiceEntry's cluster outbound|80||${OUTSIDE_HOST}`,
        want: { path: '/users', cluster: `outbound|80||${OUTSIDE_HOST}` },
        forbid: { routeName: 'block_all' },
        lines: read.lines.map((l) => l.text),
      }
    })
  },
})
