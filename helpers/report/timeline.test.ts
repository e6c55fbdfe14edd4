import { describe, expect, it } from 'vitest'
import { renderRunSummary } from '../cli/commands/run.js'
import { CONTROL_CHARACTER, HOSTILE } from '../testing/hostile.js'
import type { PhaseSpan, RunRecord, ScenarioResult } from './model.js'
import { toMarkdown } from './summary.js'
import { formatDuration, phaseName, phaseSeconds, runTimeline, scenarioWallMs } from './timeline.js'

const at = (s: number) => new Date(Date.parse('2026-11-27T08:00:00.000Z') + s * 1000).toISOString()
const span = (kind: PhaseSpan['kind'], from: number, seconds: number, label = ''): PhaseSpan => ({
  kind,
  label,
  startedAt: at(from),
  durationMs: seconds * 1000,
})

function scenario(id: string, from: number, to: number, phases?: PhaseSpan[]): ScenarioResult {
  return {
    id,
    title: id,
    section: '5.2',
    istioVersion: '1.17.8',
    startedAt: at(from),
    endedAt: at(to),
    passed: true,
    checks: [],
    manifests: [],
    cleanup: { deleted: [], restored: [], errors: [] },
    ...(phases ? { phases } : {}),
  }
}

/** A run of two scenarios: 3 s of setup, edge-routing for 60 s, subset-v1 for 30 s, 2 s after. */
function record(scenarios: ScenarioResult[]): RunRecord {
  return {
    schema: 3,
    suite: { name: 'istio-traffic-conformance', version: '0.1.0' },
    profile: 'book',
    context: 'kind-istio-conformance',
    server: 'https://127.0.0.1:6443',
    clusterMode: 'suite-cluster',
    versions: {
      kubernetes: 'v1.26.15',
      istioControlPlane: '1.17.8',
      istioProxies: [],
      flagger: '1.36.1',
      nodeImage: 'x',
    },
    startedAt: at(0),
    endedAt: at(95),
    upTimings: [],
    scenarios,
    missingResults: [],
    diagnostics: {},
    selected: scenarios.map((s) => s.id),
    passed: true,
    falseFailureBound: 0,
  }
}

const EDGE = scenario('edge-routing', 3, 63, [
  span('apply', 3, 1, 'catalog-at-the-edge'),
  span('rollout', 4, 30, 'catalog'),
  span('converge', 34, 2, 'converged'),
  span('measure', 36, 20, 'v1-only'),
  span('cleanup', 57, 5),
])
const SUBSET = scenario('subset-v1', 63, 93, [
  span('apply', 63, 1, 'v1'),
  span('measure', 64, 12, 'no-v2'),
  span('measure', 77, 12, 'no-v2-again'),
  span('cleanup', 90, 3),
])

describe('the run timeline (pure)', () => {
  it('places each scenario and its spans relative to the run start', () => {
    const timeline = runTimeline(record([EDGE, SUBSET]))
    expect(timeline?.wallMs).toBe(95_000)
    expect(timeline?.rows.map((r) => [r.id, r.startMs, r.endMs])).toEqual([
      ['edge-routing', 3_000, 63_000],
      ['subset-v1', 63_000, 93_000],
    ])
    expect(timeline?.rows[0]?.phases[1]).toEqual({
      kind: 'rollout',
      label: 'catalog',
      startMs: 4_000,
      endMs: 34_000,
    })
  })

  it('is absent for a record without phases (schema 2)', () => {
    expect(runTimeline(record([scenario('edge-routing', 3, 63)]))).toBeUndefined()
  })

  it('counts a span that runs past the run end in the wall time, and an unreadable time as nothing', () => {
    const late = scenario('edge-routing', 3, 63, [span('cleanup', 60, 50)])
    expect(runTimeline(record([late]))?.wallMs).toBe(110_000)
    const odd = {
      ...scenario('edge-routing', 3, 63),
      endedAt: 'yesterday',
      phases: [
        { kind: 'apply', label: 'x', startedAt: 'soon', durationMs: Number.NaN } as unknown as PhaseSpan,
      ],
    }
    const timeline = runTimeline({ ...record([odd]), startedAt: 'later' })
    expect(timeline?.rows[0]).toMatchObject({ startMs: 0, endMs: 0, phases: [{ startMs: 0, endMs: 0 }] })
    expect(scenarioWallMs(odd)).toBe(0)
  })

  it('sums seconds per kind, most first', () => {
    expect(phaseSeconds(SUBSET)).toEqual([
      { kind: 'measure', seconds: 24 },
      { kind: 'cleanup', seconds: 3 },
      { kind: 'apply', seconds: 1 },
    ])
    expect(phaseSeconds(scenario('x', 0, 1))).toEqual([])
  })

  it('says durations in seconds under a minute, else minutes and seconds, in both languages', () => {
    expect(formatDuration(42_049, 'en')).toBe('42.0 s')
    expect(formatDuration(59_940, 'en')).toBe('59.9 s')
    expect(formatDuration(185_400, 'en')).toBe('3 min 05 s')
    expect(formatDuration(185_400, 'ko')).toBe('3분 05초')
    expect(formatDuration(Number.NaN, 'en')).toBe('0.0 s')
    expect(phaseName('routes', 'en')).toBe('route table')
    expect(phaseName('routes', 'ko')).toBe('라우트 테이블')
    expect(phaseName('toString', 'en')).toBe('toString')
  })
})

describe('the timeline in summary.md and the terminal summary', () => {
  it('summary.md: the total, then each scenario with its wall time and its three slowest kinds', () => {
    const md = toMarkdown(record([EDGE, SUBSET]))
    const lines = md.split('\n')
    const from = lines.indexOf('### Timeline')
    expect(lines.slice(from, from + 8)).toEqual([
      '### Timeline',
      '',
      'The run took 1 min 35 s from start to end.',
      '',
      '| scenario | wall time | where the time went |',
      '|---|---|---|',
      '| `edge-routing` | 1 min 00 s | rollout 30.0 s, measure 20.0 s, cleanup 5.0 s |',
      '| `subset-v1` | 30.0 s | measure 24.0 s, cleanup 3.0 s, apply 1.0 s |',
    ])
    const ko = toMarkdown(record([EDGE, SUBSET]), 'ko')
    expect(ko).toContain('| 시나리오 | 소요 시간 | 시간이 쓰인 곳 |')
    expect(ko).toContain('| `edge-routing` | 1분 00초 | 롤아웃 30.0초, 측정 20.0초, 정리 5.0초 |')
  })

  it('summary.md: no timeline for a record without phases; a hostile kind stays in its cell', () => {
    expect(toMarkdown(record([scenario('edge-routing', 3, 63)]))).not.toContain('Timeline')
    const hostile = scenario('edge-routing', 3, 63, [
      { ...span('apply', 3, 10), kind: `${HOSTILE.markdown} ${HOSTILE.ansiColour}` as PhaseSpan['kind'] },
    ])
    const md = toMarkdown(record([hostile]))
    const row = md.split('\n').find((l) => l.startsWith('| `edge-routing`')) ?? ''
    expect(row.replace(/\\\|/g, '').match(/\|/g)).toHaveLength(4)
    expect(md).not.toMatch(CONTROL_CHARACTER)
    expect(row).not.toContain('[link](')
  })

  it('the terminal summary gives each scenario its wall time', () => {
    const text = renderRunSummary([EDGE, SUBSET], [])
    expect(text.split('\n').filter((l) => /^PASS /.test(l))).toEqual([
      'PASS edge-routing [5.2] edge-routing (1 min 00 s)',
      'PASS subset-v1 [5.2] subset-v1 (30.0 s)',
    ])
    expect(renderRunSummary([SUBSET], [], 'ko')).toContain('통과 subset-v1 [5.2] subset-v1 (30.0초)')
  })
})
