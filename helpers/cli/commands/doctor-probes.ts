import { NODE_PORTS } from '../../../cluster/profiles.js'
import { UsageError } from '../../errors.js'
import { KubeClient } from '../../kube/client.js'
import { suiteContextName } from '../../kube/context-guard.js'
import type { LoadedKubeConfig } from '../../kube/kubeconfig.js'
import { isLoopbackServer, judgeOwnership, OWNERSHIP_RECORD } from '../../kube/ownership.js'
import { checkReachable } from '../../kube/reachability.js'
import { execTool } from '../../system/exec.js'
import { isPortFree } from '../../system/ports.js'
import { versionOnPath } from '../../system/tool-version.js'
import type { DoctorObservations, Ownership } from './doctor.js'

/** Gathers the doctor's observations from this machine. Thin: every judgement is in judgeDoctor. */
export async function observe(
  clusterName: string,
  kubeconfig: LoadedKubeConfig | undefined,
): Promise<DoctorObservations> {
  const currentContext = kubeconfig?.currentContext
  const [docker, kind, istioctl, helm, kubectl, free] = await Promise.all([
    execTool('docker', ['info', '--format', '{{.ServerVersion}} {{.MemTotal}}'], { timeoutMs: 15_000 }),
    versionOnPath('kind'),
    versionOnPath('istioctl'),
    versionOnPath('helm'),
    versionOnPath('kubectl'),
    isPortFree(NODE_PORTS.http),
  ])
  let ownedBySuiteCluster = false
  if (!free && docker.exitCode === 0) {
    // kind names the node container <cluster>-control-plane; `docker port` lists its mappings.
    const ports = await execTool('docker', ['port', `${clusterName}-control-plane`], { timeoutMs: 15_000 })
    ownedBySuiteCluster = ports.exitCode === 0 && ports.stdout.includes(`:${NODE_PORTS.http}`)
  }
  return {
    docker:
      docker.exitCode === 0
        ? parseDockerInfo(docker.stdout)
        : {
            reachable: false,
            error: (docker.stderr.trim().split('\n')[0] ?? '') || `exit ${docker.exitCode}`,
          },
    tools: { kind, istioctl, helm, kubectl },
    port30000: { free, ownedBySuiteCluster },
    currentContext,
    ownership: await observeOwnership(clusterName, kubeconfig),
  }
}

/** The ownership proof of the suite's own context, as run would make it (reads only). */
export async function observeOwnership(
  clusterName: string,
  kubeconfig: LoadedKubeConfig | undefined,
): Promise<Ownership> {
  const own = suiteContextName(clusterName)
  const server = kubeconfig?.servers[own]
  if (!kubeconfig || server === undefined) return { state: 'no-context' }
  if (!isLoopbackServer(server)) return { state: 'foreign-server', server }
  const reach = await checkReachable(kubeconfig.kubeConfig, own)
  if (!reach.reachable) return { state: 'unreachable', server, reason: reach.reason }
  const client = new KubeClient(kubeconfig.kubeConfig, own)
  const record = (await client.configMap(OWNERSHIP_RECORD.namespace, OWNERSHIP_RECORD.name))?.data
  try {
    return { state: 'owned', server, profile: judgeOwnership({ context: own, server, clusterName, record }) }
  } catch (error) {
    if (error instanceof UsageError)
      return { state: 'not-owned', server, why: error.message.replace(/^refusing to change [^:]+: /, '') }
    throw error
  }
}

/** `docker info --format '{{.ServerVersion}} {{.MemTotal}}'` output, e.g. "28.2.2 8233213952". Pure. */
export function parseDockerInfo(stdout: string): DoctorObservations['docker'] {
  const [serverVersion, mem] = stdout.trim().split(/\s+/)
  const memoryBytes = Number(mem)
  return {
    reachable: true,
    ...(serverVersion ? { serverVersion } : {}),
    ...(Number.isFinite(memoryBytes) && memoryBytes > 0 ? { memoryBytes } : {}),
  }
}
