import { type KubeConfig, VersionApi } from '@kubernetes/client-node'
import { describeError } from './describe-error.js'

export type Reachability =
  | { readonly reachable: true; readonly server: string; readonly gitVersion: string }
  | { readonly reachable: false; readonly server: string; readonly reason: string }

/**
 * Asks the API server for /version through the given context, with a deadline, so an
 * absent cluster is reported in seconds rather than after the OS connect timeout.
 */
export async function checkReachable(
  kc: KubeConfig,
  context: string,
  timeoutMs = 5_000,
): Promise<Reachability> {
  kc.setCurrentContext(context)
  const server = kc.getCurrentCluster()?.server ?? '(no server)'
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    timer.unref()
  })
  try {
    const info = await Promise.race([kc.makeApiClient(VersionApi).getCode(), deadline])
    return { reachable: true, server, gitVersion: info.gitVersion }
  } catch (error) {
    return { reachable: false, server, reason: describeError(error) }
  } finally {
    clearTimeout(timer)
  }
}
