import { describe, expect, it } from 'vitest'
import { type CanaryTimelineEvidence, judgeCanaryTimeline } from '../evidence/canary.js'
import { judge } from '../evidence/index.js'
import { type CanarySample, parseFlaggerEvent, stepsFromTimeline } from './canary.js'

describe('parseFlaggerEvent', () => {
  // Messages as Flagger v1.44.0 formats them (pkg/controller/scheduler.go, scheduler_metrics.go,
  // scheduler_hooks.go) for Canary catalog-release targeting Deployment catalog; the same
  // templates exist in v1.36.1.
  it.each([
    ['Initialization done! catalog-release.istioinaction', 'initialized', undefined],
    ['New revision detected! Scaling up catalog.istioinaction', 'new-revision', undefined],
    ['New revision detected! Restarting analysis for catalog.istioinaction', 'new-revision', undefined],
    ['Starting canary analysis for catalog.istioinaction', 'analysis-started', undefined],
    ['Advance catalog-release.istioinaction canary weight 10', 'advance', 10],
    ['Advance catalog-release.istioinaction primary weight 60', 'advance-primary', 60],
    ['Halt catalog-release.istioinaction advancement success rate 0.00% < 99%', 'halt', undefined],
    ['Halt catalog-release.istioinaction advancement request duration 1.2s > 500ms', 'halt', undefined],
    [
      'Halt catalog-release.istioinaction advancement external check load-test failed Post "http://x": EOF',
      'halt',
      undefined,
    ],
    [
      'Halt advancement no values found for istio metric request-success-rate probably catalog.istioinaction is not receiving traffic: running query failed: no values found',
      'halt-no-values',
      undefined,
    ],
    [
      'Halt advancement no values found for istio metric request-duration probably catalog.istioinaction is not receiving traffic',
      'halt-no-values',
      undefined,
    ],
    [
      'Copying catalog.istioinaction template spec to catalog-primary.istioinaction',
      'promotion-copy',
      undefined,
    ],
    ['Routing all traffic to primary', 'routing-to-primary', undefined],
    ['Promotion completed! Scaling down catalog.istioinaction', 'promotion-completed', undefined],
    ['Rolling back catalog-release.istioinaction failed checks threshold reached 5', 'rollback', undefined],
    ['Rolling back catalog-release.istioinaction progress deadline exceeded x', 'rollback', undefined],
    ['Canary failed! Scaling down catalog.istioinaction', 'failed', undefined],
    ['all the metrics providers are available!', 'other', undefined],
  ])('%s', (message, kind, weight) => {
    const plain = parseFlaggerEvent(message)
    expect([plain.kind, plain.weight, plain.aggregated]).toEqual([kind, weight, undefined])
    // The same message after Kubernetes aggregated it (client-go tools/record/events_cache.go).
    const combined = parseFlaggerEvent(`(combined from similar events): ${message}`, '2026-11-27T08:00:00Z')
    expect(combined).toEqual({
      kind,
      message,
      at: '2026-11-27T08:00:00Z',
      aggregated: true,
      ...(weight === undefined ? {} : { weight }),
    })
  })
})

type Run = [phase: string, weight: number, seconds: number]

/** A timeline sampled every 2 s from phase/weight runs of `seconds` each. */
function timeline(runs: Run[]): CanarySample[] {
  const samples: CanarySample[] = []
  let t = Date.parse('2026-11-27T08:00:00Z')
  for (const [phase, weight, seconds] of runs) {
    for (let s = 0; s < seconds; s += 2) {
      samples.push({ at: new Date(t).toISOString(), phase, weight })
      t += 2_000
    }
  }
  return samples
}

const evidence = (
  samples: CanarySample[],
  expectFinal: 'Succeeded' | 'Failed' = 'Succeeded',
  aspect: CanaryTimelineEvidence['aspect'] = 'weights',
): CanaryTimelineEvidence => ({
  kind: 'canary-timeline',
  aspect,
  stepWeight: 10,
  maxWeight: 50,
  expectFinal,
  stallMs: 60_000,
  samples,
  events: [],
})

const GOOD: Run[] = [
  ['Initialized', 0, 4],
  ['Progressing', 0, 10],
  ['Progressing', 10, 10],
  ['Progressing', 20, 10],
  ['Progressing', 30, 10],
  ['Progressing', 40, 10],
  ['Progressing', 50, 10],
  ['Promoting', 0, 10],
  ['Finalising', 0, 10],
  ['Succeeded', 0, 2],
]

describe('judgeCanaryTimeline', () => {
  it('passes weights 10..50 by 10, and the phases in order', () => {
    expect(judgeCanaryTimeline(evidence(timeline(GOOD)))).toMatchObject({
      passed: true,
      cause: 'canaryWeight 10, 20, 30, 40, 50 by 10',
    })
    expect(judgeCanaryTimeline(evidence(timeline(GOOD), 'Succeeded', 'phases'))).toMatchObject({
      passed: true,
      cause: 'phases Initialized > Progressing > Promoting > Finalising > Succeeded',
    })
  })

  it('fails phases that skip Finalising', () => {
    const noFinalising = GOOD.filter(([p]) => p !== 'Finalising')
    expect(judgeCanaryTimeline(evidence(timeline(noFinalising), 'Succeeded', 'phases')).cause).toBe(
      'phases Initialized > Progressing > Promoting > Succeeded do not go Progressing > Promoting > Finalising > Succeeded',
    )
  })

  it('fails a skipped step', () => {
    const skipped = GOOD.filter(([, w]) => w !== 30)
    expect(judgeCanaryTimeline(evidence(timeline(skipped))).cause).toBe(
      'canaryWeight skipped from 20 to 40 (stepWeight 10)',
    )
  })

  it('fails a weight going back', () => {
    const back: Run[] = [...GOOD.slice(0, 5), ['Progressing', 20, 10], ...GOOD.slice(5)]
    expect(judgeCanaryTimeline(evidence(timeline(back))).cause).toBe('canaryWeight went back from 30 to 20')
  })

  it('fails a stalled weight', () => {
    const stalled: Run[] = GOOD.map(([p, w, s]) => [p, w, w === 30 ? 70 : s])
    expect(judgeCanaryTimeline(evidence(timeline(stalled))).cause).toBe(
      'stalled at canaryWeight 30 for more than 60 s',
    )
  })

  it('fails a canary that ended Failed when success was expected, naming the last event', () => {
    const failed = timeline([...GOOD.slice(0, 4), ['Failed', 0, 2]])
    const verdict = judgeCanaryTimeline({
      ...evidence(failed),
      events: [
        parseFlaggerEvent('Rolling back catalog-release.istioinaction failed checks threshold reached 5'),
      ],
    })
    expect(verdict.cause).toBe(
      'ended Failed, expected Succeeded (phases Initialized > Progressing > Failed; last event: Rolling back catalog-release.istioinaction failed checks threshold reached 5)',
    )
  })

  it('passes the rollback variant only when the bad revision was analysed and ended Failed', () => {
    const rolledBack = timeline([
      ['Initialized', 0, 4],
      ['Progressing', 10, 30],
      ['Failed', 0, 2],
    ])
    expect(judgeCanaryTimeline(evidence(rolledBack, 'Failed', 'final')).passed).toBe(true)
    expect(
      judgeCanaryTimeline(
        evidence(
          timeline([
            ['Initialized', 0, 4],
            ['Failed', 0, 2],
          ]),
          'Failed',
          'final',
        ),
      ).cause,
    ).toBe('ended Failed without analysing (phases Initialized > Failed)')
    expect(
      judgeCanaryTimeline(
        evidence(
          timeline([
            ['Initialized', 0, 4],
            ['Succeeded', 0, 2],
          ]),
          'Failed',
          'final',
        ),
      ).passed,
    ).toBe(false)
  })
})

describe('judgeCanaryTimeline never lets events decide', () => {
  const HALT = parseFlaggerEvent(
    'Halt advancement no values found for istio metric request-success-rate probably catalog.istioinaction is not receiving traffic: running query failed: no values found',
  )
  const FULL = [
    'Initialization done! catalog-release.istioinaction',
    'New revision detected! Scaling up catalog.istioinaction',
    'Starting canary analysis for catalog.istioinaction',
    'Advance catalog-release.istioinaction canary weight 10',
    'Advance catalog-release.istioinaction canary weight 20',
    'Advance catalog-release.istioinaction canary weight 30',
    'Advance catalog-release.istioinaction canary weight 40',
    'Advance catalog-release.istioinaction canary weight 50',
    'Copying catalog.istioinaction template spec to catalog-primary.istioinaction',
    'Routing all traffic to primary',
    '(combined from similar events): Promotion completed! Scaling down catalog.istioinaction',
  ].map((m) => parseFlaggerEvent(m))
  // Real runs hold a weight for several intervals when a check halts (no metric values yet).
  const HELD: Run[] = GOOD.flatMap((r) =>
    r[0] === 'Progressing' && (r[1] === 10 || r[1] === 20) ? [r, r] : [r],
  )
  const cases: [string, Run[], 'Succeeded' | 'Failed', CanaryTimelineEvidence['aspect']][] = [
    ['good', GOOD, 'Succeeded', 'weights'],
    ['good phases', GOOD, 'Succeeded', 'phases'],
    ['held weights', HELD, 'Succeeded', 'weights'],
    ['skipped', GOOD.filter(([, w]) => w !== 30), 'Succeeded', 'weights'],
    [
      'rolled back',
      [
        ['Initialized', 0, 4],
        ['Progressing', 10, 30],
        ['Failed', 0, 2],
      ],
      'Failed',
      'final',
    ],
    ['failed instead', [...GOOD.slice(0, 4), ['Failed', 0, 2]], 'Succeeded', 'weights'],
  ]
  it.each(cases)(
    '%s: the same verdict with all, aggregated, halting or no events',
    (_, runs, final, aspect) => {
      const base = evidence(timeline(runs), final, aspect)
      const verdicts = [FULL, FULL.slice(-1), [HALT, HALT], []].map(
        (events) => judgeCanaryTimeline({ ...base, events }).passed,
      )
      expect(new Set(verdicts).size).toBe(1)
    },
  )

  it('passes weights held for several intervals (20, 20 in real runs)', () => {
    expect(judgeCanaryTimeline(evidence(timeline(HELD)))).toMatchObject({
      passed: true,
      cause: 'canaryWeight 10, 20, 30, 40, 50 by 10',
    })
  })

  it('names the last halt in a stall, and says when Kubernetes combined events', () => {
    const stalled: Run[] = GOOD.map(([p, w, s]) => [p, w, w === 30 ? 70 : s])
    const v = judgeCanaryTimeline({
      ...evidence(timeline(stalled)),
      events: [HALT, parseFlaggerEvent(`(combined from similar events): ${HALT.message}`)],
    })
    expect(v.cause).toBe(
      `stalled at canaryWeight 30 for more than 60 s (last halt event: ${HALT.message} (combined by Kubernetes with similar events))`,
    )
    expect(v.details.events).toEqual({ read: 2, aggregated: 1, halts: 2 })
  })
})

describe('stepsFromTimeline', () => {
  it('takes the load sent at each weight, after the settle time, until the last sample showing it', () => {
    const samples = timeline([
      ['Progressing', 0, 4],
      ['Progressing', 10, 10],
      ['Progressing', 20, 10],
      ['Promoting', 0, 2],
    ])
    const start = Date.parse(samples[0]?.at ?? '')
    // One response per second; v2 marks the ones routed by the 20% weights, which Flagger set
    // at 13 s, before the status showed 20% (at 14 s).
    const load = Array.from({ length: 26 }, (_, s) => ({
      at: new Date(start + s * 1000).toISOString(),
      class: (s >= 13 && s < 24 ? 'v2' : 'v1') as 'v1' | 'v2',
    }))
    // 10% is seen at 4 s and last seen at 12 s: 6..11 s. Responses from 12 s on may already
    // see 20%, which Flagger routes before it writes the status.
    expect(stepsFromTimeline(samples, load, 2_000)).toEqual([
      { weight: 10, outcomes: '1'.repeat(6) },
      { weight: 20, outcomes: '2'.repeat(6) },
    ])
  })
})

describe('judgeCanarySteps', () => {
  const step = (weight: number, v2: number, n: number) => ({
    weight,
    outcomes: '2'.repeat(v2) + '1'.repeat(n - v2),
  })

  it('passes shares consistent with each weight', () => {
    const v = judge({
      kind: 'canary-steps',
      alpha: 1e-6,
      settleMs: 2_000,
      steps: [step(10, 9, 100), step(20, 24, 100), step(50, 47, 100)],
    })
    expect(v).toMatchObject({ passed: true, cause: '10%: 9.0% of 100, 20%: 24.0% of 100, 50%: 47.0% of 100' })
  })

  it('fails a share inconsistent with the weight, and a step with no responses', () => {
    expect(
      judge({ kind: 'canary-steps', alpha: 1e-6, settleMs: 2_000, steps: [step(10, 60, 100)] }).cause,
    ).toBe('at canaryWeight 10 the v2 share was 60.0% (60/100), inconsistent with 10% at alpha 0.000001')
    expect(judge({ kind: 'canary-steps', alpha: 1e-6, settleMs: 2_000, steps: [step(10, 0, 0)] }).cause).toBe(
      'no responses were measured at canaryWeight 10',
    )
  })
})
