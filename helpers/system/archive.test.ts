import { execFileSync } from 'node:child_process'
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { paxRecords, tarGz } from '../testing/tar-writer.js'
import { tempDir } from '../testing/temp-dir.js'
import { listTarGz, nonRegularUnder, parsePax, refusedEntry, staysInside } from './archive.js'

const write = (bytes: Buffer) => {
  const file = join(tempDir('tar'), 'a.tar.gz')
  writeFileSync(file, bytes)
  return file
}

describe('listTarGz', () => {
  it('reads what GNU tar writes: files, directories, a symlink, a hard link, a name over 100 bytes', async () => {
    const dir = tempDir('tar-src')
    const root = join(dir, 'istio-1.17.8')
    const deep = join(root, 'samples', 'x'.repeat(60), 'y'.repeat(60))
    mkdirSync(join(root, 'bin'), { recursive: true })
    mkdirSync(deep, { recursive: true })
    writeFileSync(join(root, 'bin', 'real'), 'binary')
    writeFileSync(join(deep, 'prometheus.yaml'), 'kind: List\n')
    symlinkSync('/etc/passwd', join(root, 'bin', 'istioctl'))
    linkSync(join(root, 'bin', 'real'), join(root, 'bin', 'twin'))
    const archive = join(dir, 'a.tar.gz')
    execFileSync('tar', ['-czf', archive, '-C', dir, '--sort=name', 'istio-1.17.8'])
    const entries = await listTarGz(archive)
    const byName = Object.fromEntries(entries.map((e) => [e.name.replace(/\/$/, ''), e]))
    expect(byName['istio-1.17.8/bin/istioctl']).toMatchObject({ type: 'symlink', linkname: '/etc/passwd' })
    expect(byName['istio-1.17.8/bin/real']).toMatchObject({ type: 'file' })
    expect(byName['istio-1.17.8/bin/twin']).toMatchObject({
      type: 'hardlink',
      linkname: 'istio-1.17.8/bin/real',
    })
    expect(byName[`istio-1.17.8/samples/${'x'.repeat(60)}/${'y'.repeat(60)}/prometheus.yaml`]).toMatchObject({
      type: 'file',
    })
    expect(byName['istio-1.17.8/bin']).toMatchObject({ type: 'directory' })
    expect(entries).toHaveLength(9)
  })

  it('takes names and link targets from pax headers, and reads past file data', async () => {
    const entries = await listTarGz(
      write(
        tarGz([
          { name: 'a/file', body: 'x'.repeat(1000) },
          { name: 'PaxHeader', type: 'x', body: paxRecords({ path: 'a/long/name', linkpath: '/outside' }) },
          { name: 'short', type: '2', linkname: 'short-target' },
          { name: 'a/fifo', type: '6' },
        ]),
      ),
    )
    expect(entries).toEqual([
      { name: 'a/file', type: 'file', typeflag: '0', linkname: '' },
      { name: 'a/long/name', type: 'symlink', typeflag: '2', linkname: '/outside' },
      { name: 'a/fifo', type: 'other', typeflag: '6', linkname: '' },
    ])
  })

  it('refuses what is not a tar archive, and a truncated one', async () => {
    const { gzipSync } = await import('node:zlib')
    await expect(listTarGz(write(gzipSync(Buffer.alloc(512, 7))))).rejects.toThrow('not a tar archive')
    const whole = tarGz([{ name: 'a', body: 'x'.repeat(2000) }])
    const { gunzipSync } = await import('node:zlib')
    await expect(listTarGz(write(gzipSync(gunzipSync(whole).subarray(0, 1024))))).rejects.toThrow('truncated')
  })

  it('parsePax reads length-prefixed records', () => {
    expect(parsePax(Buffer.from(paxRecords({ path: 'ü/x', size: '12' })))).toEqual({
      path: 'ü/x',
      size: '12',
    })
  })
})

describe('refusedEntry', () => {
  const file = (name: string) => ({ name, type: 'file' as const, typeflag: '0', linkname: '' })
  it('takes regular files and directories inside the folder', () => {
    expect(
      refusedEntry([
        file('istio/bin/istioctl'),
        { name: 'istio/', type: 'directory', typeflag: '5', linkname: '' },
      ]),
    ).toBeUndefined()
  })

  it.each([
    [
      { name: 'istio/bin/istioctl', type: 'symlink', typeflag: '2', linkname: '/etc/passwd' },
      'istio/bin/istioctl is a symbolic link (to /etc/passwd)',
    ],
    [
      { name: 'istio/bin/istioctl', type: 'hardlink', typeflag: '1', linkname: 'x' },
      'istio/bin/istioctl is a hard link (to x)',
    ],
    [
      { name: 'istio/dev', type: 'other', typeflag: '3', linkname: '' },
      "istio/dev is not a regular file or directory (tar type '3')",
    ],
    [file('../outside'), '../outside would be unpacked outside its folder'],
    [file('/etc/cron.d/x'), '/etc/cron.d/x would be unpacked outside its folder'],
  ] as const)('refuses %j', (entry, message) => {
    expect(refusedEntry([file('ok'), entry])).toBe(message)
  })

  it('staysInside allows dots that are not a parent step', () => {
    expect(staysInside('istio-1.17.8/./bin/..x')).toBe(true)
    expect(staysInside('a/../../b')).toBe(false)
    expect(staysInside('C:/x')).toBe(false)
  })
})

describe('nonRegularUnder', () => {
  it('lists links and hard-linked files on disk', async () => {
    const dir = tempDir('unpacked')
    mkdirSync(join(dir, 'bin'))
    writeFileSync(join(dir, 'bin', 'a'), 'a')
    writeFileSync(join(dir, 'plain'), 'p')
    linkSync(join(dir, 'bin', 'a'), join(dir, 'bin', 'b'))
    symlinkSync('/etc/passwd', join(dir, 'link'))
    expect((await nonRegularUnder(dir)).sort()).toEqual(['bin/a', 'bin/b', 'link'])
  })
})
