import { OWNERSHIP_RECORD } from '../helpers/kube/ownership.js'
import { NODE_PORTS, type Profile } from './profiles.js'

/** The components `up` installs, as Deployments in istio-system. */
export const COMPONENTS = ['istiod', 'istio-ingressgateway', 'prometheus', 'flagger'] as const
export const APPS_NAMESPACE = 'istioinaction'
/** Where `up` records how the cluster was built; it is also the proof that the cluster is the suite's own. */
export const PROFILE_RECORD = OWNERSHIP_RECORD

/** What `up` records in the cluster so a later `up` (or a report) knows how it was built. */
export interface ProfileRecord {
  /** The kind cluster's name: the suite only changes a cluster whose record names it. Absent in records written before 0.2. */
  readonly cluster?: string
  readonly profile: string
  readonly istio: string
  readonly kubernetes: string
  readonly nodeImage: string
  readonly flagger: string
  readonly createdAt: string
}

export function profileRecordOf(profile: Profile, clusterName: string, createdAt: string): ProfileRecord {
  return {
    cluster: clusterName,
    profile: profile.name,
    istio: profile.istio.version,
    kubernetes: profile.kind.kubernetesVersion,
    nodeImage: profile.kind.nodeImage,
    flagger: profile.flagger.chartVersion,
    createdAt,
  }
}

export interface HealthObservations {
  readonly deployments: Readonly<Record<string, { ready: boolean; state: string } | undefined>>
  readonly ingressService?: { type: string; ports: readonly { name: string; nodePort?: number }[] }
  readonly namespaceLabels?: Readonly<Record<string, string>>
}

/** Every way the cluster falls short of what the scenarios need; empty means healthy. Pure. */
export function judgeHealth(obs: HealthObservations): string[] {
  const problems: string[] = []
  for (const name of COMPONENTS) {
    const d = obs.deployments[name]
    if (!d) problems.push(`${name} is not installed`)
    else if (!d.ready) problems.push(`${name} is not ready (${d.state})`)
  }
  const svc = obs.ingressService
  if (!svc) {
    problems.push('Service istio-ingressgateway is missing')
  } else {
    if (svc.type !== 'NodePort') problems.push(`istio-ingressgateway is type ${svc.type}, not NodePort`)
    const want = [
      ['http2', NODE_PORTS.http],
      ['https', NODE_PORTS.https],
    ] as const
    for (const [name, nodePort] of want) {
      const port = svc.ports.find((p) => p.name === name)
      if (port?.nodePort !== nodePort) {
        problems.push(
          `istio-ingressgateway port ${name} has nodePort ${port?.nodePort ?? 'none'}, not ${nodePort}`,
        )
      }
    }
    if (!svc.ports.some((p) => p.name === 'status-port'))
      problems.push('istio-ingressgateway lost status-port 15021')
  }
  if (!obs.namespaceLabels) problems.push(`namespace ${APPS_NAMESPACE} is missing`)
  else if (obs.namespaceLabels['istio-injection'] !== 'enabled') {
    problems.push(`namespace ${APPS_NAMESPACE} lacks label istio-injection=enabled`)
  }
  return problems
}

export type UpDecision =
  | { readonly action: 'create' }
  | { readonly action: 'verified' }
  | { readonly action: 'repair'; readonly reasons: readonly string[] }
  | { readonly action: 'refuse'; readonly reason: string }

export interface ClusterState {
  readonly exists: boolean
  readonly record?: ProfileRecord | undefined
  /** gitVersion from the API server, e.g. v1.26.15. */
  readonly serverVersion?: string | undefined
  readonly problems?: readonly string[]
}

/**
 * What `up` does with the cluster it finds. Pure.
 * - absent: create everything;
 * - built with another profile, or running another Kubernetes than the profile's node image:
 *   refuse (the fix is `down`), never rebuild in place behind the user's back;
 * - same profile and healthy: verified, nothing changes;
 * - same profile (or an interrupted bring-up without a record) but unhealthy: repair by
 *   re-running the idempotent install phases.
 */
export function decideUp(state: ClusterState, profile: Profile): UpDecision {
  if (!state.exists) return { action: 'create' }
  if (state.record && state.record.profile !== profile.name) {
    return {
      action: 'refuse',
      reason: `was built with profile '${state.record.profile}' (Istio ${state.record.istio}), not '${profile.name}'`,
    }
  }
  const wanted = `v${profile.kind.kubernetesVersion}`
  if (state.serverVersion && !state.serverVersion.startsWith(wanted)) {
    return {
      action: 'refuse',
      reason: `runs Kubernetes ${state.serverVersion}, but profile '${profile.name}' pins ${wanted}`,
    }
  }
  const problems = state.problems ?? []
  if (state.record && problems.length === 0) return { action: 'verified' }
  return {
    action: 'repair',
    reasons: state.record ? problems : ['no profile record: an earlier bring-up did not finish', ...problems],
  }
}
