import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { UsageError } from '../helpers/errors.js'
import { listTarGz, nonRegularUnder, refusedEntry } from '../helpers/system/archive.js'
import { DownloadError, downloadVerified, fetchPublishedSha256 } from '../helpers/system/download.js'
import { execTool } from '../helpers/system/exec.js'
import { onInterrupt } from '../helpers/system/interrupt.js'
import type { Platform, Profile } from './profiles.js'

export type ToolName = 'kind' | 'istioctl' | 'helm'

/** Where each publisher serves its releases. Tests point these at a local server. */
export interface DownloadBases {
  readonly kind: string
  readonly istio: string
  readonly helm: string
}

export const PUBLIC_BASES: DownloadBases = {
  kind: 'https://github.com/kubernetes-sigs/kind/releases/download',
  istio: 'https://github.com/istio/istio/releases/download',
  helm: 'https://get.helm.sh',
}

/** One downloadable release artefact and where its binary ends up under `.tools/`. */
export interface Artefact {
  readonly tool: ToolName
  readonly version: string
  readonly url: string
  /** Pinned checksum, or null: verified against `checksumUrl` (the publisher's file). */
  readonly sha256: string | null
  readonly checksumUrl: string
  /**
   * No zip: no artefact of a supported platform is one (Windows is not supported). Adding one
   * needs the same entry check as tar.gz before anything is unpacked.
   */
  readonly format: 'binary' | 'tar.gz'
  /** Folder under .tools/ holding this version. */
  readonly dir: string
  /** For archives: the top-level entry to keep (it becomes `dir`). */
  readonly archiveRoot?: string
  /** The executable, relative to `dir`. */
  readonly binary: string
}

/** The artefact for a tool, profile and platform. Pure; URL shapes from each release page. */
export function artefactFor(
  tool: ToolName,
  profile: Profile,
  platform: Platform,
  bases: DownloadBases = PUBLIC_BASES,
): Artefact {
  const [os, arch] = platform.split('-') as [string, string]
  switch (tool) {
    case 'kind': {
      const v = profile.kind.version
      const url = `${bases.kind}/v${v}/kind-${os}-${arch}`
      return {
        tool,
        version: v,
        url,
        sha256: profile.kind.sha256[platform],
        checksumUrl: `${url}.sha256sum`,
        format: 'binary',
        dir: `kind-${v}`,
        binary: 'kind',
      }
    }
    case 'helm': {
      const v = profile.helm.version
      const url = `${bases.helm}/helm-v${v}-${os}-${arch}.tar.gz`
      return {
        tool,
        version: v,
        url,
        sha256: profile.helm.sha256[platform],
        checksumUrl: `${url}.sha256sum`,
        format: 'tar.gz',
        dir: `helm-${v}`,
        archiveRoot: `${os}-${arch}`,
        binary: 'helm',
      }
    }
    case 'istioctl': {
      const v = profile.istio.version
      // Istio names macOS archives "osx" (amd64) and "osx-arm64".
      const suffix = os === 'darwin' ? (arch === 'arm64' ? 'osx-arm64' : 'osx') : `linux-${arch}`
      const url = `${bases.istio}/${v}/istio-${v}-${suffix}.tar.gz`
      return {
        tool,
        version: v,
        url,
        sha256: profile.istio.sha256[platform],
        checksumUrl: `${url}.sha256`,
        format: 'tar.gz',
        dir: `istio-${v}`,
        archiveRoot: `istio-${v}`,
        binary: 'bin/istioctl',
      }
    }
  }
}

export function hostPlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): Platform {
  const os = platform === 'linux' ? 'linux' : platform === 'darwin' ? 'darwin' : undefined
  const cpu = arch === 'x64' ? 'amd64' : arch === 'arm64' ? 'arm64' : undefined
  if (!os || !cpu) {
    throw new UsageError(
      `unsupported host ${platform}/${arch}`,
      'run on linux or macOS, amd64 or arm64 (on Windows use WSL2)',
    )
  }
  return `${os}-${cpu}` as Platform
}

export type ToolSource = 'path' | 'tools-dir' | 'download'

/** Where a tool comes from: PATH when its version matches, else .tools/, else a download. Pure. */
export function chooseToolSource(input: {
  readonly onPathVersion: string | undefined
  readonly wanted: string
  readonly installed: boolean
}): ToolSource {
  if (input.onPathVersion === input.wanted) return 'path'
  return input.installed ? 'tools-dir' : 'download'
}

/**
 * Makes the artefact present under `toolsDir` and returns the executable's path.
 * Archives are unpacked into a temporary folder that is renamed into place only when
 * complete, so an interrupted run leaves no half-written tool behind.
 */
export async function installArtefact(artefact: Artefact, toolsDir: string): Promise<string> {
  const finalDir = join(toolsDir, artefact.dir)
  const binary = join(finalDir, artefact.binary)
  if (existsSync(binary)) return binary
  await mkdir(toolsDir, { recursive: true })
  const expected = artefact.sha256 ?? (await publishedChecksum(artefact, toolsDir))
  const staging = join(toolsDir, `.staging-${artefact.dir}-${randomBytes(4).toString('hex')}`)
  const unregister = onInterrupt(() => rm(staging, { recursive: true, force: true }))
  try {
    await mkdir(staging, { recursive: true })
    if (artefact.format === 'binary') {
      await downloadVerified(artefact.url, join(staging, artefact.binary), expected)
      await chmod(join(staging, artefact.binary), 0o755)
      await rename(staging, finalDir)
    } else {
      const archive = join(staging, 'archive.tar.gz')
      await downloadVerified(artefact.url, archive, expected)
      const unpacked = join(staging, 'unpacked')
      await mkdir(unpacked)
      await refuseUnsafeEntries(artefact.url, archive)
      // --no-same-owner: files belong to whoever runs `up`, also as root.
      const tar = await execTool('tar', ['--no-same-owner', '-xzf', archive, '-C', unpacked], {
        timeoutMs: 5 * 60_000,
      })
      if (tar.exitCode !== 0) throw new DownloadError(`cannot unpack ${artefact.url}: ${tar.stderr.trim()}`)
      // Checked again on disk, in case tar read an entry differently from the listing.
      const odd = await nonRegularUnder(unpacked)
      if (odd.length) throw unsafeArchive(artefact.url, `${odd[0]} was unpacked as a link or special file`)
      const root = join(unpacked, artefact.archiveRoot ?? '')
      if (!existsSync(join(root, artefact.binary))) {
        throw new DownloadError(`${artefact.url} has no ${join(artefact.archiveRoot ?? '', artefact.binary)}`)
      }
      await chmod(join(root, artefact.binary), 0o755)
      await rename(root, finalDir)
    }
    return binary
  } finally {
    unregister()
    await rm(staging, { recursive: true, force: true })
  }
}

const unsafeArchive = (url: string, reason: string) =>
  new DownloadError(
    `refusing ${url}: ${reason}; only regular files and directories are taken from a release archive, and nothing was unpacked`,
    'a release archive of this tool should hold no links: check the release page, and report it if the published archive has one',
  )

/** Lists the archive first: a link, special file or path leaving the folder refuses the whole archive. */
async function refuseUnsafeEntries(url: string, archive: string): Promise<void> {
  let entries: Awaited<ReturnType<typeof listTarGz>>
  try {
    entries = await listTarGz(archive)
  } catch (error) {
    throw new DownloadError(`cannot read ${url}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const refused = refusedEntry(entries)
  if (refused) throw unsafeArchive(url, refused)
}

/**
 * For artefacts without a pinned checksum: the publisher's checksum file, recorded in
 * .tools/checksums.json on first use; a later, different value is refused.
 */
async function publishedChecksum(artefact: Artefact, toolsDir: string): Promise<string> {
  const recordFile = join(toolsDir, 'checksums.json')
  const record: Record<string, string> = existsSync(recordFile)
    ? (JSON.parse(await readFile(recordFile, 'utf8')) as Record<string, string>)
    : {}
  const published = await fetchPublishedSha256(artefact.checksumUrl)
  const seen = record[artefact.url]
  if (seen !== undefined && seen !== published) {
    throw new DownloadError(
      `published checksum for ${artefact.url} changed from ${seen} to ${published}`,
      `a release artefact should never change: investigate, then delete its entry in ${recordFile}`,
    )
  }
  if (seen === undefined) {
    record[artefact.url] = published
    await writeFile(recordFile, `${JSON.stringify(record, null, 2)}\n`)
  }
  return published
}
