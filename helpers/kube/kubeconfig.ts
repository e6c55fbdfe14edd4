import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { UsageError } from '../errors.js'

export interface LoadedKubeConfig {
  readonly kubeConfig: KubeConfig
  /** Human-readable origin: the file path(s). */
  readonly source: string
  readonly currentContext: string | undefined
  readonly contexts: readonly string[]
  /** Each context's API server; undefined where the context names a cluster no file defines. */
  readonly servers: Readonly<Record<string, string | undefined>>
}

/** The kubeconfig files in effect: the flag, else $KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigPaths(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (flag) return [flag]
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (fromEnv.length) return fromEnv
  return [join(env.HOME ?? homedir(), '.kube', 'config')]
}

/**
 * Loads and merges the kubeconfig files. Bad input is a UsageError (exit 2) with its own
 * message: no kubeconfig at all, an empty file, a malformed file (with the parser's first line).
 * A context that names a missing cluster is reported by the context guard, which knows which
 * context is meant.
 */
export function loadKubeConfig(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): LoadedKubeConfig {
  const paths = kubeconfigPaths(flag, env)
  const kubeConfig = new KubeConfig()
  const present = paths.filter((p) => existsSync(p))
  if (flag && present.length === 0) {
    throw new UsageError(`kubeconfig ${flag} does not exist`, 'pass an existing file to --kubeconfig')
  }
  if (present.length === 0) {
    throw new UsageError(
      `no kubeconfig: ${paths.join(', ')} ${paths.length > 1 ? 'do' : 'does'} not exist`,
      "create the suite's cluster with 'npm run conformance -- up' (kind writes its context), or pass --kubeconfig PATH",
    )
  }
  for (const path of present) {
    if (readFileSync(path, 'utf8').trim() === '') {
      throw new UsageError(
        `kubeconfig ${path} is empty`,
        "remove it and run 'npm run conformance -- up', or point --kubeconfig at a valid file",
      )
    }
    const one = new KubeConfig()
    try {
      one.loadFromFile(path)
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
      throw new UsageError(
        `malformed kubeconfig ${path}: ${reason}`,
        'fix or remove the file, or point --kubeconfig at a valid one',
      )
    }
    merge(kubeConfig, one)
  }
  const source = paths.join(delimiter)
  const current = kubeConfig.getCurrentContext()
  return {
    kubeConfig,
    source,
    currentContext: current ? current : undefined,
    contexts: kubeConfig.getContexts().map((c) => c.name),
    servers: Object.fromEntries(
      kubeConfig.getContexts().map((c) => [c.name, kubeConfig.getCluster(c.cluster)?.server]),
    ),
  }
}

/** kubectl's merge rule: the first file to define a name (or the current context) wins. */
function merge(into: KubeConfig, from: KubeConfig): void {
  const has = <T extends { name: string }>(list: readonly T[], name: string) =>
    list.some((x) => x.name === name)
  for (const c of from.getClusters()) if (!has(into.getClusters(), c.name)) into.addCluster(c)
  for (const u of from.getUsers()) if (!has(into.getUsers(), u.name)) into.addUser(u)
  for (const c of from.getContexts()) if (!has(into.getContexts(), c.name)) into.addContext(c)
  if (!into.getCurrentContext() && from.getCurrentContext()) into.setCurrentContext(from.getCurrentContext())
}
