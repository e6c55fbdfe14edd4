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
  /** host:port of the ingress gateway's HTTP port. */
  readonly ingress: string
  readonly bookTiming: boolean
  readonly egress: 'hermetic' | 'internet'
}

export const E2E_ENV_KEYS = {
  context: 'ITC_CONTEXT',
  kubeconfig: 'ITC_KUBECONFIG',
  clusterName: 'ITC_CLUSTER_NAME',
  allowExistingCluster: 'ITC_ALLOW_EXISTING_CLUSTER',
  runDir: 'ITC_RUN_DIR',
  ingress: 'ITC_INGRESS',
  bookTiming: 'ITC_BOOK_TIMING',
  egress: 'ITC_EGRESS',
} as const

/** The environment for an e2e run, the inverse of readE2eEnv. Pure. */
export function e2eEnvVars(env: E2eEnv): Record<string, string> {
  return {
    [E2E_ENV_KEYS.context]: env.context,
    [E2E_ENV_KEYS.clusterName]: env.clusterName,
    [E2E_ENV_KEYS.allowExistingCluster]: env.allowExistingCluster ? '1' : '',
    [E2E_ENV_KEYS.ingress]: env.ingress,
    [E2E_ENV_KEYS.bookTiming]: env.bookTiming ? '1' : '',
    [E2E_ENV_KEYS.egress]: env.egress,
    ...(env.kubeconfig ? { [E2E_ENV_KEYS.kubeconfig]: env.kubeconfig } : {}),
    ...(env.runDir ? { [E2E_ENV_KEYS.runDir]: env.runDir } : {}),
  }
}

export function readE2eEnv(env: NodeJS.ProcessEnv): E2eEnv {
  const clusterName = env[E2E_ENV_KEYS.clusterName] || DEFAULT_CLUSTER_NAME
  return {
    clusterName,
    context: env[E2E_ENV_KEYS.context] || suiteContextName(clusterName),
    kubeconfig: env[E2E_ENV_KEYS.kubeconfig] || undefined,
    allowExistingCluster: env[E2E_ENV_KEYS.allowExistingCluster] === '1',
    runDir: env[E2E_ENV_KEYS.runDir] || undefined,
    ingress: env[E2E_ENV_KEYS.ingress] || '127.0.0.1:30000',
    bookTiming: env[E2E_ENV_KEYS.bookTiming] === '1',
    egress: env[E2E_ENV_KEYS.egress] === 'internet' ? 'internet' : 'hermetic',
  }
}
