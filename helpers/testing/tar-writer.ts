import { gzipSync } from 'node:zlib'

/** One member of a test archive; `type` is the ustar typeflag ('0' file, '1' hard link, '2' symlink, '5' directory, 'x' pax header...). */
export interface TarMember {
  readonly name: string
  readonly type?: string
  readonly linkname?: string
  readonly body?: string | Buffer
  readonly mode?: number
}

function header(m: TarMember, size: number): Buffer {
  const block = Buffer.alloc(512)
  const put = (text: string, offset: number, length: number) => block.write(text, offset, length, 'utf8')
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0')
  put(m.name, 0, 100)
  put(`${octal(m.mode ?? (m.type === '5' ? 0o755 : 0o644), 8)}\0`, 100, 8)
  put(`${octal(0, 8)}\0`, 108, 8)
  put(`${octal(0, 8)}\0`, 116, 8)
  put(`${octal(size, 12)}\0`, 124, 12)
  put(`${octal(1_700_000_000, 12)}\0`, 136, 12)
  put('        ', 148, 8)
  put(m.type ?? '0', 156, 1)
  put(m.linkname ?? '', 157, 100)
  put('ustar\u000000', 257, 8)
  let sum = 0
  for (const b of block) sum += b
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8)
  return block
}

/**
 * A gzip-compressed tar archive built byte by byte, so tests can hold entries no honest `tar`
 * would write (a hard link to a path outside the archive, a name with '..').
 */
export function tarGz(members: readonly TarMember[]): Buffer {
  const parts: Buffer[] = []
  for (const m of members) {
    const body = Buffer.from(m.body ?? '')
    parts.push(header(m, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512))
  }
  parts.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(parts))
}

/** A pax extended header body with the given records. */
export function paxRecords(records: Readonly<Record<string, string>>): string {
  return Object.entries(records)
    .map(([k, v]) => {
      // The length counts bytes of the whole record, its own digits included.
      const core = ` ${k}=${v}\n`
      const bytes = (n: number) => Buffer.byteLength(`${n}${core}`)
      let length = bytes(0)
      while (bytes(length) !== length) length = bytes(length)
      return `${length}${core}`
    })
    .join('')
}
