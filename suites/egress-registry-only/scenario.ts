import { defineScenario } from '../../helpers/runner/scenario.js'
import { lockDownEgress } from '../egress.js'
import {
  BLOCKED_LABELS,
  EGRESS_APPS,
  FORUM_PROXY_LOGS,
  NAMESPACE,
  USERS_BLOCKED,
  WEBAPP_PROXY_LOGS,
} from '../shared.js'

/**
 * An address outside the mesh's registry that needs no DNS and reaches nobody: TEST-NET-3
 * (203.0.113.0/24, RFC 5737) is reserved for documentation and never routed. Under
 * REGISTRY_ONLY the sidecar sends the connection to BlackHoleCluster; were egress open, the
 * log would show PassthroughCluster instead, and the check fails.
 */
const OUTSIDE_ADDRESS = '203.0.113.10'

/**
 * An HTTPS call from the webapp container. Its image is alpine-based (busybox wget, no curl,
 * per the book sources' services/webapp/Dockerfile); curl is tried first for other images.
 */
const HTTPS_CALLS = [
  ['curl', '-sS', '--max-time', '5', `https://${OUTSIDE_ADDRESS}/`],
  ['wget', '-q', '-T', '5', '-O', '-', `https://${OUTSIDE_ADDRESS}/`],
]

/**
 * 5.5 Lock down egress: with outboundTrafficPolicy REGISTRY_ONLY, a call to a host the mesh
 * does not know goes nowhere. An HTTPS call from webapp fails and its proxy logs
 * BlackHoleCluster with flag UH; forum's call to the users host gets a 502 direct response
 * from route block_all, so /api/users answers 500.
 */
export const scenario = defineScenario({
  id: 'egress-registry-only',
  async run(lab, options) {
    await lab.apply(...EGRESS_APPS)
    await lockDownEgress(lab, options)
    // The policy is in effect once /api/users is blocked 3 times in a row.
    if (!(await lab.awaitConverged('users-500', USERS_BLOCKED, 'v1', false, 120_000))) return
    const window = lab.openLogWindow()
    await lab.expectOnly('users-500', USERS_BLOCKED, 'v1', { alreadyConverged: true, labels: BLOCKED_LABELS })
    await lab.observe('blackhole-tcp', async () => {
      const call = await lab.cluster.exec(NAMESPACE, 'app=webapp', 'webapp', HTTPS_CALLS)
      const read = await lab.cluster.readLogs(WEBAPP_PROXY_LOGS, window)
      return {
        kind: 'access-log-match',
        description: 'BlackHoleCluster with flag UH',
        want: { tcp: true, cluster: 'BlackHoleCluster', flag: 'UH' },
        forbid: { cluster: 'PassthroughCluster' },
        lines: read.lines.map((l) => l.text),
        exec: {
          command: call.command,
          exitCode: call.exitCode,
          stderr: call.stderr.slice(0, 300),
          expectFailure: true,
        },
      }
    })
    await lab.observe('forum-block-all', async () => {
      const read = await lab.cluster.readLogs(FORUM_PROXY_LOGS, window)
      return {
        kind: 'access-log-match',
        description: 'GET /users 502 direct_response block_all',
        want: { path: '/users', responseCode: 502, details: 'direct_response', routeName: 'block_all' },
        forbid: { cluster: 'PassthroughCluster' },
        lines: read.lines.map((l) => l.text),
      }
    })
  },
})
