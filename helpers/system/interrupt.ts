import { stripControls } from '../text/escape.js'

/**
 * What Ctrl-C (SIGINT) and SIGTERM do while the suite has something to undo.
 *
 * - The first press stops starting new work (the signal aborts), says what it will undo, and
 *   runs the registered cleanups, newest first (a scenario undoes its journal, a download
 *   removes its partial file); then the process exits (130 for SIGINT, 143 for SIGTERM).
 * - A second press does not kill the cleanup: it says what is still left.
 * - A third abandons the cleanup at once, says what is left and where the journal keeps it,
 *   so `restore` (or the next `run` or `up`) can undo it later.
 *
 * With nothing registered the process keeps Node's default behaviour: the handlers are only
 * installed while a cleanup is registered.
 */
export interface Cleanup {
  readonly what: string
  run(): Promise<unknown>
  /** What is still left to undo, one line each (shown on the second and third press). */
  remaining?(): readonly string[]
}

export interface InterruptIo {
  write(line: string): void
  exit(code: number): void
}

type Signal = 'SIGINT' | 'SIGTERM'

export class Interrupts {
  private readonly controller = new AbortController()
  private readonly cleanups: Cleanup[] = []
  private presses = 0
  private cleaning: Promise<void> | undefined
  /** Where the change journal is, for the message when cleanup is abandoned. */
  journalLocation: string | undefined

  constructor(
    private readonly io: InterruptIo,
    /** Installs or removes the process handlers; tests leave the process alone. */
    private readonly install: (handler: ((signal: Signal) => void) | undefined) => void = () => undefined,
  ) {}

  /** Aborted on the first press: long work checks it and starts nothing new. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  register(cleanup: Cleanup): () => void {
    this.cleanups.push(cleanup)
    if (this.cleanups.length === 1) this.install((s) => this.press(s))
    return () => {
      const i = this.cleanups.indexOf(cleanup)
      if (i >= 0) this.cleanups.splice(i, 1)
      if (this.cleanups.length === 0 && this.presses === 0) this.install(undefined)
    }
  }

  private left(): string[] {
    return this.cleanups.flatMap((c) => c.remaining?.() ?? [c.what])
  }

  private listed(lines: readonly string[]): string {
    return lines.length ? lines.join('; ') : 'nothing'
  }

  press(signal: Signal): void {
    this.presses++
    const code = signal === 'SIGINT' ? 130 : 143
    if (this.presses === 1) {
      this.controller.abort()
      this.io.write(
        `${signal}: stopping; undoing ${this.listed(this.left())}. Ctrl-C again shows what is left; a third time abandons the cleanup`,
      )
      this.cleaning = this.runCleanups().then(() => {
        this.io.write(`${signal}: cleanup finished`)
        this.io.exit(code)
      })
      return
    }
    if (this.presses === 2) {
      this.io.write(
        `cleanup still running, left: ${this.listed(this.left())}. Press Ctrl-C once more to abandon it`,
      )
      return
    }
    if (this.presses === 3) {
      const where = this.journalLocation ? ` in the journal ${this.journalLocation}` : ''
      this.io.write(
        `cleanup abandoned; left${where}: ${this.listed(this.left())}. Undo it with 'npm run conformance -- restore'`,
      )
      this.io.exit(code)
    }
  }

  /** Settles when the cleanups started by the first press have run (for tests). */
  async settled(): Promise<void> {
    await this.cleaning
  }

  /** Runs the registered cleanups now, newest first, without exiting. */
  runRegistered(): Promise<void> {
    return this.runCleanups()
  }

  private async runCleanups(): Promise<void> {
    while (this.cleanups.length > 0) {
      const cleanup = this.cleanups[this.cleanups.length - 1] as Cleanup
      try {
        await cleanup.run()
      } catch (error) {
        this.io.write(
          `cleanup failed: ${cleanup.what}: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
      const i = this.cleanups.indexOf(cleanup)
      if (i >= 0) this.cleanups.splice(i, 1)
    }
    if (this.presses === 0) this.install(undefined)
  }
}

/** The process's interrupt handling. */
export const interrupts = new Interrupts(
  {
    // What is left names cluster objects: no escape sequence reaches the terminal.
    write: (line) => process.stderr.write(`\n${stripControls(line, true)}\n`),
    exit: (code) => process.exit(code),
  },
  (() => {
    let installed: ((signal: Signal) => void) | undefined
    return (handler) => {
      if (installed) {
        process.off('SIGINT', installed)
        process.off('SIGTERM', installed)
      }
      installed = handler
      if (handler) {
        process.on('SIGINT', handler)
        process.on('SIGTERM', handler)
      }
    }
  })(),
)

/** Registers a cleanup for Ctrl-C; returns the function that unregisters it. */
export function onInterrupt(
  run: () => Promise<unknown>,
  what = 'cleanup',
  remaining?: () => readonly string[],
): () => void {
  return interrupts.register({ what, run, ...(remaining ? { remaining } : {}) })
}

/** Runs the registered cleanups as the first Ctrl-C would, without exiting (for tests). */
export function runInterruptCleanups(): Promise<void> {
  return interrupts.runRegistered()
}
