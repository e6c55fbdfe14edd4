import { execTool, parseSemver } from './exec.js'

export type KnownTool = 'kind' | 'istioctl' | 'helm' | 'kubectl'

/** The arguments that make each tool print its own (client) version. */
export const VERSION_ARGS: Readonly<Record<KnownTool, readonly string[]>> = {
  kind: ['version'],
  istioctl: ['version', '--remote=false'],
  helm: ['version', '--short'],
  kubectl: ['version', '--client'],
}

/** The version an executable reports, or undefined when it is absent or fails. */
export async function toolVersion(executable: string, args: readonly string[]): Promise<string | undefined> {
  const out = await execTool(executable, args, { timeoutMs: 15_000 })
  return out.exitCode === 0 ? parseSemver(out.stdout + out.stderr) : undefined
}

/** The version of a known tool found on PATH. */
export function versionOnPath(tool: KnownTool): Promise<string | undefined> {
  return toolVersion(tool, VERSION_ARGS[tool])
}
