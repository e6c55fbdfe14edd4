import { describe, expect, it } from 'vitest'
import { judge } from '../evidence/judges.js'
import {
  type CanarySample,
  type CanaryTimelineEvidence,
  judgeCanaryTimeline,
  parseFlaggerEvent,
  stepsFromTimeline,
} from './canary.js'

describe('parseFlaggerEvent', () => {
  // Event messages from shared/reference/ch5-lab.md ("Events to expect").
  it.each([
    ['New revision detected! Scaling up catalog.istioinaction', 'new-revision', undefined],
    ['Advance catalog-release.istioinaction canary weight 10', 'advance', 10],
    ['Promotion completed! Scaling down catalog.istioinaction', 'promotion-completed', undefined],
    ['Rolling back catalog-release.istioinaction failed checks threshold reached 5', 'rollback', undefined],
    ['Canary failed! Scaling down catalog.istioinaction', 'failed', undefined],
    ['Starting canary analysis for catalog.istioinaction', 'other', undefined],
  ])('%s', (message, kind, weight) => {
    const e = parseFlaggerEvent(message)
    expect(e.kind).toBe(kind)
    expect(e.weight).toBe(weight)
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
