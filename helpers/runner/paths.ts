import { fileURLToPath } from 'node:url'

/** `reports/` at the project root: generated output only. */
export const REPORTS_DIR = fileURLToPath(new URL('../../reports', import.meta.url))

/** `.journal/` at the project root: one change journal per kube context (git-ignored). */
export const JOURNAL_DIR = fileURLToPath(new URL('../../.journal', import.meta.url))

/** A filesystem-safe UTC timestamp: 2026-11-27T08-01-02Z. */
export function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-')
}
