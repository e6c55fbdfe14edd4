import { SCENARIOS } from '../../../suites/index.js'

/** `run --list`: one line per scenario, id and title. */
export function listScenarios(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.id.length))
  return SCENARIOS.map((s) => `${s.id.padEnd(width)}  ${s.title}`).join('\n')
}
