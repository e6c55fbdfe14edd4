import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeJsonDurably } from '../helpers/system/json-file.js'

/**
 * The rehearsal's own write-ahead journal, for the cluster changes that are not one Kubernetes
 * object and so do not fit the change journal: a control plane installed by istioctl (undone
 * with `istioctl uninstall --revision`), the gateway moved by an install (undone by installing
 * A again with A's istioctl), workloads restarted onto another revision (undone by restarting
 * them once the namespace labels are back). The namespace label itself is one object and goes
 * to a change journal of the rehearsal's own (.journal/rehearsal/). Each intent is written
 * before its change; the way back to A reads them all and undoes them in the order Istio's
 * canary guide gives.
 */
export type Intent =
  | {
      readonly kind: 'install'
      /** The version installed, and its revision (canary) or none (in place). */
      readonly version: string
      readonly revision?: string
      readonly undo: string
    }
  | { readonly kind: 'restart'; readonly namespace: string; readonly undo: string }

export interface IntentFile {
  readonly schema: 1
  readonly context: string
  /** The version the rehearsal started from: where the way back leads. */
  readonly from: string
  readonly intents: readonly Intent[]
}

export interface IntentStore {
  readonly location: string
  read(): IntentFile | undefined
  write(file: IntentFile | undefined): void
}

export class IntentJournal {
  private file: IntentFile | undefined

  constructor(private readonly store: IntentStore) {
    this.file = store.read()
  }

  get location(): string {
    return this.store.location
  }

  /** The version to go back to, when intents are left. */
  get from(): string | undefined {
    return this.file?.from
  }

  intents(): readonly Intent[] {
    return this.file?.intents ?? []
  }

  /** Write-ahead: records an intent before its change. */
  record(context: string, from: string, intent: Intent): void {
    const file: IntentFile = { schema: 1, context, from, intents: [...this.intents(), intent] }
    this.store.write(file)
    this.file = file
  }

  /** Empties the journal once the cluster is back on A (or the upgrade is kept). */
  reset(): void {
    this.store.write(undefined)
    this.file = undefined
  }
}

/** One line per intent: what undoing it does. Pure. */
export function describeIntent(intent: Intent): string {
  return intent.undo
}

export function memoryIntentStore(): IntentStore & { file: IntentFile | undefined } {
  const store = {
    location: '(memory)',
    file: undefined as IntentFile | undefined,
    read: () => store.file,
    write: (f: IntentFile | undefined) => {
      store.file = f ? structuredClone(f) : undefined
    },
  }
  return store
}

/** `.journal/rehearsal-<context file>`: written atomically and durably; removed when empty. */
export function fileIntentStore(dir: string, contextFileName: string): IntentStore {
  const path = join(dir, `rehearsal-${contextFileName}`)
  return {
    location: path,
    read() {
      if (!existsSync(path)) return undefined
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as IntentFile
      if (parsed.schema !== 1 || !Array.isArray(parsed.intents))
        throw new Error(`${path} is not a rehearsal journal of this suite`)
      return parsed
    },
    write(file) {
      writeJsonDurably(path, !file || file.intents.length === 0 ? undefined : file)
    },
  }
}
