import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../errors.js'
import type { RunRecord } from '../../report/model.js'
import { writeReports } from '../../report/write.js'
import { CONTROL_CHARACTER, HOSTILE_TEXT } from '../../testing/hostile.js'
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

/** Writes a record (any JSON) as run.json into a new folder under the reports folder. */
function saveRecord(name: string, record: unknown): string {
  const dir = join(reports, name)
  mkdirSync(dir)
  writeFileSync(join(dir, 'run.json'), JSON.stringify(record))
  return dir
}

describe('report', () => {
  it('without arguments prints where the latest run is and its summary, and exits 1 for a failed run', () => {
    expect(latestRun(reports)).toBe(failingDir)
    const { code, out } = report([])
    expect(code).toBe(1)
    expect(out).toContain('2026-11-27T09-00-00Z-book')
    expect(out).toMatch(/\*\*FAIL\*\*: \d+ checks passed/)
  })

  it('without arguments exits 0 when the latest run passed', async () => {
    const dir = makeTempDir('reports-pass')
    try {
      await writeReports(join(dir.path, '2026-11-27T10-00-00Z-book'), await buildRun())
      const parsed = parseArgv(['report'])
      if (parsed.kind !== 'command') throw new Error('expected a command')
      expect(reportCommand(parsed.args, () => undefined, dir.path)).toBe(0)
    } finally {
      dir.remove()
    }
  }, 60_000)

  it('prints a summary without terminal control characters, whatever the run folder holds', () => {
    const dir = join(reports, '2026-11-27T23-59-59Z-book')
    mkdirSync(dir)
    writeFileSync(join(dir, 'run.json'), JSON.stringify(failing))
    writeFileSync(join(dir, 'summary.md'), `**FAIL** ${HOSTILE_TEXT}\n`)
    try {
      const { out } = report([])
      expect(out).not.toMatch(CONTROL_CHARACTER)
      expect(out).toContain('red  cleared hyperlink')
    } finally {
      rmSync(dir, { recursive: true })
    }
  })

  it('rejudge reproduces every verdict (exit 0) and flags a tampered one (exit 1)', () => {
    expect(report(['rejudge', join(failingDir, 'run.json')])).toMatchObject({
      code: 0,
      out: expect.stringMatching(
        /checks re-judged from their evidence: every saved verdict reproduced; the run failed$/,
      ),
    })
    const tampered = structuredClone(failing)
    const check = tampered.scenarios[0]?.checks[0] as { passed: boolean }
    check.passed = false
    const { code, out } = report(['rejudge', saveRecord('tampered', tampered)])
    expect(code).toBe(1)
    expect(out).toContain('DIFFERS edge-routing/converged at /scenarios/0/checks/0/passed: saved FAIL')
    expect(out.split('\n').at(-1)).toMatch(/^1 saved value\(s\) differ .*; recomputed, the run failed$/)
  })

  it('rejudge and diff read a record of schema 2, written before the timeline', () => {
    const old = {
      ...structuredClone(failing),
      schema: 2,
      scenarios: failing.scenarios.map(({ phases: _phases, ...s }) => s),
    }
    const dir = saveRecord('schema-2', old)
    expect(report(['rejudge', dir])).toMatchObject({
      code: 0,
      out: expect.stringMatching(/every saved verdict reproduced; the run failed$/),
    })
    expect(report(['diff', dir, failingDir]).out.split('\n').at(-1)).toBe(
      'B is not worse than A: no check newly fails or went missing',
    )
  })

  it('rejudge exits 1 for a scenario deleted from the record', () => {
    const record = structuredClone(failing) as unknown as { scenarios: unknown[]; passed?: boolean }
    record.scenarios = record.scenarios.slice(1)
    expect(report(['rejudge', saveRecord('deleted-scenario', record)])).toMatchObject({
      code: 1,
      out: expect.stringContaining(
        'DIFFERS edge-routing at /scenarios: saved no result and not listed as missing',
      ),
    })
  })

  it('diff exits 1 when something newly fails, 0 when nothing does, as its last line says', () => {
    const worse = report(['diff', passingDir, failingDir])
    expect(worse.code).toBe(1)
    expect(worse.out).toMatch(/subset-v1\/no-v2\s+newly failing/)
    expect(worse.out.split('\n').at(-1)).toMatch(/^B is worse than A: \d+ newly failing$/)
    const better = report(['diff', failingDir, passingDir])
    expect(better.code).toBe(0)
    expect(better.out.split('\n').at(-1)).toBe('B is not worse than A: no check newly fails or went missing')
  })

  it('diff exits 1 when B lacks a check of A, though nothing "newly fails"', () => {
    const fewer = structuredClone(failing) as unknown as { scenarios: { checks: unknown[] }[] }
    fewer.scenarios[0]?.checks.pop()
    const d = report(['diff', failingDir, saveRecord('fewer-checks', fewer)])
    expect(d.code).toBe(1)
    expect(d.out).toContain('0 newly failing')
    expect(d.out.split('\n').at(-1)).toBe("B is worse than A: 1 of A's checks missing from B")
  })

  it.each([
    ['null', null, 'the record must be a JSON object, found null'],
    ['a scenario without checks', 'no-checks', '/scenarios/0/checks is missing'],
    ['a wrong type', 'wrong-type', '/scenarios/0/checks/0/passed must be true or false, found "yes"'],
    ['another schema', { schema: 1 }, '/schema is 1; this suite reads run records of schema 2 and 3'],
  ])(
    'rejudge, diff and report refuse %s with exit 2, naming the first bad field',
    (name, value, expected) => {
      const record =
        value === 'no-checks'
          ? (() => {
              const r = structuredClone(failing) as unknown as { scenarios: { checks?: unknown }[] }
              delete r.scenarios[0]?.checks
              return r
            })()
          : value === 'wrong-type'
            ? (() => {
                const r = structuredClone(failing) as unknown as {
                  scenarios: { checks: { passed: unknown }[] }[]
                }
                ;(r.scenarios[0]?.checks[0] as { passed: unknown }).passed = 'yes'
                return r
              })()
            : value
      const dir = saveRecord(`bad-${name.replace(/\W+/g, '-')}`, record)
      for (const argv of [
        ['rejudge', dir],
        ['diff', failingDir, dir],
      ]) {
        const error = (() => {
          try {
            report(argv)
          } catch (e) {
            return e
          }
          return undefined
        })()
        expect(error).toBeInstanceOf(UsageError)
        expect((error as UsageError).exitCode).toBe(2)
        expect((error as UsageError).message).toBe(
          `${join(dir, 'run.json')} is not a run record of this suite: ${expected}`,
        )
        expect((error as UsageError).fix).toMatch(
          /^give a run\.json written by `run` \(schema 3, .*run-record\.schema\.json\)/,
        )
      }
    },
  )

  it('refuses malformed input with exit 2', () => {
    const bad = join(reports, 'bad.json')
    writeFileSync(bad, '{"not": "a run"')
    expect(() => report(['rejudge', bad])).toThrow(/is not valid JSON/)
    expect(() => report(['frobnicate'])).toThrow(/unknown report arguments 'frobnicate'/)
  })
})
