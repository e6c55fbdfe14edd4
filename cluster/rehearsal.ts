import { UsageError } from '../helpers/errors.js'
import { compareVersions } from '../helpers/istio-behaviour.js'
import {
  resolveIstio,
  supportsKubernetes,
  UPGRADE_MAX_MINOR_STEP,
  UPGRADE_STEP_SOURCE,
  type UpgradeMethod,
  upgradeChain,
} from './istio-releases.js'
import type { Profile } from './profiles.js'

/**
 * An upgrade rehearsal as a plan: which versions, in which steps, how the ingress gateway moves,
 * and the phases in order. Pure: `planRehearsal` decides, the rehearse command executes.
 */
export interface RehearsalRequest {
  readonly from: string
  readonly to: string
  readonly method: UpgradeMethod
  readonly rollback: boolean
  /** Intermediate versions given with --via. */
  readonly via: readonly string[]
}

export interface RehearsalStep {
  readonly from: string
  readonly to: string
  /** canary: the revision B is installed as (`1-31-1`); in-place: none. */
  readonly revision?: string
}

export interface RehearsalPlan {
  /** A's profile: the cluster is built (or reused) with it, and stays on its Kubernetes. */
  readonly profile: Profile
  readonly from: string
  readonly to: string
  readonly method: UpgradeMethod
  readonly rollback: boolean
  readonly steps: readonly RehearsalStep[]
  /** How the ingress gateway follows, and which Istio guidance says so. */
  readonly gateway: string
  readonly phases: readonly string[]
}

/**
 * Istio's canary guide: "Unlike istiod, Istio gateways do not run revision-specific instances,
 * but are instead in-place upgraded to use the new control plane revision"; rolling back, "you
 * must first reinstall the gateway(s) for the previous revision manually" with the old istioctl.
 */
export const GATEWAY_GUIDANCE = {
  canary:
    'ingress gateway upgraded in place by `istioctl install --revision` (gateways are not revision-specific); on the way back it is reinstalled with the old istioctl before the new revision is uninstalled',
  'in-place': 'ingress gateway upgraded in place with the control plane by `istioctl install`',
  source:
    'https://istio.io/latest/docs/setup/upgrade/canary/ ("Data plane", "Uninstall canary control plane")',
} as const

/** A revision name for a version: dots are not allowed ("revision=1-6-8 for Istio 1.6.8"). Pure. */
export function revisionOf(version: string): string {
  return version.replaceAll('.', '-')
}

const minor = (v: string) => Number(v.split('.')[1])

/**
 * Checks and plans a rehearsal. Refused (exit 2, before anything runs): a downgrade, a step
 * longer than Istio supports for the method (naming the chain to use with --via), a --via that
 * does not lead from A to B in order, a version whose line does not support A's Kubernetes (the
 * rehearsal keeps one cluster).
 */
export function planRehearsal(request: RehearsalRequest): RehearsalPlan {
  const resolve = (v: string) => {
    const r = resolveIstio(v)
    if (!r.ok) throw new UsageError(r.problem, `nearest valid versions: ${r.nearest.join(', ')}`)
    return r
  }
  const a = resolve(request.from)
  const b = resolve(request.to)
  const via = request.via.map((v) => resolve(v).version)
  if (compareVersions(a.version, b.version) >= 0) {
    throw new UsageError(
      `--from ${a.version} is not older than --to ${b.version}`,
      'rehearse an upgrade: give the older version as --from',
    )
  }
  const versions = [a.version, ...via, b.version]
  const max = UPGRADE_MAX_MINOR_STEP[request.method]
  for (const [i, v] of versions.slice(1).entries()) {
    const previous = versions[i] as string
    if (compareVersions(previous, v) >= 0) {
      throw new UsageError(
        `--via ${request.via.join(',')} does not lead from ${a.version} to ${b.version} in order (${previous} then ${v})`,
        'list the intermediate versions oldest first, each newer than --from and older than --to',
      )
    }
    if (minor(v) - minor(previous) > max) {
      const chain = upgradeChain(previous, v, request.method)
      const suggestion = upgradeChain(a.version, b.version, request.method).slice(1, -1).join(',')
      throw new UsageError(
        `${previous} to ${v} crosses ${minor(v) - minor(previous)} minor versions; Istio supports ${max} per ${request.method} upgrade (${UPGRADE_STEP_SOURCE}), so the way is ${chain.join(' -> ')}`,
        `rehearse it as that chain: --via ${suggestion}`,
      )
    }
  }
  const kubernetes = a.profile.kind.kubernetesVersion
  const unsupported = versions.find((v) => !supportsKubernetes(v, kubernetes))
  if (unsupported) {
    throw new UsageError(
      `Istio ${unsupported} does not support Kubernetes ${kubernetes}, the node ${a.version}'s cluster runs (${resolve(unsupported).line.kubernetesSource})`,
      'a rehearsal keeps one cluster: choose a --from whose Kubernetes every version of the chain supports (see plan --istio V)',
    )
  }
  const steps = versions.slice(1).map((to, i) => ({
    from: versions[i] as string,
    to,
    ...(request.method === 'canary' ? { revision: revisionOf(to) } : {}),
  }))
  const phases = [
    `cluster: build or reuse the suite's cluster at Istio ${a.version} (Kubernetes ${kubernetes})`,
    `run-from: the scenarios at ${a.version}`,
    ...steps.flatMap((s) =>
      request.method === 'canary'
        ? [
            `install ${s.to}: istioctl ${s.to} install --revision ${s.revision} (beside ${s.from})`,
            `namespace ${s.to}: istio.io/rev=${s.revision}, istio-injection removed`,
            `restart ${s.to}: rollout restart of the lab's deployments`,
            `proxies ${s.to}: wait until every proxy (gateway and sidecars) reports ${s.to}`,
          ]
        : [
            `install ${s.to}: istioctl ${s.to} install (in place of ${s.from})`,
            `restart ${s.to}: rollout restart of the lab's deployments`,
            `proxies ${s.to}: wait until every proxy (gateway and sidecars) reports ${s.to}`,
          ],
    ),
    `run-to: the scenarios at ${b.version}`,
    ...(request.rollback
      ? [
          `rollback: back to ${a.version}, proxies report ${a.version}`,
          `run-rollback: the scenarios at ${a.version} again`,
        ]
      : []),
    'diff: unchanged, newly failing, newly passing, changed by design (behaviour table)',
  ]
  return {
    profile: a.profile,
    from: a.version,
    to: b.version,
    method: request.method,
    rollback: request.rollback,
    steps,
    gateway: `${GATEWAY_GUIDANCE[request.method]} (${GATEWAY_GUIDANCE.source})`,
    phases,
  }
}

/** One proxy and the Istio version its image names. */
export interface ProxyVersion {
  readonly pod: string
  readonly version: string
}

/** One istiod Deployment and its version. */
export interface ControlPlane {
  readonly name: string
  readonly version: string
}

/**
 * What a rehearsal does to the cluster beyond applying objects: istioctl of a given version
 * (install as a revision or in place, uninstall a revision), restarts, and what it reads back.
 * Real: istioctl and the Kubernetes API (rehearsal-adapter.ts); tests: an in-memory fake.
 */
export interface RehearsalCluster {
  installRevision(version: string, revision: string): Promise<void>
  /** `istioctl <version> install` without a revision: in place, and the way A's gateway comes back. */
  installDefault(version: string): Promise<void>
  uninstallRevision(version: string, revision: string): Promise<void>
  /** Rollout restart of every Deployment in the namespace, waiting for each; returns their names. */
  restartWorkloads(namespace: string): Promise<string[]>
  /** The ingress gateway's and the namespace's proxies, with the version of their proxy image. */
  proxies(namespace: string): Promise<ProxyVersion[]>
  controlPlanes(): Promise<ControlPlane[]>
}
