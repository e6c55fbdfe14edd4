import { beforeAll, describe, expect, it } from 'vitest'
import { SCENARIOS } from '../../suites/index.js'
import { BREAKAGE, buildRun } from '../testing/run-fixtures.js'
import type { RunRecord } from './model.js'
import { expectedChecksOf, rejudge } from './rejudge.js'

/** A record as JSON sees it: every field writable, for tampering. */
type Loose = {
  passed?: boolean
  selected?: string[]
  missingResults: string[]
  diagnostics: Record<string, string[]>
  scenarios: {
    id: string
    passed: boolean
    checks: {
      scenario: string
      check: string
      passed: boolean
      cause: string
      verdict: Record<string, unknown> & { passed: boolean; details?: Record<string, unknown> }
    }[]
  }[]
}

let failing: RunRecord
let passing: RunRecord
beforeAll(async () => {
  failing = await buildRun({ breakage: BREAKAGE })
  passing = await buildRun()
}, 60_000)

const expected = () => expectedChecksOf(SCENARIOS)
const tamper = (run: RunRecord, change: (r: Loose) => void): RunRecord => {
  const copy = JSON.parse(JSON.stringify(run)) as Loose
  change(copy)
  return copy as unknown as RunRecord
}
const scenario = (r: Loose, id: string) => r.scenarios.find((s) => s.id === id) as Loose['scenarios'][number]
const index = (run: RunRecord, id: string) => run.scenarios.findIndex((s) => s.id === id)

describe('rejudge of an untouched record', () => {
  it('reproduces every verdict, scenario and run result', async () => {
    for (const run of [failing, passing, await buildRun({ istio: '1.30.5', shadowSuffix: false })]) {
      const result = rejudge(JSON.parse(JSON.stringify(run)), expected())
      expect(result.differences).toEqual([])
      expect(result.checked).toBe(run.scenarios.flatMap((s) => s.checks).length)
      expect(result.passed).toBe(run.passed)
    }
  }, 60_000)
})

describe('rejudge catches each tampering', () => {
  it('a check flipped to pass, with a new cause', () => {
    const result = rejudge(
      tamper(failing, (r) => {
        const c = scenario(r, 'weighted-shift').checks[0] as Loose['scenarios'][number]['checks'][number]
        c.passed = true
        c.cause = 'all good'
      }),
      expected(),
    )
    expect(result.differences[0]).toEqual({
      where: 'weighted-shift/share-10',
      pointer: `/scenarios/${index(failing, 'weighted-shift')}/checks/0/passed`,
      saved: 'pass (all good)',
      recomputed: expect.stringMatching(/^FAIL \(v2 share 50\.0%/),
    })
  })

  it('only the cause, only the verdict, a displayed count, a displayed share, a detail', () => {
    const at = (pointerEnd: string, change: (c: Loose['scenarios'][number]['checks'][number]) => void) => {
      const result = rejudge(
        tamper(failing, (r) => change(scenario(r, 'weighted-shift').checks[0] as never)),
        expected(),
      )
      expect(result.differences.map((d) => d.pointer)).toEqual([
        `/scenarios/${index(failing, 'weighted-shift')}/checks/0${pointerEnd}`,
      ])
      return result.differences[0]
    }
    at('/cause', (c) => {
      c.cause = 'v2 share 10.0% (5/50) is consistent with the expected 10.0% +- 10.0%'
    })
    at('/verdict/passed', (c) => {
      c.verdict.passed = true
    })
    expect(
      at('/verdict/counts/v2', (c) => {
        ;(c.verdict.counts as { v2: number }).v2 = 5
      }),
    ).toMatchObject({ saved: '5', recomputed: '66' })
    at('/verdict/observedShare', (c) => {
      c.verdict.observedShare = 0.1
    })
    at('/verdict/interval/1', (c) => {
      ;(c.verdict.interval as number[])[1] = 0.2
    })
    const mirror = index(failing, 'mirroring')
    const result = rejudge(
      tamper(failing, (r) => {
        const c = scenario(r, 'mirroring').checks.find((x) => x.check === 'v2-receives-mirror')
        if (c?.verdict.details) c.verdict.details.mirrored = 9999
      }),
      expected(),
    )
    expect(result.differences).toEqual([
      expect.objectContaining({
        pointer: expect.stringMatching(
          new RegExp(`^/scenarios/${mirror}/checks/\\d+/verdict/details/mirrored$`),
        ),
      }),
    ])
  })

  it("a scenario's passed", () => {
    const result = rejudge(
      tamper(failing, (r) => {
        scenario(r, 'subset-v1').passed = true
      }),
      expected(),
    )
    expect(result.differences).toEqual([
      {
        where: 'subset-v1',
        pointer: `/scenarios/${index(failing, 'subset-v1')}/passed`,
        saved: 'pass',
        recomputed: 'FAIL (from its checks, error and cleanup)',
      },
    ])
  })

  it("the run's passed", () => {
    const result = rejudge(
      tamper(failing, (r) => {
        r.passed = true
      }),
      expected(),
    )
    expect(result.differences).toEqual([
      { where: 'run', pointer: '/passed', saved: 'pass', recomputed: 'FAIL (from its scenarios)' },
    ])
  })

  it('a deleted failing check, even with the scenario and run marked passed', () => {
    const result = rejudge(
      tamper(failing, (r) => {
        const s = scenario(r, 'subset-v1')
        s.checks = s.checks.filter((c) => c.passed)
        s.passed = true
        r.passed = r.scenarios.every((x) => x.passed)
      }),
      expected(),
    )
    expect(result.differences).toContainEqual({
      where: 'subset-v1/no-v2',
      pointer: `/scenarios/${index(failing, 'subset-v1')}/checks`,
      saved: 'no result for this check',
      recomputed: 'a result for every check of subset-v1',
    })
    expect(result.differences.map((d) => d.pointer)).toContain(
      `/scenarios/${index(failing, 'subset-v1')}/passed`,
    )
  })

  it('a deleted check the suite newly defines (the expected checks are a parameter)', () => {
    const more = { ...expected(), 'edge-routing': ['converged', 'all-ok', 'no-5xx'] }
    expect(rejudge(passing, more).differences).toEqual([
      expect.objectContaining({ where: 'edge-routing/no-5xx', saved: 'no result for this check' }),
      expect.objectContaining({ where: 'edge-routing', pointer: '/scenarios/0/passed' }),
      expect.objectContaining({ where: 'run', pointer: '/passed' }),
    ])
  })

  it('a whole scenario deleted: the record says it was selected, or holds its diagnostics', () => {
    const withoutSubset = (r: Loose) => {
      r.scenarios = r.scenarios.filter((s) => s.id !== 'subset-v1')
      r.passed = false
    }
    expect(rejudge(tamper(failing, withoutSubset), expected()).differences).toEqual([
      {
        where: 'subset-v1',
        pointer: '/scenarios',
        saved: 'no result and not listed as missing',
        recomputed: 'a result for selected scenario subset-v1',
      },
    ])
    const withDiagnostics = tamper(failing, (r) => {
      withoutSubset(r)
      delete r.selected
      r.diagnostics = { 'subset-v1': ['diagnostics/subset-v1/events.txt'] }
    })
    expect(rejudge(withDiagnostics, expected()).differences).toEqual([
      expect.objectContaining({ where: 'subset-v1', saved: 'no result, yet diagnostics of its failure' }),
    ])
  })

  it('checks or scenarios the suite does not define, twice recorded, or misattributed', () => {
    const wheres = (change: (r: Loose) => void) =>
      rejudge(tamper(passing, change), expected()).differences.map((d) => `${d.where}: ${d.recomputed}`)
    expect(
      wheres((r) => {
        const s = scenario(r, 'edge-routing')
        s.checks.push({ ...(s.checks[1] as Loose['scenarios'][number]['checks'][number]) })
      }),
    ).toEqual(['edge-routing/all-ok: each check once'])
    expect(
      wheres((r) => {
        const c = scenario(r, 'edge-routing').checks[1] as { check: string }
        c.check = 'made-up'
      }),
    ).toEqual([
      'edge-routing/made-up: not a check of edge-routing',
      'edge-routing/all-ok: a result for every check of edge-routing',
      'edge-routing: FAIL (from its checks, error and cleanup)',
      'run: FAIL (from its scenarios)',
    ])
    expect(
      wheres((r) => {
        ;(scenario(r, 'edge-routing').checks[0] as { scenario: string }).scenario = 'subset-v1'
      }),
    ).toEqual(['edge-routing/converged: "edge-routing"'])
    expect(
      wheres((r) => {
        r.missingResults = ['edge-routing']
        r.passed = false
      }),
    ).toEqual(['edge-routing: one or the other'])
    expect(
      wheres((r) => {
        r.scenarios.push(JSON.parse(JSON.stringify(r.scenarios[0])))
      }),
    ).toEqual(['edge-routing: each scenario once'])
  })
})
