import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, onTestFinished, TestRunner } from 'vitest'

/**
 * The one way tests make folders in the OS temp directory, so `npm test` leaves none behind.
 *
 * - Inside a test: removed when that test finishes (pass or fail).
 * - While a file or `describe` body is being collected: removed after that block's tests.
 * - Inside `beforeAll`: vitest cannot add an `afterAll` from there, so use `makeTempDir` and
 *   return its `remove` from the hook (vitest runs a function returned by `beforeAll` as the
 *   matching teardown).
 */
export function tempDir(prefix: string): string {
  const dir = makeTempDir(prefix)
  if (TestRunner.getCurrentTest()) onTestFinished(dir.remove)
  else afterAll(dir.remove)
  return dir.path
}

/** A temp folder and the function that removes it, for hooks (see `tempDir`). */
export function makeTempDir(prefix: string): { readonly path: string; readonly remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `itc-${prefix}-`))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}
