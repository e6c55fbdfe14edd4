/**
 * Cleanups to run when the user presses Ctrl-C (SIGINT) or the process is told to stop
 * (SIGTERM): a download removes its partial file, a scenario removes what it applied.
 * Registration returns the function that unregisters, for the normal path's `finally`.
 */
type Cleanup = () => void | Promise<void>

const cleanups = new Set<Cleanup>()
let installed = false

export function onInterrupt(cleanup: Cleanup): () => void {
  install()
  cleanups.add(cleanup)
  return () => {
    cleanups.delete(cleanup)
  }
}

/** Runs every registered cleanup, newest first; errors are reported, never stop the others. */
export async function runInterruptCleanups(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup)
    try {
      await cleanup()
    } catch (error) {
      process.stderr.write(`cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`)
    }
  }
}

function install(): void {
  if (installed) return
  installed = true
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up before exit\n`)
      void runInterruptCleanups().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
    })
  }
}
