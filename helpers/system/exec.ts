import { $ } from 'zx'

export interface ExecResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs an external CLI with its arguments as an array (zx quotes each element; nothing is
 * interpolated into one shell string). Never throws for a non-zero exit: callers judge it.
 */
export async function execTool(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ExecResult> {
  const run = $({
    nothrow: true,
    quiet: true,
    timeout: options.timeoutMs ?? 60_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.env ? { env: options.env } : {}),
  })
  const out = await run`${command} ${args}`
  return { exitCode: out.exitCode ?? 1, stdout: out.stdout, stderr: out.stderr }
}

/** The first x.y.z in a tool's version output, without a leading v. */
export function parseSemver(text: string): string | undefined {
  return /v?(\d+\.\d+\.\d+)/.exec(text)?.[1]
}
