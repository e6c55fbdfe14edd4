import type { ParsedArgs } from '../cli/args.js'
import { parseArgv } from '../cli/args.js'

/** A command line as the CLI parses it; a test that needs a command (not help) gets its args. */
export function commandArgs(argv: readonly string[]): ParsedArgs {
  const parsed = parseArgv(argv)
  if (parsed.kind !== 'command') throw new Error('expected a command')
  return parsed.args
}
