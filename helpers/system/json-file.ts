import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * Writes a value as pretty JSON, creating the folder. The file is written beside its place
 * and renamed over it, so a reader (or a run stopped mid-write) sees the old or the new
 * document, never half of one.
 */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.tmp-${process.pid}`
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`)
  await rename(tmp, path)
}

/**
 * A journal's write: the JSON goes to a temporary file that is flushed to disk (fsync) and
 * then renamed over the file, so a crash or a lost laptop lid leaves the old or the new
 * document, never half of one. `undefined` removes the file (an empty journal).
 */
export function writeJsonDurably(path: string, value: unknown | undefined): void {
  if (value === undefined) {
    rmSync(path, { force: true })
    return
  }
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, `${JSON.stringify(value, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}
