import type { KubeClient } from '../kube/client.js'
import { type LogLine, type LogWindow, selectWindow, sinceSecondsFor, splitTimestamped } from './window.js'

export interface LogQuery {
  readonly namespace: string
  readonly labelSelector: string
  readonly container: string
}

export interface LogRead {
  readonly pods: readonly string[]
  readonly lines: readonly LogLine[]
  /** Pods whose log hit the byte limit: their newest lines may be missing. */
  readonly truncatedPods: readonly string[]
}

/**
 * Reads, once, after the traffic, the container logs of every pod matching the selector
 * within the window. Memory is bounded by limitBytes per pod.
 */
export async function readLogs(
  client: KubeClient,
  query: LogQuery,
  window: LogWindow,
  options: { limitBytesPerPod?: number; now?: Date } = {},
): Promise<LogRead> {
  const limitBytes = options.limitBytesPerPod ?? 8 * 1024 * 1024
  const sinceSeconds = sinceSecondsFor(window, options.now ?? new Date())
  const pods = await client.core.listNamespacedPod({
    namespace: query.namespace,
    labelSelector: query.labelSelector,
  })
  const names = pods.items.map((p) => p.metadata?.name ?? '').filter(Boolean)
  const all: LogLine[] = []
  const truncated: string[] = []
  for (const name of names) {
    const text = await client.core.readNamespacedPodLog({
      name,
      namespace: query.namespace,
      container: query.container,
      timestamps: true,
      sinceSeconds,
      limitBytes,
    })
    if (Buffer.byteLength(text) >= limitBytes) truncated.push(name)
    all.push(...splitTimestamped(name, query.container, text))
  }
  return { pods: names, lines: selectWindow(all, window), truncatedPods: truncated }
}
