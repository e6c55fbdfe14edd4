import { choices, UsageError } from '../errors.js'
import { COMMAND_NAMES, type CommandSpec, findCommand } from './spec.js'

export interface ParsedArgs {
  readonly command: CommandSpec
  readonly positionals: readonly string[]
  /** String flags, defaults filled in. */
  readonly values: Readonly<Record<string, string>>
  /** Boolean flags that were given. */
  readonly switches: ReadonlySet<string>
}

export type ParseResult = { kind: 'help'; command?: CommandSpec } | { kind: 'command'; args: ParsedArgs }

/**
 * Parses `argv` (without node and script) against the command table.
 * Pure: throws UsageError naming the bad word and the valid choices.
 */
export function parseArgv(argv: readonly string[]): ParseResult {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    const topic = argv[0] === 'help' && argv[1] !== undefined ? lookup(argv[1]) : undefined
    return topic ? { kind: 'help', command: topic } : { kind: 'help' }
  }
  // No command (or only flags) means the main job, `all`.
  const [first, ...rest] = argv[0] === undefined || argv[0].startsWith('--') ? ['all', ...argv] : argv
  const command = lookup(first as string)
  const values: Record<string, string> = {}
  const switches = new Set<string>()
  const positionals: string[] = []

  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string
    if (word === '--') {
      positionals.push(...rest.slice(i + 1))
      break
    }
    if (word === '-h') {
      return { kind: 'help', command }
    }
    if (!word.startsWith('--')) {
      positionals.push(word)
      continue
    }
    const eq = word.indexOf('=')
    const flagName = word.slice(2, eq === -1 ? undefined : eq)
    const flag = command.flags.find((f) => f.name === flagName)
    if (!flag) {
      throw new UsageError(
        `unknown flag --${flagName} for '${command.name}'`,
        `valid flags: ${choices(command.flags.map((f) => `--${f.name}`))}`,
      )
    }
    if (switches.has(flagName) || values[flagName] !== undefined) {
      throw new UsageError(`flag --${flagName} is given twice`, `give --${flagName} once`)
    }
    if (flag.kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`flag --${flagName} takes no value`, `write it as --${flagName}`)
      switches.add(flagName)
      continue
    }
    let value: string | undefined
    if (eq !== -1) {
      value = word.slice(eq + 1)
    } else {
      value = rest[i + 1]
      i++
    }
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new UsageError(
        `flag --${flagName} needs a value`,
        `write it as --${flagName} ${flag.value ?? 'VALUE'}`,
      )
    }
    if (flag.choices && !flag.choices.includes(value)) {
      throw new UsageError(
        `unknown value '${value}' for --${flagName}`,
        `valid values: ${choices(flag.choices)}`,
      )
    }
    const problem = flag.validate?.(value)
    if (problem) {
      throw new UsageError(
        `invalid --${flagName}: ${problem}`,
        `write it as --${flagName} ${flag.value ?? 'VALUE'}`,
      )
    }
    values[flagName] = value
  }
  if (switches.has('help')) return { kind: 'help', command }
  if (command.positionals === '' && positionals.length) {
    throw new UsageError(
      `unexpected argument '${positionals[0]}' for '${command.name}'`,
      `usage: ${command.usage}`,
    )
  }
  for (const flag of command.flags) {
    if (flag.default !== undefined && values[flag.name] === undefined) values[flag.name] = flag.default
  }
  return { kind: 'command', args: { command, positionals, values, switches } }
}

function lookup(commandName: string): CommandSpec {
  const command = findCommand(commandName)
  if (!command) {
    throw new UsageError(`unknown command '${commandName}'`, `valid commands: ${choices(COMMAND_NAMES)}`)
  }
  return command
}
