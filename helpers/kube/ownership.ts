import { UsageError } from '../errors.js'

/**
 * Proving that a cluster is the suite's own before changing it. Names prove nothing: a
 * kubeconfig context can be renamed to `kind-istio-conformance` and point at production. The
 * suite's own cluster is a kind cluster, whose API server kind publishes on the loopback
 * interface, and it holds the record `up` wrote (ConfigMap kube-system/istio-traffic-conformance)
 * naming the cluster and its profile. Pure.
 */

/** The record's place in the cluster. */
export const OWNERSHIP_RECORD = { namespace: 'kube-system', name: 'istio-traffic-conformance' } as const

/** Whether an API server URL points at this machine's loopback interface. */
export function isLoopbackServer(server: string | undefined): boolean {
  if (!server) return false
  let host: string
  try {
    host = new URL(server).hostname
  } catch {
    return false
  }
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)
  return octets?.[1] === '127' && octets.slice(1).every((o) => Number(o) <= 255)
}

/** How the user reaches the suite's own cluster, or says they mean another one. */
const WAYS_ON = (clusterName: string, context: string) =>
  `create the suite's cluster with 'npm run conformance -- up --name ${clusterName}', or run against this one deliberately with --context ${context} --allow-existing-cluster`

/**
 * The first half of the proof, decided from the kubeconfig alone, before the cluster is
 * contacted: the suite's own context must point at a loopback API server.
 */
export function refuseForeignServer(input: {
  readonly context: string
  readonly server: string | undefined
  readonly clusterName: string
}): void {
  if (isLoopbackServer(input.server)) return
  throw new UsageError(
    `refusing to change context '${input.context}': its API server ${input.server ?? '(none)'} is not on this machine's loopback interface, so it is not the suite's kind cluster`,
    WAYS_ON(input.clusterName, input.context),
  )
}

/** What the ownership record says, as read from the cluster (undefined: no such ConfigMap). */
export type RecordData = Readonly<Record<string, string>> | undefined

/**
 * The second half: the cluster holds the record `up` wrote, naming this cluster and a
 * profile. Returns the profile; throws UsageError (exit 2) naming what was missing.
 */
export function judgeOwnership(input: {
  readonly context: string
  readonly server: string
  readonly clusterName: string
  readonly record: RecordData
}): string {
  const where = `context '${input.context}' (${input.server})`
  const record = `ConfigMap ${OWNERSHIP_RECORD.namespace}/${OWNERSHIP_RECORD.name}`
  const refuse = (what: string, fix = WAYS_ON(input.clusterName, input.context)) =>
    new UsageError(`refusing to change ${where}: ${what}`, fix)
  if (!input.record) throw refuse(`it holds no ownership record (${record}), which 'up' writes`)
  if (!input.record.profile) throw refuse(`its ownership record (${record}) names no profile`)
  if (input.record.cluster === undefined) {
    throw refuse(
      `its ownership record (${record}) predates cluster names`,
      `refresh it with 'npm run conformance -- up --name ${input.clusterName} --profile ${input.record.profile}' (it only verifies a healthy cluster)`,
    )
  }
  if (input.record.cluster !== input.clusterName) {
    throw refuse(
      `its ownership record names cluster '${input.record.cluster}', not '${input.clusterName}'`,
      `use --name ${input.record.cluster}, or ${WAYS_ON(input.clusterName, input.context)}`,
    )
  }
  return input.record.profile
}
