import { join } from 'node:path'
import { fileIntentStore, IntentJournal } from '../../../cluster/rehearsal-journal.js'
import type { KubeClient } from '../../kube/client.js'
import { journalFileName } from '../../runner/journal.js'
import type { LabCluster } from '../../runner/lab.js'
import { JOURNAL_DIR } from '../../runner/paths.js'
import { ingressTarget, realLabAdapters } from '../../runner/real-lab.js'
import type { ParsedArgs } from '../args.js'
import { connectGuarded, journalFor, replayJournal } from './connect.js'

export interface RestoreDeps {
  readonly cluster: (client: KubeClient) => Pick<LabCluster, 'apply' | 'read' | 'delete'>
  readonly journalDir: string
}

const DEFAULT_DEPS: RestoreDeps = {
  cluster: (client) => realLabAdapters(client, ingressTarget('127.0.0.1:30000'), () => undefined).cluster,
  journalDir: JOURNAL_DIR,
}

/**
 * `restore`: undoes what the change journal of the guarded context still holds (a run whose
 * cleanup was abandoned with a third Ctrl-C, a crash, kill -9), saying what it undoes.
 * Exit 0 when the journal is empty afterwards; 2 when something could not be undone.
 */
export async function restoreCommand(
  args: ParsedArgs,
  out: (line: string) => void,
  deps: RestoreDeps = DEFAULT_DEPS,
): Promise<number> {
  const cluster = await connectGuarded(args, out)
  // An interrupted rehearsal keeps journals of its own (the namespace's revision label, the
  // control-plane installs): undoing them needs both Istio versions' istioctl, which the next
  // `rehearse` resolves and uses first. Say so rather than leave them unnoticed.
  const intents = new IntentJournal(fileIntentStore(deps.journalDir, journalFileName(cluster.context)))
  const rehearsal = journalFor(cluster.context, cluster.server, join(deps.journalDir, 'rehearsal'))
  if (intents.intents().length > 0 || rehearsal.entries().length > 0) {
    out(
      `an interrupted rehearsal left ${intents.intents().length + rehearsal.entries().length} change(s) (${intents.location}): run the same 'npm run conformance -- rehearse --from ${intents.from ?? 'A'} --to B' again, it puts the cluster back on ${intents.from ?? 'A'} first`,
    )
  }
  const journal = journalFor(cluster.context, cluster.server, deps.journalDir)
  if (journal.entries().length === 0) {
    out(`nothing to restore: the journal of context ${cluster.context} is empty (${journal.location})`)
    return 0
  }
  await replayJournal(journal, deps.cluster(cluster.client), out)
  return 0
}
