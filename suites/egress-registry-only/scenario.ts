import { defineScenario } from '../../helpers/runner/define.js'
import type { ExecOutcome } from '../../helpers/runner/lab.js'
import { ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { lockDownEgress, pointDnsAt, REGISTRY_ONLY } from '../egress.js'
import { BLOCKED_LABELS, EGRESS_APPS, labNames, OUTSIDE_HOST } from '../shared.js'

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
  title: 'Lock down egress with REGISTRY_ONLY',
  section: '5.5',
  observation: 'calls to unknown hosts end in BlackHoleCluster (UH); /api/users answers 500',
  manifests: {
    'webapp-forum-catalog': EGRESS_APPS,
    'registry-only': REGISTRY_ONLY,
  },
  checks: {
    'blackhole-tcp': {
      proves: "webapp's proxy log shows BlackHoleCluster with flag UH for outside HTTPS",
      hint: 'Under REGISTRY_ONLY an unknown outside host goes to BlackHoleCluster; PassthroughCluster means the policy is still ALLOW_ANY (check meshConfig.outboundTrafficPolicy or the namespace Sidecar); the lines are in `kubectl logs deploy/webapp -n istioinaction -c istio-proxy`.',
      design: observed('access log'),
    },
    'users-500': {
      proves: '/api/users answers 500 error calling Forum service',
      hint: "webapp answers 500 'error calling Forum service' when forum's call is blocked; a 200 means egress is still open (`kubectl get configmap istio -n istio-system -o yaml` shows outboundTrafficPolicy, `kubectl logs deploy/forum -n istioinaction -c istio-proxy` the call).",
      design: ONLY_ONE_VERSION,
    },
    'forum-block-all': {
      proves: "forum's proxy log shows GET /users 502 direct_response block_all",
      hint: "forum's proxy logs the blocked call as 502 direct_response on route block_all (`kubectl logs deploy/forum -n istioinaction -c istio-proxy`); BlackHoleCluster TCP lines instead mean the call was HTTPS or on an unexpected port; no /users line at all means forum could not resolve jsonplaceholder.typicode.com (it resolves the host itself: Istio's DNS capture is off by default).",
      design: observed('access log'),
    },
  },
  // The CoreDNS entry points the outside host nowhere; nothing waits for it to answer.
  footprint: { touches: ['outbound-policy', 'cluster-dns'] },
  waits: { routeChanges: 0, meshPolicyChanges: 1, logReads: 2 },
  async run(lab) {
    const { FORUM_PROXY_LOGS, NAMESPACE, USERS_BLOCKED, WEBAPP_PROXY_LOGS } = labNames(lab.namespace)
    await lab.apply('webapp-forum-catalog')
    // forum resolves the outside host itself (Istio's DNS capture is off by default,
    // ISTIO_META_DNS_CAPTURE): without an answer it fails before Envoy and no block_all line
    // appears. On the suite's cluster the cluster DNS answers with an address no request ever
    // reaches (Envoy blocks the call first); elsewhere the cluster's own DNS must resolve it.
    if (!lab.options.existingCluster) await pointDnsAt(lab, OUTSIDE_HOST, OUTSIDE_ADDRESS)
    await lockDownEgress(lab)
    // The policy is in effect once /api/users is blocked 3 times in a row.
    const measured = await lab.expectOnly('users-500', USERS_BLOCKED, 'v1', {
      convergeTimeout: 'meshPolicy',
      labels: BLOCKED_LABELS,
    })
    if (!measured) return
    // The call is made once; its log line is read until Envoy has flushed it.
    let call: ExecOutcome | undefined
    await lab.observe(
      'blackhole-tcp',
      async () => {
        call ??= await lab.cluster.exec(NAMESPACE, 'app=webapp', 'webapp', HTTPS_CALLS)
        const read = await lab.cluster.readLogs(WEBAPP_PROXY_LOGS, measured.window)
        return {
          kind: 'access-log-match',
          description: 'BlackHoleCluster with flag UH',
          want: { tcp: true, cluster: 'BlackHoleCluster', flag: 'UH' },
          forbid: { cluster: 'PassthroughCluster' },
          lines: read.lines.map((l) => l.text),
          notBefore: measured.window.since,
          exec: {
            command: call.command,
            exitCode: call.exitCode,
            stderr: call.stderr.slice(0, 300),
            expectFailure: true,
          },
        }
      },
      { until: 'logLinesDelivered' },
    )
    await lab.observe(
      'forum-block-all',
      async () => {
        const read = await lab.cluster.readLogs(FORUM_PROXY_LOGS, measured.window)
        return {
          kind: 'access-log-match',
          description: 'GET /users 502 direct_response block_all',
          want: { path: '/users', responseCode: 502, details: 'direct_response', routeName: 'block_all' },
          forbid: { cluster: 'PassthroughCluster' },
          lines: read.lines.map((l) => l.text),
          notBefore: measured.window.since,
        }
      },
      { until: 'logLinesDelivered' },
    )
  },
})
