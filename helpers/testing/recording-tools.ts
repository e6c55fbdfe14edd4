import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './temp-dir.js'

/**
 * Fake executables that append their argv (as a JSON array) to a log and print a canned
 * answer: real processes, so the adapter's exec path and argument arrays are exercised.
 */
export function recordingTools(answers: Record<string, { stdout?: string; stderr?: string; exit?: number }>) {
  const dir = tempDir('fake-tools')
  const log = join(dir, 'calls.log')
  writeFileSync(log, '')
  const paths: Record<string, string> = {}
  for (const [tool, answer] of Object.entries(answers)) {
    const path = join(dir, tool)
    const out = join(dir, `${tool}.out`)
    writeFileSync(out, answer.stdout ?? '')
    writeFileSync(`${out}.err`, answer.stderr ?? '')
    writeFileSync(
      path,
      `#!/usr/bin/env node
const fs = require('node:fs')
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify([${JSON.stringify(tool)}, ...process.argv.slice(2)]) + '\\n')
process.stdout.write(fs.readFileSync(${JSON.stringify(out)}, 'utf8'))
process.stderr.write(fs.readFileSync(${JSON.stringify(`${out}.err`)}, 'utf8'))
process.exit(${answer.exit ?? 0})
`,
    )
    chmodSync(path, 0o755)
    paths[tool] = path
  }
  return {
    dir,
    paths,
    calls: (): string[][] =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
  }
}
