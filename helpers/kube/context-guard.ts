import { choices, UsageError } from '../errors.js'
import { refuseForeignServer } from './ownership.js'

/** The suite's own kind cluster, unless `--name` says otherwise. */
export const DEFAULT_CLUSTER_NAME = 'istio-conformance'

/** The kube context kind creates for a cluster: `kind-<name>`. */
export function suiteContextName(clusterName: string): string {
  return `kind-${clusterName}`
}

export interface GuardInput {
  /** The cluster name the suite owns (`--name`). */
  readonly clusterName: string
  /** `--context` as given, if any. */
  readonly requestedContext: string | undefined
  /** The kubeconfig's current-context, if any. */
  readonly currentContext: string | undefined
  /** Contexts the kubeconfig defines. */
  readonly knownContexts: readonly string[]
  /** Each context's API server, as the kubeconfig says (undefined: its cluster entry is missing). */
  readonly servers: Readonly<Record<string, string | undefined>>
  readonly allowExistingCluster: boolean
  /** Where the kubeconfig was read from, for messages. */
  readonly kubeconfigSource: string
}

/**
 * The one gate every cluster-changing command passes through. Pure.
 * Returns the context to use; throws UsageError (exit 2) naming the context and the flags otherwise.
 * The suite's own context is allowed when it points at a loopback API server (kind's); the
 * cluster must then also hold the ownership record (checked over the API, see ownership.ts).
 * Any other context only when the user names it with `--context NAME` AND passes
 * `--allow-existing-cluster`. A context is refused here, before anything contacts it.
 */
export function guardContext(input: GuardInput): string {
  const own = suiteContextName(input.clusterName)
  const target = input.requestedContext ?? input.currentContext
  if (input.allowExistingCluster && input.requestedContext === undefined) {
    throw new UsageError(
      '--allow-existing-cluster needs the cluster named explicitly',
      'add --context NAME with the context you mean',
    )
  }
  if (target === undefined) {
    throw new UsageError(
      `${input.kubeconfigSource} has no current context`,
      `create the suite's cluster with 'npm run conformance -- up' (context ${own}) or pass --context NAME`,
    )
  }
  if (!input.knownContexts.includes(target)) {
    const known = input.knownContexts.length ? choices(input.knownContexts) : 'none'
    throw new UsageError(
      `context '${target}' is not defined in ${input.kubeconfigSource} (contexts: ${known})`,
      target === own
        ? `create the suite's cluster with 'npm run conformance -- up'`
        : 'pass --context with one of the contexts above',
    )
  }
  if (!(target in input.servers) || input.servers[target] === undefined) {
    throw new UsageError(
      `context '${target}' in ${input.kubeconfigSource} names a cluster the kubeconfig does not define`,
      target === own
        ? `recreate the context with 'kind export kubeconfig --name ${input.clusterName}' or 'npm run conformance -- up --name ${input.clusterName}'`
        : `fix the context's cluster entry in ${input.kubeconfigSource}`,
    )
  }
  if (target === own) {
    refuseForeignServer({ context: target, server: input.servers[target], clusterName: input.clusterName })
    return target
  }
  if (input.allowExistingCluster) return target
  throw new UsageError(
    `refusing to change context '${target}': it is not the suite's own cluster '${own}'`,
    `switch with --context ${own}, or run against it deliberately with --context ${target} --allow-existing-cluster`,
  )
}
