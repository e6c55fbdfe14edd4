import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import type { ObjectRef } from '../kube/client.js'
import { writeJsonDurably } from '../system/json-file.js'

/**
 * The change journal: every change the suite makes to a cluster is written here BEFORE it is
 * made (write-ahead: what the object was, what it will be). Cleanup undoes entries newest first
 * and removes each once it is undone, so whatever stops the suite (a failed check, Ctrl-C, a
 * crash, `kill -9`, a lost laptop lid) leaves exactly the changes still to undo, and the next
 * `run`, `up` or `restore` undoes them first.
 */
export interface JournalEntry {
  readonly seq: number
  readonly at: string
  readonly scenario: string
  readonly ref: ObjectRef
  /** The object before the suite touched it; null when it did not exist (undo: delete it). */
  readonly before: KubernetesObject | null
  /** What the suite is about to do (the newest change, when it changes an object twice). */
  readonly change: { readonly kind: 'apply'; readonly object: KubernetesObject } | { readonly kind: 'delete' }
}

export interface JournalFile {
  readonly schema: 1
  readonly context: string
  readonly server: string
  readonly entries: readonly JournalEntry[]
}

/** Where a journal lives. The file store writes atomically and durably; tests keep it in memory. */
export interface JournalStore {
  readonly location: string
  read(): JournalFile | undefined
  write(file: JournalFile): void
}

const sameRef = (a: ObjectRef, b: ObjectRef) =>
  a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '')

export const describeRef = (r: ObjectRef) => `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`

/** One line per entry: what undoing it does. Pure. */
export function describeUndo(entry: JournalEntry): string {
  return `${entry.before ? 'restore' : 'delete'} ${describeRef(entry.ref)} (${entry.scenario})`
}

export class Journal {
  private file: JournalFile

  constructor(
    private readonly store: JournalStore,
    readonly context: string,
    readonly server: string,
  ) {
    this.file = store.read() ?? { schema: 1, context, server, entries: [] }
  }

  get location(): string {
    return this.store.location
  }

  entries(scenario?: string): readonly JournalEntry[] {
    return scenario ? this.file.entries.filter((e) => e.scenario === scenario) : this.file.entries
  }

  /** The server the journal was written for: another one means the cluster was recreated. */
  get writtenFor(): string {
    return this.file.server
  }

  /**
   * Write-ahead: records a change before it is made. An object changed twice keeps the state
   * it had before the first change, and the newest intended change.
   */
  record(
    scenario: string,
    ref: ObjectRef,
    before: KubernetesObject | null,
    change: JournalEntry['change'],
    at: Date,
  ): void {
    const existing = this.file.entries.find((e) => e.scenario === scenario && sameRef(e.ref, ref))
    const entries = existing
      ? this.file.entries.map((e) => (e === existing ? { ...e, change } : e))
      : [
          ...this.file.entries,
          {
            seq: Math.max(0, ...this.file.entries.map((e) => e.seq)) + 1,
            at: at.toISOString(),
            scenario,
            ref,
            before,
            change,
          },
        ]
    this.save({ ...this.file, entries })
  }

  /** Whether the journal already holds the state of `ref` before this scenario changed it. */
  has(scenario: string, ref: ObjectRef): boolean {
    return this.file.entries.some((e) => e.scenario === scenario && sameRef(e.ref, ref))
  }

  /** Removes an entry once its change is undone. */
  remove(seq: number): void {
    this.save({ ...this.file, entries: this.file.entries.filter((e) => e.seq !== seq) })
  }

  /** Starts over for this context's current server (the journal was for a cluster that is gone). */
  reset(): void {
    this.save({ schema: 1, context: this.context, server: this.server, entries: [] })
  }

  private save(file: JournalFile): void {
    this.store.write(file)
    this.file = file
  }
}

/** A journal kept in memory: for tests, and for a lab without a file. */
export function memoryJournalStore(initial?: JournalFile): JournalStore & { file: JournalFile | undefined } {
  const store = {
    location: '(memory)',
    file: initial,
    read: () => store.file,
    write: (f: JournalFile) => {
      store.file = structuredClone(f)
    },
  }
  return store
}

/** A file name for a context: readable, and safe whatever the context is called. Pure. */
export function journalFileName(context: string): string {
  const safe = context.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)
  let hash = 0
  for (const ch of context) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0
  return `${safe}-${hash.toString(16).padStart(8, '0')}.json`
}

/**
 * The journal of one kube context in `dir`. Each write goes to a temporary file that is
 * flushed to disk and then renamed over the journal, so a crash leaves the old or the new
 * journal, never half of one. An empty journal is removed.
 */
export function fileJournalStore(dir: string, context: string): JournalStore {
  const path = join(dir, journalFileName(context))
  return {
    location: path,
    read() {
      if (!existsSync(path)) return undefined
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as JournalFile
      if (parsed.schema !== 1 || !Array.isArray(parsed.entries))
        throw new Error(`${path} is not a change journal of this suite`)
      return parsed
    },
    write(file) {
      writeJsonDurably(path, file.entries.length === 0 ? undefined : file)
    },
  }
}
