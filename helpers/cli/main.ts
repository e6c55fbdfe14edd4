import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { resolveProfile } from '../../cluster/profiles.js'
import { SuiteError } from '../errors.js'
import { suiteContextName } from '../kube/context-guard.js'
import { describeError } from '../kube/describe-error.js'
import { loadKubeConfig } from '../kube/kubeconfig.js'
import { parseArgv } from './args.js'
import { downCommand, upCommand } from './commands/cluster.js'
import { doctorExitCode, judgeDoctor, renderDoctor } from './commands/doctor.js'
import { observe } from './commands/doctor-probes.js'
import { buildPlan, renderPlan } from './commands/plan.js'
import { reportCommand } from './commands/report.js'
import { restoreCommand } from './commands/restore.js'
import { runCommand } from './commands/run.js'
import { commandHelp, generalHelp } from './help.js'

export interface Io {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

/** Runs the CLI and returns its exit code. Every error becomes one cause line and one fix line. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const parsed = parseArgv(argv)
    if (parsed.kind === 'help') {
      io.out(parsed.command ? commandHelp(parsed.command) : generalHelp())
      return 0
    }
    const { args } = parsed
    switch (args.command.name) {
      case 'plan': {
        const plan = buildPlan(resolveProfile(args.values.profile as string), args.values.name as string)
        io.out(args.switches.has('json') ? JSON.stringify(plan, null, 2) : renderPlan(plan))
        return 0
      }
      case 'doctor': {
        const profile = resolveProfile(args.values.profile as string)
        // doctor reports a missing or broken kubeconfig as a finding, not as bad input.
        const kubeconfig = (() => {
          try {
            return loadKubeConfig(args.values.kubeconfig)
          } catch {
            return undefined
          }
        })()
        const lines = judgeDoctor(
          await observe(args.values.name as string, kubeconfig),
          profile,
          args.values.name as string,
        )
        io.out(renderDoctor(lines))
        return doctorExitCode(lines)
      }
      case 'run':
        return await runCommand(args, io.out)
      case 'up':
        await upCommand(args, io.out)
        return 0
      case 'down':
        await downCommand(args, io.out)
        return 0
      case 'all': {
        // The main job: the suite's own cluster (created or verified), then every scenario on it.
        const name = args.values.name as string
        const up = await upCommand(args, io.out)
        return await runCommand(
          { ...args, positionals: [], values: { ...args.values, context: suiteContextName(name) } },
          io.out,
          undefined,
          up.timings,
        )
      }
      case 'restore':
        return await restoreCommand(args, io.out)
      case 'report':
        return reportCommand(args, io.out)
      default:
        // The command table and this switch are kept together by the CLI contract test.
        throw new Error(`the command table names '${args.command.name}', which main does not handle`)
    }
  } catch (error) {
    if (error instanceof SuiteError) {
      io.err(`error: ${error.message}`)
      if (error.fix) io.err(`fix: ${error.fix}`)
      return error.exitCode
    }
    // Anything else (a tool or the API failing mid-way) is a failed run: one readable line,
    // and the stack only when asked for.
    io.err(`error: ${describeError(error)}`)
    if (process.env.DEBUG && error instanceof Error && error.stack) io.err(error.stack)
    return 1
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) {
  const code = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  })
  process.exitCode = code
}
