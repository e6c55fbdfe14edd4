import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { TestContext } from 'vitest'

/** A program some offline tests need that npm cannot install. */
export interface ExternalTool {
  readonly name: string
  readonly available: () => boolean
  /** How to get it on Debian (what .ci/run does). */
  readonly install: string
}

export const CHROMIUM_PATH = '/usr/bin/chromium'

export const CHROMIUM: ExternalTool = {
  name: `chromium (${CHROMIUM_PATH})`,
  available: () => existsSync(CHROMIUM_PATH),
  install: 'apt-get install chromium',
}

export const XMLLINT: ExternalTool = {
  name: 'xmllint',
  available: () => spawnSync('xmllint', ['--version']).status === 0,
  install: 'apt-get install libxml2-utils',
}

/** Whether a missing tool fails the test: under CI=true it does, so CI never passes by skipping. */
export const strictTools = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0'

/** What a test says when a tool is missing. Pure. */
export function missingToolMessage(tool: ExternalTool): string {
  return `${tool.name} is not installed: ${tool.install} (Debian), or see README "Tests"`
}

/**
 * Call first in a test that needs `tool`. Absent under CI=true: the test fails with how to
 * install it. Absent locally: the test is skipped, and the reason is printed and recorded.
 */
export function requireTool(
  ctx: TestContext,
  tool: ExternalTool,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (tool.available()) return
  const message = missingToolMessage(tool)
  if (strictTools(env)) throw new Error(message)
  console.warn(`skipped "${ctx.task.name}": ${message}`)
  ctx.skip(message)
}
