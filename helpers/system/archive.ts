import { createReadStream } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { createGunzip } from 'node:zlib'

/**
 * Reading release archives before anything is unpacked: a tool install takes only regular
 * files and directories, at paths inside the unpack folder. A symlink or hard link in an
 * archive could make the unpacker, or the `chmod` after it, act on a file outside `.tools/`.
 *
 * Format: POSIX ustar with the pax ('x', 'g') and GNU long-name ('L', 'K') extensions, as GNU
 * tar and Go's archive/tar write them (Istio's and Helm's archives are made with `tar -czf`).
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface TarEntry {
  readonly name: string
  readonly type: TarEntryType
  /** The typeflag byte as found, for the refusal message. */
  readonly typeflag: string
  /** For links: what they point at. */
  readonly linkname: string
}

const TYPES: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file to every extractor
  '5': 'directory',
  '2': 'symlink',
  '1': 'hardlink',
}

/** A NUL-terminated field of a header. */
const field = (block: Buffer, offset: number, length: number) => {
  const raw = block.subarray(offset, offset + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8')
}

/** A numeric field: octal text, or base-256 when its first byte has the high bit set. */
function numeric(block: Buffer, offset: number, length: number): number {
  const raw = block.subarray(offset, offset + length)
  if ((raw[0] ?? 0) & 0x80) {
    let value = (raw[0] ?? 0) & 0x7f
    for (const byte of raw.subarray(1)) value = value * 256 + byte
    return value
  }
  const text = field(block, offset, length).trim()
  return text === '' ? 0 : Number.parseInt(text, 8)
}

/** Pax extended header records: "<length> <key>=<value>\n". Pure. */
export function parsePax(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {}
  let at = 0
  while (at < body.length) {
    const space = body.indexOf(0x20, at)
    if (space < 0) break
    const length = Number.parseInt(body.subarray(at, space).toString('ascii'), 10)
    if (!Number.isFinite(length) || length <= 0) break
    const record = body.subarray(space + 1, at + length - 1).toString('utf8')
    const eq = record.indexOf('=')
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1)
    at += length
  }
  return records
}

/** Whether a header block's stored checksum matches its bytes (the checksum field read as spaces). */
function checksumOk(block: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0)
  return sum === numeric(block, 148, 8)
}

/**
 * Every entry of a gzip-compressed tar file, in order, without writing anything. Throws on a
 * header that is not tar (bad checksum) or a truncated archive.
 */
export async function listTarGz(file: string): Promise<TarEntry[]> {
  const entries: TarEntry[] = []
  let pending: Buffer = Buffer.alloc(0)
  let skip = 0
  /** Bytes still wanted for a meta entry's body (pax or GNU long name), and what it is. */
  let meta: { typeflag: string; size: number } | undefined
  let longName: string | undefined
  let longLink: string | undefined
  let pax: Record<string, string> = {}
  let globalPax: Record<string, string> = {}
  let ended = false
  const padded = (size: number) => Math.ceil(size / 512) * 512

  for await (const chunk of createReadStream(file).pipe(createGunzip())) {
    // After the end-of-archive block the rest is padding: read through it, keep none of it.
    if (ended) continue
    pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer)
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, pending.length)
        pending = pending.subarray(n)
        skip -= n
        if (skip > 0) break
        continue
      }
      if (meta) {
        const total = padded(meta.size)
        if (pending.length < total) break
        const body = pending.subarray(0, meta.size)
        if (meta.typeflag === 'x') pax = parsePax(body)
        else if (meta.typeflag === 'g') globalPax = { ...globalPax, ...parsePax(body) }
        else if (meta.typeflag === 'L') longName = field(body, 0, body.length)
        else longLink = field(body, 0, body.length)
        pending = pending.subarray(total)
        meta = undefined
        continue
      }
      if (pending.length < 512) break
      const block = pending.subarray(0, 512)
      pending = pending.subarray(512)
      if (block.every((b) => b === 0)) {
        ended = true
        break
      }
      if (!checksumOk(block)) throw new Error('not a tar archive (a header checksum does not match)')
      const typeflag = String.fromCharCode(block[156] ?? 0)
      const size = numeric(block, 124, 12)
      if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
        meta = { typeflag, size }
        continue
      }
      const attributes = { ...globalPax, ...pax }
      const prefix = field(block, 345, 155)
      const name =
        attributes.path ?? longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100))
      const linkname = attributes.linkpath ?? longLink ?? field(block, 157, 100)
      entries.push({ name, type: TYPES[typeflag] ?? 'other', typeflag, linkname })
      const dataSize = attributes.size !== undefined ? Number(attributes.size) : size
      // Links, directories and devices carry no data, whatever their size field says.
      skip = TYPES[typeflag] === 'file' || TYPES[typeflag] === undefined ? padded(dataSize) : 0
      pax = {}
      longName = undefined
      longLink = undefined
    }
  }
  if (!ended && (skip > 0 || meta || pending.length > 0)) throw new Error('the tar archive is truncated')
  return entries
}

/** Whether a member name stays inside the folder it is unpacked into. Pure. */
export function staysInside(name: string): boolean {
  if (name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name)) return false
  return !name.split(/[\\/]+/).includes('..')
}

/**
 * The first entry an install must not take, described for a refusal, or undefined when every
 * entry is a regular file or a directory inside the unpack folder. Pure.
 */
export function refusedEntry(entries: readonly TarEntry[]): string | undefined {
  for (const e of entries) {
    if (!staysInside(e.name)) return `${e.name} would be unpacked outside its folder`
    if (e.type === 'symlink') return `${e.name} is a symbolic link (to ${e.linkname})`
    if (e.type === 'hardlink') return `${e.name} is a hard link (to ${e.linkname})`
    if (e.type === 'other') return `${e.name} is not a regular file or directory (tar type '${e.typeflag}')`
  }
  return undefined
}

/** After unpacking, every path under `dir` that is neither a regular file nor a directory. */
export async function nonRegularUnder(dir: string): Promise<string[]> {
  const found: string[] = []
  const walk = async (at: string): Promise<void> => {
    for (const name of await readdir(at)) {
      const path = join(at, name)
      const info = await lstat(path)
      if (info.isDirectory()) await walk(path)
      else if (!info.isFile() || info.nlink > 1) found.push(relative(dir, path))
    }
  }
  await walk(dir)
  return found
}
