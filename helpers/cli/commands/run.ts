import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CATALOGUE, SCENARIO_IDS } from '../../catalogue.js'
import { choices, NotImplementedError, UsageError } from '../../errors.js'
import { guardContext, suiteContextName } from '../../kube/context-guard.js'
import { loadKubeConfig } from '../../kube/kubeconfig.js'
import { checkReachable } from '../../kube/reachability.js'
import type { ParsedArgs } from '../args.js'

export function listScenarios(): string {
  const width = Math.max(...CATALOGUE.map((s) => s.id.length))
  return CATALOGUE.map((s) => `${s.id.padEnd(width)}  ${s.title}`).join('\n')
}

/** Validates scenario ids against the catalogue; none given means all, in catalogue order. */
export function selectScenarios(ids: readonly string[]): string[] {
  const unknown = ids.filter((id) => !SCENARIO_IDS.includes(id))
  if (unknown.length) {
    throw new UsageError(
      `unknown scenario ${unknown.map((u) => `'${u}'`).join(', ')}`,
      `valid scenario ids: ${choices(SCENARIO_IDS)} (see 'run --list')`,
    )
  }
  return ids.length ? SCENARIO_IDS.filter((id) => ids.includes(id)) : [...SCENARIO_IDS]
}

/** Where a scenario's e2e entry lives; a scenario is runnable once its file exists. */
export function suiteFile(id: string): string {
  return fileURLToPath(new URL(`../../../suites/${id}/${id}.e2e.ts`, import.meta.url))
}

export async function runCommand(args: ParsedArgs, out: (line: string) => void): Promise<number> {
  if (args.switches.has('list')) {
    out(listScenarios())
    return 0
  }
  const selected = selectScenarios(args.positionals)
  const clusterName = args.values.name as string
  const loaded = loadKubeConfig(args.values.kubeconfig)
  const context = guardContext({
    clusterName,
    requestedContext: args.values.context,
    currentContext: loaded.currentContext,
    knownContexts: loaded.contexts,
    allowExistingCluster: args.switches.has('allow-existing-cluster'),
    kubeconfigSource: loaded.source,
  })
  const reach = await checkReachable(loaded.kubeConfig, context)
  if (!reach.reachable) {
    throw new UsageError(
      `cluster of context ${context} is unreachable at ${reach.server}: ${reach.reason}`,
      context === suiteContextName(clusterName)
        ? `create it with 'npm run conformance -- up --name ${clusterName}'`
        : 'check that the cluster is running and the kubeconfig is current',
    )
  }
  out(`context ${context}: Kubernetes ${reach.gitVersion} at ${reach.server}`)
  const missing = selected.filter((id) => !existsSync(suiteFile(id)))
  if (missing.length) throw new NotImplementedError(`scenario ${missing.join(', ')}`)
  throw new NotImplementedError('scenario runner')
}
