import { NODE_PORTS } from '../../../cluster/profiles.js'
import { execTool } from '../../system/exec.js'
import { isPortFree } from '../../system/ports.js'
import { versionOnPath } from '../../system/tool-version.js'
import type { DoctorObservations } from './doctor.js'

/** Gathers the doctor's observations from this machine. Thin: every judgement is in judgeDoctor. */
export async function observe(
  clusterName: string,
  currentContext: string | undefined,
): Promise<DoctorObservations> {
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
