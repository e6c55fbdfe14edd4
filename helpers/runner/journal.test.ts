import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fileJournalStore, Journal, journalFileName } from './journal.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'itc-journal-'))
  dirs.push(d)
  return d
}
const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'istio', namespace: 'istio-system' }

describe('the journal on disk', () => {
  it('survives the process: a new Journal over the same file sees every entry', () => {
    const dir = tempDir()
    const a = new Journal(
      fileJournalStore(dir, 'kind-istio-conformance'),
      'kind-istio-conformance',
      'https://127.0.0.1:1',
    )
    a.record('egress-registry-only', ref, null, { kind: 'delete' }, new Date('2026-11-27T08:00:00Z'))
    const b = new Journal(
      fileJournalStore(dir, 'kind-istio-conformance'),
      'kind-istio-conformance',
      'https://127.0.0.1:1',
    )
    expect(b.entries()).toEqual([
      {
        seq: 1,
        at: '2026-11-27T08:00:00.000Z',
        scenario: 'egress-registry-only',
        ref,
        before: null,
        change: { kind: 'delete' },
      },
    ])
    expect(b.writtenFor).toBe('https://127.0.0.1:1')
  })

  it('writes through a temporary file and leaves no file once empty', () => {
    const dir = tempDir()
    const j = new Journal(fileJournalStore(dir, 'ctx'), 'ctx', 's')
    j.record('s', ref, null, { kind: 'delete' }, new Date())
    expect(readdirSync(dir)).toEqual([journalFileName('ctx')])
    expect(JSON.parse(readFileSync(join(dir, journalFileName('ctx')), 'utf8')).entries).toHaveLength(1)
    j.remove(1)
    expect(readdirSync(dir)).toEqual([])
  })

  it('names files safely whatever the context is called, and distinctly', () => {
    const eks = journalFileName('arn:aws:eks:eu-west-1:1234:cluster/prod')
    expect(eks).toMatch(/^arn_aws_eks_eu-west-1_1234_cluster_prod-[0-9a-f]{8}\.json$/)
    expect(journalFileName('a/b')).not.toBe(journalFileName('a:b'))
    expect(existsSync(join(tempDir(), eks))).toBe(false)
  })

  it('refuses a file that is not a journal of this suite', () => {
    const dir = tempDir()
    const store = fileJournalStore(dir, 'ctx')
    store.write({
      schema: 1,
      context: 'ctx',
      server: 's',
      entries: [{ seq: 1, at: '', scenario: 's', ref, before: null, change: { kind: 'delete' } }],
    })
    const path = join(dir, journalFileName('ctx'))
    writeFileSync(path, '{"schema": 9}')
    expect(() => store.read()).toThrow(`${path} is not a change journal of this suite`)
  })
})
