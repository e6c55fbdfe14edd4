import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { requireTool, XMLLINT } from '../testing/external-tools.js'
import { CONTROL_CHARACTER, HOSTILE, hostileRun } from '../testing/hostile.js'
import { BREAKAGE, buildRun } from '../testing/run-fixtures.js'
import { tempDir } from '../testing/temp-dir.js'
import { diffRuns, renderDiff } from './diff.js'
import { toJUnit } from './junit.js'
import type { RunRecord } from './model.js'
import { toMarkdown } from './summary.js'

const XSD = fileURLToPath(new URL('../testing/junit.xsd', import.meta.url))
let passing: RunRecord
let failing: RunRecord
beforeAll(async () => {
  passing = await buildRun()
  failing = await buildRun({ breakage: BREAKAGE })
}, 60_000)

function xmllint(xml: string): string {
  const dir = tempDir('junit')
  writeFileSync(join(dir, 'junit.xml'), xml)
  return execFileSync('xmllint', ['--noout', '--schema', XSD, join(dir, 'junit.xml')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

describe('fixtures', () => {
  it('the passing run passes every check of all twelve scenarios; the failing one fails in four', () => {
    expect(passing.scenarios).toHaveLength(12)
    expect(passing.scenarios.filter((s) => !s.passed).map((s) => s.id)).toEqual([])
    expect(failing.scenarios.filter((s) => !s.passed).map((s) => s.id)).toEqual([
      'subset-v1',
      'weighted-shift',
      'flagger-canary',
      'mirroring',
    ])
  })
})

describe('junit.xml', () => {
  it('validates against the JUnit XML schema, for a passing run and a run with failures', (ctx) => {
    requireTool(ctx, XMLLINT)
    expect(() => xmllint(toJUnit(passing))).not.toThrow()
    expect(() => xmllint(toJUnit(failing))).not.toThrow()
  })

  it('has one testsuite per scenario and one testcase per check; failures name the cause and numbers', () => {
    const xml = toJUnit(failing)
    expect(xml.match(/<testsuite /g)).toHaveLength(12)
    expect(xml.match(/<testcase /g)).toHaveLength(failing.scenarios.flatMap((s) => s.checks).length)
    expect(xml).toMatch(/<testsuites name="istio-traffic-conformance" tests="\d+" failures="\d+"/)
    const shareFailure =
      /<testcase name="share-10" classname="weighted-shift"[^>]*>\s*<failure message="v2 share [^"]+" type="CheckFailed">([^<]+)<\/failure>/.exec(
        xml,
      )
    expect(shareFailure?.[1]).toContain('hint: Compare the VirtualService weights (90/10)')
    expect(shareFailure?.[1]).toMatch(
      /expected share 10\.0% \+- 5\.0%, observed \d+\.\d%, 99\.9999% interval \[[\d.]+%, [\d.]+%\], n=\d+/,
    )
  })

  it("has the serial run's base lab as a test of its own, failed when removing it left something", (ctx) => {
    const base = {
      namespace: 'istioinaction',
      files: ['apps/catalog.yaml'],
      order: ['edge-routing'],
      rollouts: { 'Deployment/catalog': 1 },
      startedAt: passing.startedAt,
      endedAt: passing.endedAt,
      cleanup: { deleted: ['Deployment/catalog'], restored: [], errors: [] as string[] },
    }
    const clean = toJUnit({ ...passing, baseLab: base })
    expect(clean).toMatch(
      /<testsuite name="base-lab" tests="1" failures="0"[^>]*>\s*<testcase name="cleanup" classname="base-lab" time="0.000"><\/testcase>/,
    )
    const left = toJUnit({
      ...passing,
      baseLab: { ...base, cleanup: { ...base.cleanup, errors: ['Service/catalog: <forbidden> & "x"'] } },
    })
    expect(left).toContain(
      '<failure message="removing the base lab left 1 object(s)" type="CleanupFailed">Service/catalog: &lt;forbidden&gt; &amp; &quot;x&quot;</failure>',
    )
    const totals = (xml: string) => /<testsuites [^>]*tests="(\d+)" failures="(\d+)"/.exec(xml)?.slice(1)
    const [tests, failures] = totals(left) ?? []
    expect([Number(tests), Number(failures)]).toEqual([
      Number(totals(clean)?.[0]),
      Number(totals(clean)?.[1]) + 1,
    ])
    requireTool(ctx, XMLLINT)
    expect(() => xmllint(left)).not.toThrow()
  })

  it('keeps hostile strings as text: the XML stays valid and gains no element', (ctx) => {
    requireTool(ctx, XMLLINT)
    const hostile = hostileRun(failing)
    // Timestamps must stay xs:dateTime for the schema; everything else is hostile.
    const xml = toJUnit({ ...hostile, startedAt: failing.startedAt })
    expect(() => xmllint(xml)).not.toThrow()
    expect(xml).not.toMatch(/<(script|img|svg|iframe|a|style)\b/i)
    expect(xml).not.toMatch(CONTROL_CHARACTER)
    const cases =
      hostile.scenarios.flatMap((s) => s.checks).length +
      hostile.scenarios.filter((s) => s.cleanup.errors.length).length +
      hostile.missingResults.length
    expect(xml.match(/<testcase /g)).toHaveLength(cases)
  })
})

describe('run.json', () => {
  it('round-trips through JSON unchanged', () => {
    expect(JSON.parse(JSON.stringify(failing))).toEqual(failing)
  })
})

describe('diff', () => {
  it('classifies newly failing, newly passing and unchanged checks between two runs', () => {
    const d = diffRuns(passing, failing)
    const status = (key: string) => d.entries.find((e) => `${e.scenario}/${e.check}` === key)?.status
    expect(status('subset-v1/no-v2')).toBe('newly failing')
    expect(status('edge-routing/all-ok')).toBe('unchanged')
    expect(diffRuns(failing, passing).entries.find((e) => e.scenario === 'subset-v1')?.status).toBe(
      'newly passing',
    )
    expect(d.counts.newlyFailing).toBeGreaterThanOrEqual(4)
    expect(d.worse).toEqual([`${d.counts.newlyFailing} newly failing`])
    expect(renderDiff(d).split('\n').at(-1)).toBe(`B is worse than A: ${d.counts.newlyFailing} newly failing`)
    expect(diffRuns(failing, passing).worse).toEqual([])
  })

  it('tells the mirror suffix change between Istio 1.17 and 1.30 as changed by design', async () => {
    const current = await buildRun({ istio: '1.30.5', shadowSuffix: false })
    const d = diffRuns(passing, current)
    const shadow = d.entries.find((e) => e.scenario === 'mirroring' && e.check === 'shadow-host')
    expect(shadow).toMatchObject({ status: 'changed by design' })
    expect(shadow?.byDesign).toContain('mirror-shadow-suffix: Istio 1.17.8: Envoy appends -shadow')
    expect(d.counts.newlyFailing).toBe(0)
    expect(d.worse).toEqual([])
    const text = renderDiff(d).split('\n')
    expect(text[0]).toBe(`A: Istio 1.17.8, Kubernetes v1.26.15, profile book, ${passing.startedAt}`)
    expect(text.at(-2)).toMatch(
      /^\d+ unchanged, 0 newly failing, 0 newly passing, 2 changed by design, 0 only in A, 0 only in B \(0 failing\)$/,
    )
    expect(text.at(-1)).toBe('B is not worse than A: no check newly fails or went missing')
  }, 60_000)

  it('counts a check of A that B lacks, and a new check failing in B, as worse, and says so', () => {
    const fewer = structuredClone(passing) as unknown as RunRecord & { scenarios: { checks: unknown[] }[] }
    fewer.scenarios[0]?.checks.pop()
    const lost = diffRuns(passing, fewer)
    expect(lost.counts).toMatchObject({ newlyFailing: 0, onlyInA: 1 })
    expect(lost.worse).toEqual(["1 of A's checks missing from B"])
    expect(renderDiff(lost)).toMatch(/edge-routing\/all-ok\s+only in A\n\s+A: all 688 responses/)
    const gained = diffRuns(fewer, failing)
    expect(gained.counts.onlyInB).toBe(1)
    expect(diffRuns(fewer, passing).worse).toEqual([])
  })

  it('reports a scenario that newly fails outside its checks (its cleanup failed)', () => {
    const dirty = structuredClone(passing) as unknown as RunRecord & {
      scenarios: { passed: boolean; cleanup: { errors: string[] } }[]
    }
    const s = dirty.scenarios[1] as { passed: boolean; cleanup: { errors: string[] } }
    s.cleanup.errors = ['VirtualService/catalog: timed out']
    s.passed = false
    const d = diffRuns(passing, dirty)
    expect(d.entries.filter((e) => e.status !== 'unchanged')).toEqual([
      expect.objectContaining({ scenario: 'subset-v1', check: '(scenario)', status: 'newly failing' }),
    ])
    expect(d.worse).toEqual(['1 newly failing'])
  })

  it('strips control characters from everything it prints', () => {
    const text = renderDiff(diffRuns(passing, hostileRun(failing)))
    expect(text).not.toMatch(CONTROL_CHARACTER)
    expect(text).not.toContain('\nPASS forged-scenario')
  })
})

describe('summary.md', () => {
  it('opens with pass/fail and the versions, then a table per scenario with key numbers', () => {
    const md = toMarkdown(failing)
    expect(md.split('\n')[0]).toMatch(
      /^\*\*FAIL\*\*: \d+ checks passed, \d+ failed; Istio 1\.17\.8 on Kubernetes v1\.26\.15 \(profile book, Flagger 1\.36\.1\)$/,
    )
    expect(md).toContain('### FAIL `weighted-shift`')
    // The run states its own error rate: how often a correct mesh would fail it.
    expect(md).toMatch(/A correct mesh fails at least one check of this run with probability at most 8\.3e-6/)
    expect(md).toMatch(/\| share-10 \| \*\*FAIL\*\* \| v2 share .* \| expected share 10\.0%/)
    expect(toMarkdown(passing).startsWith('**PASS**')).toBe(true)
    expect(md).toContain(
      '- hint for `no-v2`: A v2 response means the VirtualService does not pin subset version-v1',
    )
    expect(toMarkdown(passing)).not.toContain('hint for')
  })

  it('keeps hostile strings inert: no raw HTML, link, code span break, extra column or control character', () => {
    const md = toMarkdown(hostileRun(failing))
    expect(md).not.toMatch(CONTROL_CHARACTER)
    // Outside code spans (where nothing is markup) every '<' and '[' from the record is escaped,
    // and the only raw pipes are the table's own.
    const prose = md.replace(/(`+)(?!`)[^\n]*?[^`]\1(?!`)/g, '')
    expect(prose).not.toMatch(/(^|[^\\])[<[]/m)
    // Every row has the cells of its table's header (the catalogue's own row).
    let header: number | undefined
    for (const line of md.split('\n')) {
      const pipes = line.startsWith('|') ? (line.replace(/\\\|/g, '').match(/\|/g)?.length ?? 0) : undefined
      header = pipes === undefined ? undefined : (header ?? pipes)
      expect(pipes, line).toBe(header)
    }
    expect(prose).not.toMatch(/[^\\]:\/\//)
    expect(md).toContain('\\<script\\>document.title="PWNED-script"\\</script\\>')
    expect(md).not.toContain(`\n${HOSTILE.newlineForgery.split('\n')[1]}`)
  })
})
