import type { V1ConfigMap } from '@kubernetes/client-node'
import { UsageError } from '../../errors.js'
import { chooseLang, DEFAULT_LANG, type Lang } from '../../i18n/lang.js'
import { t } from '../../i18n/messages.js'
import { KubeClient } from '../../kube/client.js'
import { guardContext, suiteContextName } from '../../kube/context-guard.js'
import { loadKubeConfig } from '../../kube/kubeconfig.js'
import { judgeLabNamespace, ownNamespaceState, ownNamespacesTaken } from '../../kube/lab-namespace.js'
import { judgeOwnership, OWNERSHIP_RECORD } from '../../kube/ownership.js'
import { checkReachable } from '../../kube/reachability.js'
import { BOOK_NAMESPACE } from '../../manifests/namespace.js'
import { judgeMeshState, type MeshState } from '../../mesh-edits.js'
import { describeUndo, fileJournalStore, Journal } from '../../runner/journal.js'
import type { LabCluster } from '../../runner/lab.js'
import { JOURNAL_DIR } from '../../runner/paths.js'
import { undoJournal } from '../../runner/undo.js'
import type { ParsedArgs } from '../args.js'

/** A cluster the suite may change: guarded, reachable, and proven to be its own (or named by the user). */
export interface GuardedCluster {
  readonly context: string
  readonly server: string
  readonly gitVersion: string
  readonly client: KubeClient
  /** The profile from the ownership record; 'existing' on a cluster that is not the suite's own. */
  readonly profile: string
  readonly existingCluster: boolean
}

/**
 * The gate every cluster-changing command passes before its first write: the context guard
 * (names, and the suite's own context on loopback, decided from the kubeconfig without
 * contacting anything), reachability, then the ownership record over the API (reads only).
 */
export async function connectGuarded(args: ParsedArgs, out: (line: string) => void): Promise<GuardedCluster> {
  const clusterName = args.values.name as string
  const loaded = loadKubeConfig(args.values.kubeconfig)
  const existingCluster = args.switches.has('allow-existing-cluster')
  const context = guardContext({
    clusterName,
    requestedContext: args.values.context,
    currentContext: loaded.currentContext,
    knownContexts: loaded.contexts,
    servers: loaded.servers,
    allowExistingCluster: existingCluster,
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
  const client = new KubeClient(loaded.kubeConfig, context)
  const record = (await client.configMap(OWNERSHIP_RECORD.namespace, OWNERSHIP_RECORD.name))?.data
  const profile = existingCluster
    ? (record?.profile ?? 'existing')
    : judgeOwnership({ context, server: reach.server, clusterName, record })
  const namespace = args.values.namespace ?? BOOK_NAMESPACE
  const where = { context, version: reach.gitVersion, server: reach.server }
  out(
    existingCluster
      ? t(chooseLang(args.values.lang, process.env), 'connect.existing', { ...where, namespace })
      : t(chooseLang(args.values.lang, process.env), 'connect.own', {
          ...where,
          cluster: clusterName,
          profile,
        }),
  )
  return { context, server: reach.server, gitVersion: reach.gitVersion, client, profile, existingCluster }
}

/** The change journal of a context, kept under `dir`. */
export function journalFor(context: string, server: string, dir = JOURNAL_DIR): Journal {
  return new Journal(fileJournalStore(dir, context), context, server)
}

/**
 * Undoes what an earlier run left in the journal (Ctrl-C abandoned, a crash, kill -9), saying
 * what it undoes. A journal written for another API server belongs to a cluster that is gone:
 * it is set aside with a note. Throws UsageError when something cannot be undone.
 */
export async function replayJournal(
  journal: Journal,
  cluster: Pick<LabCluster, 'apply' | 'read' | 'delete'>,
  out: (line: string) => void,
  lang: Lang = DEFAULT_LANG,
): Promise<void> {
  const left = journal.entries()
  if (left.length === 0) return
  if (journal.writtenFor !== journal.server) {
    out(
      t(lang, 'connect.journalStale', {
        journal: journal.location,
        writtenFor: journal.writtenFor,
        server: journal.server,
        count: left.length,
      }),
    )
    journal.reset()
    return
  }
  out(t(lang, 'connect.undoing', { count: left.length, journal: journal.location }))
  for (const e of [...left].reverse()) out(`  ${describeUndo(e)}`)
  const report = await undoJournal(journal, cluster, { log: () => undefined })
  if (report.errors.length) {
    throw new UsageError(
      `could not undo ${report.errors.length} change(s) an earlier run left: ${report.errors.join('; ')}`,
      `fix the cause, then 'npm run conformance -- restore'; the journal keeps them (${journal.location})`,
    )
  }
  out(t(lang, 'connect.undone', { deleted: report.deleted.length, restored: report.restored.length }))
}

/**
 * Reads what judgeMeshState needs (the mesh config, the Corefile, the lab namespace's Sidecar
 * `default`, which is the one the suite applies) and refuses to run on a mesh left in a state
 * the scenarios would misread.
 */
export async function checkMeshState(
  cluster: Pick<LabCluster, 'read'>,
  existingCluster: boolean,
  namespace: string = BOOK_NAMESPACE,
): Promise<void> {
  const cm = async (namespace: string, name: string) =>
    (await cluster.read({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name })) as V1ConfigMap | undefined
  const sidecar = (await cluster.read({
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'Sidecar',
    namespace,
    name: 'default',
  })) as { spec?: { outboundTrafficPolicy?: { mode?: string } } } | undefined
  const state: MeshState = {
    mesh: (await cm('istio-system', 'istio'))?.data?.mesh,
    corefile: (await cm('kube-system', 'coredns'))?.data?.Corefile,
    registryOnlySidecars: sidecar?.spec?.outboundTrafficPolicy?.mode === 'REGISTRY_ONLY' ? ['default'] : [],
  }
  const problems = judgeMeshState(state, { existingCluster })
  if (problems.length) {
    throw new UsageError(
      `the cluster is not in the state the scenarios expect: ${problems[0]}`,
      problems.length > 1 ? `also: ${problems.slice(1).join('; ')}` : 'fix it as said, then run again',
    )
  }
}

/**
 * Refuses (exit 2, before any change) a lab namespace the run may not use: absent, without
 * sidecar injection, or, on a cluster that is not the suite's own, holding objects the suite did
 * not create unless the user adopts it (helpers/kube/lab-namespace.ts). Says what it adopts.
 */
export async function checkLabNamespace(
  cluster: Pick<LabCluster, 'namespaceFacts'>,
  namespace: string,
  options: { readonly existingCluster: boolean; readonly adopt: boolean; readonly context: string },
  out: (line: string) => void,
  lang: Lang = DEFAULT_LANG,
): Promise<void> {
  const verdict = judgeLabNamespace(await cluster.namespaceFacts(namespace), options)
  if (verdict.refusal) throw new UsageError(verdict.refusal.cause, verdict.refusal.fix)
  if (verdict.adopted.length)
    out(
      t(lang, 'connect.adopted', {
        namespace,
        count: verdict.adopted.length,
        objects: verdict.adopted.join(', '),
      }),
    )
}

/**
 * Before scenarios run concurrently: none of the namespaces they will create may exist already
 * as someone else's (exit 2, naming them). One being deleted is waited for by its scenario.
 */
export async function checkOwnNamespaces(
  cluster: Pick<LabCluster, 'read'>,
  namespaces: readonly string[],
): Promise<void> {
  const states = await Promise.all(
    namespaces.map(async (name) => ({
      name,
      state: ownNamespaceState(await cluster.read({ apiVersion: 'v1', kind: 'Namespace', name })),
    })),
  )
  const taken = states.filter((s) => s.state === 'taken').map((s) => s.name)
  if (taken.length) {
    const { cause, fix } = ownNamespacesTaken(taken)
    throw new UsageError(cause, fix)
  }
}
