import type { KubernetesObject } from '@kubernetes/client-node'
import { describeError } from '../kube/describe-error.js'
import type { CleanupReport } from '../report/model.js'
import { describeRef, describeUndo, type Journal } from './journal.js'
import type { LabCluster } from './lab.js'

/** Fields the server owns; a snapshot re-applied to restore an object must not carry them. Pure. */
export function restorable(obj: KubernetesObject): KubernetesObject {
  const { status: _status, ...rest } = obj as KubernetesObject & { status?: unknown }
  const meta = { ...(obj.metadata ?? {}) } as Record<string, unknown>
  for (const f of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'])
    delete meta[f]
  const spec = (rest as { spec?: Record<string, unknown> }).spec
  if (obj.kind === 'Service' && spec) {
    // A recreated Service gets a fresh cluster IP; the old one may have been reused.
    const { clusterIP: _ip, clusterIPs: _ips, ...keep } = spec
    return { ...rest, metadata: meta, spec: keep } as KubernetesObject
  }
  return { ...rest, metadata: meta } as KubernetesObject
}

/**
 * Undoes journal entries newest first (one scenario's, or all of them): restores what existed
 * before, deletes what the suite created. Each entry leaves the journal once undone; one that
 * fails stays, for the next attempt. Never throws.
 */
export async function undoJournal(
  journal: Journal,
  cluster: Pick<LabCluster, 'apply' | 'read' | 'delete'>,
  options: { scenario?: string; log?: (line: string) => void } = {},
): Promise<CleanupReport> {
  const deleted: string[] = []
  const restored: string[] = []
  const errors: string[] = []
  for (const entry of [...journal.entries(options.scenario)].reverse()) {
    try {
      if (entry.before) {
        await cluster.apply([restorable(entry.before)])
        restored.push(`${entry.ref.kind}/${entry.ref.name}`)
      } else if (await cluster.read(entry.ref)) {
        await cluster.delete([entry.ref])
        deleted.push(`${entry.ref.kind}/${entry.ref.name}`)
      }
      journal.remove(entry.seq)
      options.log?.(`undone: ${describeUndo(entry)}`)
    } catch (error) {
      errors.push(`${describeRef(entry.ref)}: ${describeError(error)}`)
    }
  }
  return { deleted, restored, errors }
}
