import type { V1Deployment, V1Namespace } from '@kubernetes/client-node'
import { classifierFor } from '../http/classify.js'
import { startLoad } from '../http/load.js'
import { awaitConvergence, sample } from '../http/sampler.js'
import { parseTarget, type Target } from '../http/target.js'
import { istiodFacts, istiodRefFor } from '../istiod.js'
import type { KubeClient } from '../kube/client.js'
import { readLabNamespace } from '../kube/inventory.js'
import { readLogs } from '../logs/reader.js'
import { fetchRoutes } from '../routes/fetch.js'
import { startUsersStandIn } from '../system/stand-in.js'
import type { ClusterEvent, ExecOutcome, LabAdapters } from './lab.js'

/** Exit codes and messages that mean "this executable is not in the image": try the next one. */
export function executableMissing(outcome: { exitCode: number; stderr: string; stdout: string }): boolean {
  return (
    outcome.exitCode === 126 ||
    outcome.exitCode === 127 ||
    /executable file not found|no such file or directory|not found/i.test(outcome.stderr + outcome.stdout)
  )
}

const MINUTE = 60_000

/** The ingress address, already validated by the CLI's flag check. */
export function ingressTarget(text: string): Target {
  const target = parseTarget(text)
  if ('problem' in target) throw new Error(`--ingress: ${target.problem}`)
  return target
}

/** The lab's adapters for a real cluster. */
export function realLabAdapters(
  client: KubeClient,
  ingress: Target,
  log: (line: string) => void,
): LabAdapters {
  return {
    now: () => new Date(),
    log,
    startStandIn: () => startUsersStandIn('kind'),
    cluster: {
      async events(namespace, involvedName): Promise<ClusterEvent[]> {
        const list = await client.core.listNamespacedEvent({
          namespace,
          fieldSelector: `involvedObject.name=${involvedName}`,
        })
        return list.items
          .map((e) => ({
            reason: e.reason ?? '',
            message: e.message ?? '',
            at: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).toISOString(),
          }))
          .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
      },
      async exec(namespace, labelSelector, container, commands): Promise<ExecOutcome> {
        const pods = await client.core.listNamespacedPod({ namespace, labelSelector })
        const pod = pods.items.find((p) => p.status?.phase === 'Running')?.metadata?.name
        if (!pod) throw new Error(`no running pod matches ${labelSelector} in ${namespace}`)
        let last: ExecOutcome | undefined
        for (const command of commands) {
          const r = await client.exec(namespace, pod, container, command)
          last = { command, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }
          if (!executableMissing(last)) return last
        }
        throw new Error(
          `none of ${commands.map((c) => c[0]).join(', ')} exists in ${pod}/${container} (${last?.stderr.trim().slice(0, 120) ?? ''})`,
        )
      },
      namespaceFacts: (namespace) => readLabNamespace(client, namespace),
      async istioVersion(namespace) {
        // A namespace moved to a revisioned control plane (a canary upgrade) is served by
        // istiod-<rev>: its proxies follow that version, not the default istiod's.
        const ns = await client.read<V1Namespace>({
          apiVersion: 'v1',
          kind: 'Namespace',
          name: namespace,
        })
        return istiodFacts(await client.read<V1Deployment>(istiodRefFor(ns?.metadata?.labels))).version
      },
      // Manifests name Istio kinds at versions Istio 1.17 serves; read and delete at the newest
      // version this cluster serves, as apply does.
      read: async (ref) => client.read(await client.servedRef(ref)),
      apply: async (objects) => {
        await client.applyServed(objects)
      },
      admissionWarnings: () => client.takeWarnings(),
      delete: async (refs) =>
        client.deleteAndWaitGone(await Promise.all(refs.map((r) => client.servedRef(r))), 3 * MINUTE),
      waitForDeployments: (namespace, names) => client.waitForDeployments(namespace, names, 5 * MINUTE),
      readLogs: (query, window) => readLogs(client, query, window),
      fetchRoutes: (query) => fetchRoutes(client, query),
    },
    ingress: {
      converge: (probe, expected, timeoutMs) =>
        awaitConvergence(
          ingress,
          probe,
          classifierFor(probe.classifier),
          expected,
          timeoutMs ? { timeoutMs } : {},
        ),
      sample: (probe, options) =>
        sample(ingress, probe, { ...options, classify: classifierFor(probe.classifier) }),
      startLoad: (probe, rps) => startLoad(ingress, probe, classifierFor(probe.classifier), rps),
    },
  }
}
