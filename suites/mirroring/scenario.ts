import type { V1Deployment } from '@kubernetes/client-node'
import { judge } from '../../helpers/evidence/judges.js'
import { expectedBehaviour, MIRROR_SHADOW_SUFFIX } from '../../helpers/istio-behaviour.js'
import { defineScenario } from '../../helpers/runner/scenario.js'
import { MESH_WITH_SUBSETS, NAMESPACE, WEBAPP_CATALOG } from '../shared.js'

const V2_APP_LOGS = {
  namespace: NAMESPACE,
  labelSelector: 'app=catalog,version=v2',
  container: 'catalog',
} as const
const V2_PROXY_LOGS = {
  namespace: NAMESPACE,
  labelSelector: 'app=catalog,version=v2',
  container: 'istio-proxy',
} as const

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
  async run(lab) {
    await lab.apply(...MESH_WITH_SUBSETS, 'ch5/mesh-vs-catalog-mirror.yaml')
    if (!(await lab.awaitConverged('users-see-v1', WEBAPP_CATALOG, 'v1'))) return
    const window = lab.openLogWindow()
    const records = await lab.expectOnly('users-see-v1', WEBAPP_CATALOG, 'v1', { alreadyConverged: true })
    const calls = records.filter((r) => r.class !== 'error').length

    // Shadow requests are sent asynchronously; read until their log lines are all there (or
    // the deadline), then judge the last read once.
    let appLines: string[] = []
    await lab.observe('v2-receives-mirror', async () => {
      const read = async () => {
        const [app, proxy] = await Promise.all([
          lab.cluster.readLogs(V2_APP_LOGS, window),
          lab.cluster.readLogs(V2_PROXY_LOGS, window),
        ])
        appLines = app.lines.map((l) => l.text)
        return {
          kind: 'mirror-count' as const,
          calls,
          requestIds: records.map((r) => r.requestId),
          proxyLines: proxy.lines.map((l) => l.text),
          appLines,
          tolerance: MIRROR_TOLERANCE,
        }
      }
      let evidence = await read()
      await lab
        .poll(
          'mirrored lines delivered',
          async () => {
            evidence = await read()
            return judge(evidence).passed
              ? { done: true, value: true }
              : { done: false, state: judge(evidence).cause }
          },
          { timeoutMs: 15_000, intervalMs: 1_000 },
        )
        .catch(() => undefined)
      return evidence
    })

    await lab.observe('shadow-host', async () => {
      const istioVersion = await lab.cluster.istioVersion()
      const rule = expectedBehaviour(MIRROR_SHADOW_SUFFIX, istioVersion)
      // An operator may have overridden the default in istiod's environment.
      const istiod = (await lab.cluster.read({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'istiod',
        namespace: 'istio-system',
      })) as V1Deployment | undefined
      const override = istiod?.spec?.template.spec?.containers[0]?.env?.find(
        (e) => e.name === 'DISABLE_SHADOW_HOST_SUFFIX',
      )?.value
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
