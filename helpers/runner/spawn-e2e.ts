import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The vitest command line for the e2e project and the given files. Pure. */
export function e2eArgv(
  vitestEntry: string,
  files: readonly string[],
  options: { failFast?: boolean } = {},
): string[] {
  return [vitestEntry, 'run', '--project', 'e2e', ...(options.failFast ? ['--bail=1'] : []), ...files]
}

/** Runs the e2e project in a child process with the run's environment; resolves to its exit code. */
export function spawnE2e(
  files: readonly string[],
  env: Readonly<Record<string, string>>,
  output: 'inherit' | 'ignore' = 'inherit',
  options: { failFast?: boolean } = {},
): Promise<number> {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, e2eArgv(vitest, files, options), {
      cwd: ROOT,
      stdio: output,
      env: { ...process.env, ...env },
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)))
  })
}
