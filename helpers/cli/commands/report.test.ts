import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../errors.js'
import type { RunRecord } from '../../report/model.js'
import { writeReports } from '../../report/write.js'
import { BREAKAGE, buildRun } from '../../testing/run-fixtures.js'
import { makeTempDir } from '../../testing/temp-dir.js'
import { parseArgv } from '../args.js'
import { latestRun, reportCommand } from './report.js'

let reports: string
let passingDir: string
let failingDir: string
let failing: RunRecord
beforeAll(async () => {
  const dir = makeTempDir('reports')
  reports = dir.path
  passingDir = join(reports, '2026-11-27T08-00-00Z-book')
  failingDir = join(reports, '2026-11-27T09-00-00Z-book')
  failing = await buildRun({ breakage: BREAKAGE })
  await writeReports(passingDir, await buildRun())
  await writeReports(failingDir, failing)
  return dir.remove
}, 60_000)

function report(argv: string[]) {
  const parsed = parseArgv(['report', ...argv])
  if (parsed.kind !== 'command') throw new Error('expected a command')
  const out: string[] = []
  const code = reportCommand(parsed.args, (l) => out.push(l), reports)
  return { code, out: out.join('\n') }
}

describe('report', () => {
  it('without arguments prints where the latest run is and its summary', () => {
    expect(latestRun(reports)).toBe(failingDir)
    const { code, out } = report([])
    expect(code).toBe(0)
    expect(out).toContain('2026-11-27T09-00-00Z-book')
    expect(out).toMatch(/\*\*FAIL\*\*: \d+ checks passed/)
  })

  it('rejudge reproduces every verdict (exit 0) and flags a tampered one (exit 1)', () => {
    expect(report(['rejudge', join(failingDir, 'run.json')])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/checks re-judged from their evidence: every saved verdict reproduced$/),
    })
    const tampered = structuredClone(failing)
    const check = tampered.scenarios[0]?.checks[0] as { passed: boolean }
    check.passed = false
    const dir = join(reports, 'tampered')
    mkdirSync(dir)
    writeFileSync(join(dir, 'run.json'), JSON.stringify(tampered))
    const { code, out } = report(['rejudge', dir])
    expect(code).toBe(1)
    expect(out).toContain('DIFFERS edge-routing/converged: saved FAIL')
  })

  it('diff exits 1 when something newly fails, 0 when nothing does', () => {
    const worse = report(['diff', passingDir, failingDir])
    expect(worse.code).toBe(1)
    expect(worse.out).toMatch(/subset-v1\/no-v2\s+newly failing/)
    expect(report(['diff', failingDir, passingDir]).code).toBe(0)
  })

  it('refuses malformed input with exit 2', () => {
    const bad = join(reports, 'bad.json')
    writeFileSync(bad, '{"not": "a run"')
    expect(() => report(['rejudge', bad])).toThrow(UsageError)
    writeFileSync(bad, '{"schema": 2}')
    expect(() => report(['rejudge', bad])).toThrow(/is not a run record of this suite/)
    expect(() => report(['frobnicate'])).toThrow(/unknown report arguments 'frobnicate'/)
  })
})
