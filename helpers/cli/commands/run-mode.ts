import { UsageError } from '../../errors.js'
import { BOOK_NAMESPACE } from '../../manifests/namespace.js'

/** At most this many scenarios at once by default: one per core of the 4-core machine #17 names. */
export const DEFAULT_PARALLEL = 4

export type RunMode =
  | { readonly mode: 'serial'; readonly namespace: string; readonly why: string }
  | { readonly mode: 'concurrent'; readonly maxConcurrent: number }

/**
 * Whether `run` runs its scenarios concurrently (each in a namespace of its own) or one after
 * another in one namespace. Concurrently is the default on the suite's own cluster; serially
 * with --serial, with --namespace NAME (the lab in one namespace), on a cluster that is not the
 * suite's own (only the lab namespace may change there), and for a single scenario. A
 * --parallel that cannot apply is refused (exit 2) before anything runs. Pure.
 */
export function decideRunMode(input: {
  readonly serial: boolean
  readonly parallel: string | undefined
  /** --namespace NAME as given; absent when not given (the book's istioinaction). */
  readonly namespace: string | undefined
  readonly existingCluster: boolean
  readonly scenarios: number
}): RunMode {
  const { serial, parallel, existingCluster, scenarios } = input
  const namespace = input.namespace ?? BOOK_NAMESPACE
  let maxConcurrent = DEFAULT_PARALLEL
  if (parallel !== undefined) {
    const n = Number(parallel)
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError(
        `--parallel ${parallel} is not a whole number of scenarios`,
        'give --parallel N with N >= 1',
      )
    if (serial) throw new UsageError('--parallel and --serial contradict each other', 'give one of them')
    if (existingCluster)
      throw new UsageError(
        "--parallel needs the suite's own cluster: scenarios run concurrently each in a namespace the suite creates",
        'drop --parallel (scenarios run one after another in the lab namespace)',
      )
    if (input.namespace !== undefined)
      throw new UsageError(
        `--parallel and --namespace ${namespace} contradict each other: concurrent scenarios each get a namespace of their own`,
        'drop one of them',
      )
    maxConcurrent = n
  }
  if (serial) return { mode: 'serial', namespace, why: '--serial' }
  if (existingCluster) return { mode: 'serial', namespace, why: "a cluster that is not the suite's own" }
  if (input.namespace !== undefined) return { mode: 'serial', namespace, why: `--namespace ${namespace}` }
  if (scenarios < 2 || maxConcurrent === 1) return { mode: 'serial', namespace, why: 'one at a time' }
  return { mode: 'concurrent', maxConcurrent }
}
