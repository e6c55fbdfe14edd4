import { DEFAULT_CLUSTER_NAME } from '../cli/spec.js'
import { suiteContextName } from '../kube/context-guard.js'

/**
 * How the CLI hands its decisions to the e2e project (a separate vitest process): plain
 * environment variables, so `vitest --project e2e` can also be started by hand.
 */
export interface E2eEnv {
  readonly context: string
  readonly kubeconfig: string | undefined
  readonly clusterName: string
  readonly allowExistingCluster: boolean
  readonly runDir: string | undefined
}

export const E2E_ENV_KEYS = {
  context: 'ITC_CONTEXT',
  kubeconfig: 'ITC_KUBECONFIG',
  clusterName: 'ITC_CLUSTER_NAME',
  allowExistingCluster: 'ITC_ALLOW_EXISTING_CLUSTER',
  runDir: 'ITC_RUN_DIR',
} as const

export function readE2eEnv(env: NodeJS.ProcessEnv): E2eEnv {
  const clusterName = env[E2E_ENV_KEYS.clusterName] || DEFAULT_CLUSTER_NAME
  return {
    clusterName,
    context: env[E2E_ENV_KEYS.context] || suiteContextName(clusterName),
    kubeconfig: env[E2E_ENV_KEYS.kubeconfig] || undefined,
    allowExistingCluster: env[E2E_ENV_KEYS.allowExistingCluster] === '1',
    runDir: env[E2E_ENV_KEYS.runDir] || undefined,
  }
}
