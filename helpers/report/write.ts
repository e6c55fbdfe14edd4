import { existsSync, readdirSync, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { Lang } from '../i18n/lang.js'
import { writeJson } from '../system/json-file.js'
import { toHtml } from './html.js'
import { toJUnit } from './junit.js'
import type { RunRecord } from './model.js'
import { toMarkdown } from './summary.js'

export const REPORT_FILES = ['run.json', 'junit.xml', 'summary.md', 'index.html'] as const

/**
 * Writes the four report files of a run into its folder. The files people read (summary.md,
 * index.html) speak the run's language; run.json and junit.xml are for machines and CI
 * dashboards, and stay in English whatever the language.
 */
export async function writeReports(runDir: string, run: RunRecord, lang: Lang = 'en'): Promise<void> {
  await writeJson(join(runDir, 'run.json'), run)
  await writeFile(join(runDir, 'junit.xml'), toJUnit(run))
  await writeFile(join(runDir, 'summary.md'), toMarkdown(run, lang))
  await writeFile(join(runDir, 'index.html'), toHtml(run, lang))
}

/** The diagnostics files each failed scenario left in the run folder. */
export function listDiagnostics(runDir: string): Record<string, string[]> {
  const root = join(runDir, 'diagnostics')
  if (!existsSync(root)) return {}
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) =>
      statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)],
    )
  return Object.fromEntries(
    readdirSync(root).map((id) => [
      id,
      walk(join(root, id))
        .map((f) => relative(runDir, f))
        .sort(),
    ]),
  )
}
