import { SuiteError } from '../errors.js'
import { guardContext } from '../kube/context-guard.js'
import { loadKubeConfig } from '../kube/kubeconfig.js'
import { checkReachable } from '../kube/reachability.js'
import { readE2eEnv } from './e2e-env.js'

/**
 * Runs once before any e2e file. Without a reachable cluster no scenario can observe
 * anything, so the run stops here with one line (and exit code 2) instead of reporting
 * skipped scenarios that a dashboard might count as passed.
 */
export default async function setup(): Promise<void> {
  const env = readE2eEnv(process.env)
  try {
    const loaded = loadKubeConfig(env.kubeconfig)
    const context = guardContext({
      clusterName: env.clusterName,
      requestedContext: env.context,
      currentContext: loaded.currentContext,
      knownContexts: loaded.contexts,
      allowExistingCluster: env.allowExistingCluster,
      kubeconfigSource: loaded.source,
    })
    const reach = await checkReachable(loaded.kubeConfig, context)
    if (!reach.reachable) {
      stop(
        `e2e: no reachable cluster for kube context ${context} (${reach.server}: ${reach.reason}); create it with 'npm run conformance -- up --name ${env.clusterName}'`,
      )
    }
  } catch (error) {
    if (error instanceof SuiteError) stop(`e2e: ${error.message}${error.fix ? `; ${error.fix}` : ''}`)
    throw error
  }
}

function stop(line: string): never {
  process.stderr.write(`${line}\n`)
  process.exit(2)
}
