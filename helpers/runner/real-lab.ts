import type { V1Deployment } from '@kubernetes/client-node'
import { classifyCatalog } from '../http/classify.js'
import { awaitConvergence, sample, type Target } from '../http/sampler.js'
import type { KubeClient } from '../kube/client.js'
import { readLogs } from '../logs/reader.js'
import { fetchRoutes } from '../routes/fetch.js'
import type { LabAdapters } from './lab.js'

const MINUTE = 60_000

/** The Istio version from istiod's image tag: docker.io/istio/pilot:1.17.8 -> 1.17.8. Pure. */
export function parseIstioVersion(image: string): string {
  const tag = image.includes('@') ? '' : (image.split(':').at(-1) ?? '')
  return /^(\d+\.\d+\.\d+)/.exec(tag)?.[1] ?? 'unknown'
}

/** Where the ingress is reached: "127.0.0.1:30000" (the kind node's published port). Pure. */
export function parseTarget(text: string): Target {
  const m = /^([^:]+):(\d+)$/.exec(text)
  if (!m) throw new Error(`ingress address must be host:port, got '${text}'`)
  return { address: m[1] as string, port: Number(m[2]) }
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
    cluster: {
      async istioVersion() {
        const istiod = await client.read<V1Deployment>({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'istiod',
          namespace: 'istio-system',
        })
        return parseIstioVersion(istiod?.spec?.template.spec?.containers[0]?.image ?? '')
      },
      read: (ref) => client.read(ref),
      apply: async (objects) => {
        await client.applyServed(objects)
      },
      delete: (refs) => client.deleteAndWaitGone(refs, 3 * MINUTE),
      waitForDeployments: (namespace, names) => client.waitForDeployments(namespace, names, 5 * MINUTE),
      readLogs: (query, window) => readLogs(client, query, window),
      fetchRoutes: (query) => fetchRoutes(client, query),
    },
    ingress: {
      converge: (probe, expected) => awaitConvergence(ingress, probe, classifyCatalog, expected),
      sample: (probe, options) => sample(ingress, probe, { ...options, classify: classifyCatalog }),
    },
  }
}
