import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { profileFor } from '../../cluster/istio-releases.js'
import { resolveProfile } from '../../cluster/profiles.js'
import { SuiteError } from '../errors.js'
import { suiteContextName } from '../kube/context-guard.js'
import { describeError } from '../kube/describe-error.js'
import { terminalText } from '../text/escape.js'
import { parseArgv } from './args.js'
import { commandHelp, generalHelp } from './help.js'

export interface Io {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

/**
 * Runs the CLI and returns its exit code. Every error becomes one cause line and one fix line.
 * Everything printed may hold strings from a cluster (names, log lines, messages): it reaches
 * the terminal without escape sequences or control characters.
 */
export async function main(argv: readonly string[], raw: Io): Promise<number> {
  const io: Io = {
    out: (text) => raw.out(terminalText(text, { multiline: true })),
    err: (text) => raw.err(terminalText(text, { multiline: true })),
  }
  try {
    const parsed = parseArgv(argv)
    if (parsed.kind === 'help') {
      io.out(parsed.command ? commandHelp(parsed.command) : generalHelp())
      return 0
    }
    const { args } = parsed
    // Each command loads only what it needs: --help, plan and run --list answer without the
    // Kubernetes client, the HTTP stack or the report writers (README: "Fast feedback").
    switch (args.command.name) {
      case 'plan': {
        const { buildPlan, renderPlan } = await import('./commands/plan.js')
        const plan = buildPlan(profileFor(args.values), args.values.name as string, {
          bookTiming: args.switches.has('book-timing'),
        })
        io.out(args.switches.has('json') ? JSON.stringify(plan, null, 2) : renderPlan(plan))
        return 0
      }
      case 'doctor': {
        const { doctorExitCode, judgeDoctor, renderDoctor } = await import('./commands/doctor.js')
        const { observe } = await import('./commands/doctor-probes.js')
        const { loadKubeConfig } = await import('../kube/kubeconfig.js')
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
      case 'run': {
        if (args.switches.has('list')) {
          const { listScenarios } = await import('./commands/list.js')
          io.out(listScenarios())
          return 0
        }
        const { runCommand } = await import('./commands/run.js')
        return await runCommand(args, io.out)
      }
      case 'up': {
        const { upCommand } = await import('./commands/cluster.js')
        await upCommand(args, io.out)
        return 0
      }
      case 'down': {
        const { downCommand } = await import('./commands/cluster.js')
        await downCommand(args, io.out)
        return 0
      }
      case 'all': {
        // The main job: the suite's own cluster (created or verified), then every scenario on it.
        const { upCommand } = await import('./commands/cluster.js')
        const { runCommand, runModeOf } = await import('./commands/run.js')
        const name = args.values.name as string
        // --serial with --parallel is refused before up changes anything.
        runModeOf(args, 2)
        const up = await upCommand(args, io.out)
        return await runCommand(
          { ...args, positionals: [], values: { ...args.values, context: suiteContextName(name) } },
          io.out,
          undefined,
          up.timings,
        )
      }
      case 'check': {
        const { checkCommand } = await import('./commands/check.js')
        return await checkCommand(args, io.out)
      }
      case 'walkthrough': {
        const { walkthroughCommand } = await import('./commands/walkthrough.js')
        return await walkthroughCommand(args, io.out)
      }
      case 'restore': {
        const { restoreCommand } = await import('./commands/restore.js')
        return await restoreCommand(args, io.out)
      }
      case 'report': {
        const { reportCommand } = await import('./commands/report.js')
        return reportCommand(args, io.out)
      }
      case 'rehearse': {
        const { rehearseCommand } = await import('./commands/rehearse.js')
        return await rehearseCommand(args, io.out)
      }
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
