import type { Profile } from '../../../cluster/profiles.js'
import { NODE_PORTS } from '../../../cluster/profiles.js'
import { suiteContextName } from '../../kube/context-guard.js'

export type CheckStatus = 'OK' | 'FAIL' | 'WARN'

export interface DoctorLine {
  readonly check: string
  readonly status: CheckStatus
  readonly detail: string
  readonly fix?: string
  readonly required: boolean
}

/** What the probes saw. Produced by adapters, judged by `judgeDoctor`. */
export interface DoctorObservations {
  readonly docker: { reachable: boolean; serverVersion?: string; memoryBytes?: number; error?: string }
  /** Version found on PATH per tool, undefined when absent. */
  readonly tools: Readonly<Record<'kind' | 'istioctl' | 'helm' | 'kubectl', string | undefined>>
  readonly port30000: { free: boolean; ownedBySuiteCluster: boolean }
  readonly currentContext: string | undefined
  /** Whether the suite's own context is provably the suite's cluster (ownership.ts). */
  readonly ownership: Ownership
}

export type Ownership =
  | { readonly state: 'no-context' }
  | { readonly state: 'foreign-server'; readonly server: string }
  | { readonly state: 'unreachable'; readonly server: string; readonly reason: string }
  | { readonly state: 'not-owned'; readonly server: string; readonly why: string }
  | { readonly state: 'owned'; readonly server: string; readonly profile: string }

/** Below this, pods of the lab are likely to be slow to start or evicted. */
export const MIN_DOCKER_GIB = 6

/** Turns observations into one line per check. Pure. */
export function judgeDoctor(obs: DoctorObservations, profile: Profile, clusterName: string): DoctorLine[] {
  const lines: DoctorLine[] = []
  lines.push(
    obs.docker.reachable
      ? {
          check: 'docker',
          status: 'OK',
          detail: `daemon reachable (server ${obs.docker.serverVersion ?? '?'})`,
          required: true,
        }
      : {
          check: 'docker',
          status: 'FAIL',
          detail: `daemon not reachable${obs.docker.error ? `: ${obs.docker.error}` : ''}`,
          fix: 'start Docker (or Docker Desktop / colima) and check that `docker info` works',
          required: true,
        },
  )
  if (obs.docker.reachable && obs.docker.memoryBytes !== undefined) {
    const gib = obs.docker.memoryBytes / 2 ** 30
    lines.push(
      gib >= MIN_DOCKER_GIB
        ? {
            check: 'docker memory',
            status: 'OK',
            detail: `${gib.toFixed(1)} GiB available to Docker`,
            required: false,
          }
        : {
            check: 'docker memory',
            status: 'WARN',
            detail: `${gib.toFixed(1)} GiB available to Docker; the lab (Istio, Prometheus, Flagger, four apps) wants about 8 GB`,
            fix: 'give Docker more memory (Docker Desktop: Settings > Resources) or expect slow or evicted pods',
            required: false,
          },
    )
  }
  const wanted: Record<'kind' | 'istioctl' | 'helm', string> = {
    kind: profile.kind.version,
    istioctl: profile.istio.version,
    helm: profile.helm.version,
  }
  for (const tool of ['kind', 'istioctl', 'helm'] as const) {
    const found = obs.tools[tool]
    const want = wanted[tool]
    if (found === want) {
      lines.push({
        check: tool,
        status: 'OK',
        detail: `${found} on PATH matches profile ${profile.name}`,
        required: false,
      })
    } else {
      lines.push({
        check: tool,
        status: 'OK',
        detail: `${found ? `${found} on PATH, profile wants ${want}` : 'not on PATH'}: 'up' downloads ${want} into .tools/`,
        required: false,
      })
    }
  }
  lines.push({
    check: 'kubectl',
    status: 'OK',
    detail: obs.tools.kubectl
      ? `${obs.tools.kubectl} (optional; the suite talks to the API itself)`
      : 'not on PATH (optional)',
    required: false,
  })
  const own = suiteContextName(clusterName)
  if (obs.port30000.free) {
    lines.push({
      check: `port ${NODE_PORTS.http}`,
      status: 'OK',
      detail: 'free on 127.0.0.1',
      required: true,
    })
  } else if (obs.port30000.ownedBySuiteCluster) {
    lines.push({
      check: `port ${NODE_PORTS.http}`,
      status: 'OK',
      detail: `published by the suite's cluster '${clusterName}'`,
      required: true,
    })
  } else {
    lines.push({
      check: `port ${NODE_PORTS.http}`,
      status: 'FAIL',
      detail: "in use by something other than the suite's cluster",
      fix: `free it (find the owner with 'lsof -i :${NODE_PORTS.http}' or 'docker ps'), then run doctor again`,
      required: true,
    })
  }
  lines.push(ownershipLine(obs.ownership, own, clusterName))
  if (obs.currentContext === own) {
    lines.push({ check: 'kube context', status: 'OK', detail: `current context is ${own}`, required: false })
  } else {
    lines.push({
      check: 'kube context',
      status: 'WARN',
      detail: obs.currentContext
        ? `current context is '${obs.currentContext}', not the suite's ${own}`
        : 'no current context',
      fix: `'up' creates and selects ${own}; run refuses other contexts unless --context NAME --allow-existing-cluster`,
      required: false,
    })
  }
  return lines
}

function ownershipLine(o: Ownership, own: string, clusterName: string): DoctorLine {
  const check = 'ownership'
  switch (o.state) {
    case 'owned':
      return {
        check,
        status: 'OK',
        detail: `${own} (${o.server}) is the suite's cluster '${clusterName}', profile ${o.profile}: run may change it`,
        required: false,
      }
    case 'no-context':
      return {
        check,
        status: 'WARN',
        detail: `no context ${own} yet`,
        fix: "'up' creates the cluster and its ownership record",
        required: false,
      }
    case 'foreign-server':
      return {
        check,
        status: 'FAIL',
        detail: `context ${own} points at ${o.server}, not at a loopback API server: it is not a kind cluster of this machine, and run refuses it`,
        fix: `rename or remove that context; 'up --name ${clusterName}' then writes the real one`,
        required: true,
      }
    case 'unreachable':
      return {
        check,
        status: 'WARN',
        detail: `${own} (${o.server}) does not answer: ${o.reason}`,
        fix: `'up --name ${clusterName}' creates or repairs it`,
        required: false,
      }
    case 'not-owned':
      return {
        check,
        status: 'WARN',
        detail: `${own} (${o.server}): ${o.why}; run refuses it`,
        fix: `'up --name ${clusterName}' writes the record on the suite's cluster`,
        required: false,
      }
  }
}

export function doctorExitCode(lines: readonly DoctorLine[]): number {
  return lines.some((l) => l.required && l.status === 'FAIL') ? 1 : 0
}

export function renderDoctor(lines: readonly DoctorLine[]): string {
  const width = Math.max(...lines.map((l) => l.check.length))
  return lines
    .map(
      (l) =>
        `${l.status.padEnd(4)} ${l.check.padEnd(width)}  ${l.detail}${l.fix ? `\n     ${''.padEnd(width)}  fix: ${l.fix}` : ''}`,
    )
    .join('\n')
}
