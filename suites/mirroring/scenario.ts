import type { V1Deployment, V1Namespace } from '@kubernetes/client-node'
import { expectedBehaviour, MIRROR_SHADOW_SUFFIX } from '../../helpers/istio-behaviour.js'
import { istiodFacts, istiodRefFor } from '../../helpers/istiod.js'
import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { labNames, MESH_WITH_SUBSETS } from '../shared.js'

/** catalog-v2's container logs in the lab's namespace: the app's, and its proxy's. */
const v2Logs = (namespace: string, container: 'catalog' | 'istio-proxy') =>
  ({ namespace, labelSelector: 'app=catalog,version=v2', container }) as const

/**
 * Mirrored requests may lose up to 1% without failing: Envoy sends shadows fire-and-forget
 * and does not retry one whose connection fails, so rare losses happen without any routing
 * fault, while a missing or partial mirror (none, or half) still fails.
 */
const MIRROR_TOLERANCE = 0.01

/**
 * 5.4 Mirroring: VirtualService catalog sends webapp's calls to v1 and a copy of each to v2,
 * whose answers are discarded. Users see only v1; v2's log holds the mirrored /items requests,
 * with a Host ending in -shadow where this Istio version appends it.
 */
export const scenario = defineScenario({
  id: 'mirroring',
  title: 'Mirror live traffic to catalog v2',
  section: '5.4',
  observation: "users see only v1; v2's log shows the mirrored /items requests",
  manifests: {
    'v1-and-v2-behind-webapp': MESH_WITH_SUBSETS,
    'mirror-to-v2': ['ch5/mesh-vs-catalog-mirror.yaml'],
  },
  checks: {
    'users-see-v1': {
      proves: 'zero imageUrl responses',
      hint: "With mirroring, users must only ever get v1's answers; a v2 means the route itself, not only the mirror, points at version-v2 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`: the route's cluster and its request_mirror_policies).",
      design: ONLY_ONE_VERSION,
    },
    'v2-receives-mirror': {
      proves: "catalog-v2's log holds the mirrored /items requests",
      hint: "The mirror target is subset version-v2 of host catalog; check DestinationRule catalog and catalog-v2's logs (`kubectl logs deploy/catalog-v2 -n istioinaction -c catalog`).",
      design: observed('mirror count (up to 1% lost)'),
    },
    'shadow-host': {
      proves: 'mirrored Host ends in -shadow where this Istio version appends it',
      hint: 'Istio up to 1.27 appends -shadow to the mirrored Host; later versions do not unless istiod sets DISABLE_SHADOW_HOST_SUFFIX=false (`kubectl logs deploy/catalog-v2 -n istioinaction -c catalog` shows the Host, `kubectl get deploy istiod -n istio-system -o yaml` the setting).',
      design: observed('request log'),
    },
  },
  waits: { routeChanges: 1, logReads: 1 },
  async run(lab) {
    const { meshRoutesTo, NAMESPACE, V1_CLUSTER, WEBAPP_CATALOG, WEBAPP_PROXY_LOGS } = labNames(lab.namespace)
    await lab.apply('v1-and-v2-behind-webapp')
    await lab.apply('mirror-to-v2')
    const measured = await lab.expectOnly('users-see-v1', WEBAPP_CATALOG, 'v1', {
      routes: meshRoutesTo(WEBAPP_CATALOG, V1_CLUSTER),
    })
    if (!measured) return
    const calls = measured.records.filter((r) => r.class !== 'error').length

    // Shadow requests are sent asynchronously: read until their log lines are all there. The
    // mirror keeps the x-request-id of webapp's call to catalog. That is the sampler's id where
    // the ingress gateway keeps the client's (Istio < 1.25, a client on a private address);
    // from 1.25 the gateway replaces it, so the ids come from webapp's own outbound lines.
    let appLines: string[] = []
    await lab.observe(
      'v2-receives-mirror',
      async () => {
        const [app, proxy, caller] = await Promise.all([
          lab.cluster.readLogs(v2Logs(NAMESPACE, 'catalog'), measured.window),
          lab.cluster.readLogs(v2Logs(NAMESPACE, 'istio-proxy'), measured.window),
          lab.cluster.readLogs(WEBAPP_PROXY_LOGS, measured.window),
        ])
        appLines = app.lines.map((l) => l.text)
        return {
          kind: 'mirror-count',
          calls,
          requestIds: measured.records.map((r) => r.requestId),
          proxyLines: proxy.lines.map((l) => l.text),
          callerLines: caller.lines.map((l) => l.text),
          notBefore: measured.window.since,
          appLines,
          tolerance: MIRROR_TOLERANCE,
        }
      },
      { until: 'logLinesDelivered' },
    )

    await lab.observe('shadow-host', async () => {
      const istioVersion = await lab.cluster.istioVersion(NAMESPACE)
      const rule = expectedBehaviour(MIRROR_SHADOW_SUFFIX, istioVersion)
      // An operator may have overridden the default in istiod's environment.
      // The istiod that serves the lab namespace (istiod-<rev> during a canary upgrade).
      const ns = (await lab.cluster.read({ apiVersion: 'v1', kind: 'Namespace', name: NAMESPACE })) as
        | V1Namespace
        | undefined
      const istiod = istiodFacts(
        (await lab.cluster.read(istiodRefFor(ns?.metadata?.labels))) as V1Deployment | undefined,
      )
      const override = istiod.env.DISABLE_SHADOW_HOST_SUFFIX
      const expectSuffix = override === 'false' ? true : override === 'true' ? false : (rule?.value ?? null)
      return {
        kind: 'mirror-host',
        istioVersion,
        expectSuffix,
        why: override
          ? `istiod sets DISABLE_SHADOW_HOST_SUFFIX=${override}`
          : (rule?.note ?? 'version not in the behaviour table'),
        appLines,
      }
    })
  },
})
