/**
 * Errors that end a command with a defined exit code. The CLI prints `message`
 * (one line: the cause) and `fix` (one line: what to do), then exits with `exitCode`.
 *
 * Exit codes are part of the CLI contract, documented in the README:
 *   0 all checks passed, 1 a check failed, 2 bad input or refused.
 */
export class SuiteError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly fix?: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** Bad input: unknown command, flag, profile, scenario, malformed kubeconfig, refused context. */
export class UsageError extends SuiteError {
  constructor(message: string, fix?: string) {
    super(message, 2, fix)
  }
}

/** Formats a list of valid choices for a one-line message. */
export function choices(values: readonly string[]): string {
  return values.join(', ')
}
