import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { versionOnPath } from '../helpers/system/tool-version.js'
import type { CliPaths } from './cli-adapter.js'
import type { Platform, Profile } from './profiles.js'
import {
  artefactFor,
  chooseToolSource,
  type DownloadBases,
  installArtefact,
  PUBLIC_BASES,
  type ToolName,
} from './tools.js'

/** `.tools/` at the project root: git-ignored, holds pinned downloads. */
export const TOOLS_DIR = fileURLToPath(new URL('../.tools', import.meta.url))

export interface ResolvedTool {
  readonly path: string
  readonly source: 'path' | 'tools-dir' | 'download'
  readonly version: string
}

/** One tool: PATH when its version matches the profile, else .tools/, downloading if needed. */
export async function resolveTool(
  tool: ToolName,
  profile: Profile,
  platform: Platform,
  options: { toolsDir?: string; bases?: DownloadBases } = {},
): Promise<ResolvedTool> {
  const toolsDir = options.toolsDir ?? TOOLS_DIR
  const artefact = artefactFor(tool, profile, platform, options.bases ?? PUBLIC_BASES)
  const installedPath = join(toolsDir, artefact.dir, artefact.binary)
  const source = chooseToolSource({
    onPathVersion: await versionOnPath(tool),
    wanted: artefact.version,
    installed: existsSync(installedPath),
  })
  if (source === 'path') return { path: tool, source, version: artefact.version }
  return { path: await installArtefact(artefact, toolsDir), source, version: artefact.version }
}

/**
 * Every tool `up` needs. The Istio release is always unpacked, even when istioctl on PATH
 * matches, because it carries the Prometheus addon of that exact release.
 */
export async function resolveClusterTools(
  profile: Profile,
  platform: Platform,
  options: { toolsDir?: string; bases?: DownloadBases } = {},
): Promise<{ paths: CliPaths; resolved: Record<ToolName, ResolvedTool> }> {
  const toolsDir = options.toolsDir ?? TOOLS_DIR
  const [kind, istioctl, helm] = await Promise.all([
    resolveTool('kind', profile, platform, options),
    resolveTool('istioctl', profile, platform, options),
    resolveTool('helm', profile, platform, options),
  ])
  const istio = artefactFor('istioctl', profile, platform, options.bases ?? PUBLIC_BASES)
  await installArtefact(istio, toolsDir)
  return {
    paths: {
      kind: kind.path,
      istioctl: istioctl.path,
      helm: helm.path,
      docker: 'docker',
      istioDir: join(toolsDir, istio.dir),
    },
    resolved: { kind, istioctl, helm },
  }
}
