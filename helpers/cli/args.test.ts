import { describe, expect, it } from 'vitest'
import { UsageError } from '../errors.js'
import { parseArgv } from './args.js'

function parsed(argv: string[]) {
  const result = parseArgv(argv)
  if (result.kind !== 'command') throw new Error('expected a command')
  return result.args
}

function usageError(argv: string[]): UsageError {
  try {
    parseArgv(argv)
  } catch (error) {
    if (error instanceof UsageError) return error
    throw error
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`)
}

describe('parseArgv', () => {
  it('runs the main job when no command is given, also with flags only', () => {
    expect(parsed([]).command.name).toBe('all')
    const withFlags = parsed(['--profile', 'book'])
    expect(withFlags.command.name).toBe('all')
    expect(withFlags.values.profile).toBe('book')
  })

  it('fills defaults and reads both --flag value and --flag=value', () => {
    const a = parsed(['plan'])
    expect(a.values).toMatchObject({ profile: 'current', name: 'istio-conformance' })
    expect(parsed(['plan', '--profile=book', '--name', 'x']).values).toMatchObject({
      profile: 'book',
      name: 'x',
    })
  })

  it('collects scenario ids and switches for run', () => {
    const a = parsed(['run', 'edge-routing', '--context', 'prod', '--allow-existing-cluster', 'mirroring'])
    expect(a.positionals).toEqual(['edge-routing', 'mirroring'])
    expect(a.values.context).toBe('prod')
    expect(a.switches.has('allow-existing-cluster')).toBe(true)
  })

  it('returns help for --help, -h, and help <command>', () => {
    expect(parseArgv(['--help'])).toEqual({ kind: 'help' })
    const forRun = parseArgv(['run', '--help'])
    expect(forRun.kind === 'help' && forRun.command?.name).toBe('run')
    const viaWord = parseArgv(['help', 'plan'])
    expect(viaWord.kind === 'help' && viaWord.command?.name).toBe('plan')
  })

  it.each([
    [['frobnicate'], "unknown command 'frobnicate'", 'valid commands: all, plan'],
    [['plan', '--bogus'], 'unknown flag --bogus', '--profile'],
    [['plan', '--profile'], 'flag --profile needs a value', '--profile P'],
    [['plan', '--json=yes'], 'flag --json takes no value', '--json'],
    [
      ['run', '--egress', 'carrier-pigeon'],
      "unknown value 'carrier-pigeon' for --egress",
      'hermetic, internet',
    ],
    [['plan', 'extra'], "unexpected argument 'extra' for 'plan'", 'usage: plan'],
    [['run', '--ingress', '::::'], "invalid --ingress: '::::' is not HOST:PORT", '--ingress HOST:PORT'],
    [['run', '--ingress', 'http://x'], "invalid --ingress: 'http://x' has a scheme", '--ingress HOST:PORT'],
    [['run', '--ingress', '127.0.0.1:0'], 'invalid --ingress: port 0', '--ingress HOST:PORT'],
    [['run', '--ingress', '127.0.0.1:70000'], 'invalid --ingress: port 70000', '--ingress HOST:PORT'],
    [
      ['up', '--name', 'My_Cluster'],
      "invalid --name: 'My_Cluster' is not a kind cluster name",
      '--name NAME',
    ],
    [['up', '--name', 'a'.repeat(51)], "is longer than kind's 50 characters", '--name NAME'],
    [['run', '--name', 'a', '--name', 'b'], 'flag --name is given twice', 'give --name once'],
    [['run', '--fail-fast', '--fail-fast'], 'flag --fail-fast is given twice', 'give --fail-fast once'],
  ])('rejects %j naming the bad word and the valid choices', (argv, cause, fix) => {
    const error = usageError(argv)
    expect(error.message).toContain(cause)
    expect(error.fix).toContain(fix)
    expect(error.exitCode).toBe(2)
  })
})

describe('valid values pass the checks', () => {
  it('accepts an IPv6 ingress in brackets and a kind-style name', () => {
    const a = parsed(['run', '--ingress', '[::1]:30000', '--name', 'lab-2.k8s'])
    expect(a.values.ingress).toBe('[::1]:30000')
    expect(a.values.name).toBe('lab-2.k8s')
  })
})

describe('main job flags', () => {
  it('accepts the run options on the main job too', () => {
    const a = parsed(['--fail-fast', '--book-timing', '--egress', 'internet'])
    expect(a.command.name).toBe('all')
    expect([...a.switches].sort()).toEqual(['book-timing', 'fail-fast'])
    expect(a.values.egress).toBe('internet')
  })
})
