import { COMMANDS, type CommandSpec } from './spec.js'

const BIN = 'npm run conformance --'

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'istio-traffic-conformance: prove the Istio in Action chapter-5 traffic scenarios on a kind cluster',
    '',
    `usage: ${BIN} <command> [flags]`,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `'${BIN} <command> --help' describes one command.`,
    'exit codes: 0 passed, 1 a check failed, 2 bad input or refused (before anything runs), 130 after Ctrl-C',
  ].join('\n')
}

export function commandHelp(command: CommandSpec): string {
  const flagLabel = (f: CommandSpec['flags'][number]): string =>
    f.kind === 'boolean' ? `--${f.name}` : `--${f.name} ${f.value ?? 'VALUE'}`
  const width = Math.max(...command.flags.map((f) => flagLabel(f).length))
  return [
    `${BIN} ${command.usage}`,
    '',
    command.summary,
    '',
    'flags:',
    ...command.flags.map((f) => {
      const extra = [
        f.choices ? `one of ${f.choices.join('|')}` : '',
        f.default !== undefined ? `default ${f.default}` : '',
      ].filter(Boolean)
      return `  ${flagLabel(f).padEnd(width)}  ${f.help}${extra.length ? ` (${extra.join('; ')})` : ''}`
    }),
  ].join('\n')
}
