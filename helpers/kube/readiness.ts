import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node'

/**
 * Whether a Deployment has finished rolling out, and a one-line state for progress and
 * timeout messages. Pure. Rollout is complete when the controller has seen the latest spec
 * (observedGeneration) and every desired replica is updated and available.
 */
export function deploymentRollout(deploy: V1Deployment): { ready: boolean; state: string } {
  const name = deploy.metadata?.name ?? '?'
  const desired = deploy.spec?.replicas ?? 1
  const s = deploy.status ?? {}
  const observed = (s.observedGeneration ?? 0) >= (deploy.metadata?.generation ?? 0)
  const updated = s.updatedReplicas ?? 0
  const available = s.availableReplicas ?? 0
  const total = s.replicas ?? 0
  const ready = observed && updated === desired && available === desired && total === desired
  return {
    ready,
    state: `${name} ${available}/${desired} available, ${updated} updated${observed ? '' : ', spec not yet observed'}`,
  }
}

/** Pod phases and the reasons containers are waiting or crashed: "catalog-7d9 Pending (ErrImagePull)". Pure. */
export function podStates(pods: readonly V1Pod[]): string {
  if (pods.length === 0) return 'no pods'
  return pods
    .map((pod) => {
      const reasons = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
        .map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason)
        .filter((r): r is string => Boolean(r))
      const readyCount = (pod.status?.containerStatuses ?? []).filter((c) => c.ready).length
      const total = pod.spec?.containers.length ?? 0
      return `${pod.metadata?.name ?? '?'} ${pod.status?.phase ?? 'Unknown'} ${readyCount}/${total}${reasons.length ? ` (${[...new Set(reasons)].join(', ')})` : ''}`
    })
    .join('; ')
}

/** The newest warning events, newest last, as "Reason: message". Pure. */
export function recentWarnings(events: readonly CoreV1Event[], limit = 3): string {
  const warnings = events
    .filter((e) => e.type === 'Warning')
    .sort((a, b) => eventTime(a) - eventTime(b))
    .slice(-limit)
    .map((e) => `${e.involvedObject.name} ${e.reason ?? ''}: ${(e.message ?? '').trim()}`)
  return warnings.join('; ')
}

function eventTime(e: CoreV1Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp
  return t ? new Date(t).getTime() : 0
}
