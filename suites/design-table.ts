import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { designKey, figuresOf } from '../helpers/stats/summaries.js'
import { SCENARIOS } from './index.js'

/** The figures of every design the registry declares, keyed as summaries.ts looks them up. */
export function designTable(): Record<string, unknown> {
  const table: Record<string, unknown> = {}
  for (const s of SCENARIOS) for (const c of s.checks) table[designKey(c.design)] ??= figuresOf(c.design)
  return table
}

export const DESIGN_TABLE_FILE = fileURLToPath(
  new URL('../helpers/stats/design-summaries.json', import.meta.url),
)

// `npm run designs`: rewrite the table after a scenario declares a new design.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DESIGN_TABLE_FILE, `${JSON.stringify(designTable(), null, 2)}\n`)
  console.log(`wrote ${DESIGN_TABLE_FILE}`)
}
