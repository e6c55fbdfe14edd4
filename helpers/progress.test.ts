import { describe, expect, it } from 'vitest'
import { SuiteError, UsageError } from './errors.js'
import { type GraphPhase, PhaseFailed, Phases, renderTimings } from './progress.js'
import { Gate } from './testing/fake-cluster.js'

/** Phases whose bodies record when they start and end, each held until its gate is opened. */
function held(graph: readonly { id: string; after: readonly string[] }[]) {
  const events: string[] = []
  const gates = new Map(graph.map((p) => [p.id, new Gate()]))
  const started = new Map(graph.map((p) => [p.id, new Gate()]))
  const phases: GraphPhase[] = graph.map((p) => ({
    ...p,
    what: `doing ${p.id}`,
    body: async () => {
      events.push(`start ${p.id}`)
      started.get(p.id)?.open()
      try {
        await gates.get(p.id)?.promise
        events.push(`end ${p.id}`)
      } catch (error) {
        events.push(`fail ${p.id}`)
        throw error
      }
    },
  }))
  const gate = (id: string) => gates.get(id) as Gate
  const hasStarted = (id: string) => (started.get(id) as Gate).promise
  return { events, phases, gate, hasStarted }
}

/** A clock the test moves by hand. */
function clock(startMs = 1_000_000) {
  let t = startMs
  return { now: () => t, advance: (s: number) => (t += s * 1000) }
}

describe('Phases.runGraph', () => {
  it('starts a phase once what it waits for has ended, and phases without an edge side by side', async () => {
    const g = held([
      { id: 'a', after: [] },
      { id: 'b', after: [] },
      { id: 'c', after: ['a'] },
    ])
    const lines: string[] = []
    const phases = new Phases((l) => lines.push(l))
    const done = phases.runGraph(g.phases)
    await Promise.all([g.hasStarted('a'), g.hasStarted('b')])
    expect(g.events).toEqual(['start a', 'start b'])
    g.gate('a').open()
    await g.hasStarted('c')
    // c started while b still runs: they overlap.
    expect(g.events).toEqual(['start a', 'start b', 'end a', 'start c'])
    g.gate('c').open()
    g.gate('b').open()
    await done
    expect(g.events.slice(4).sort()).toEqual(['end b', 'end c'])
    expect(phases.timings.map((t) => [t.phase, t.outcome])).toEqual([
      ['a', 'ok'],
      ['c', 'ok'],
      ['b', 'ok'],
    ])
    // Each line is whole and names its phase; an ending phase says what still runs.
    expect(lines.find((l) => l.includes('a: done'))).toMatch(
      /^\[\s+\d+\.\ds\] a: done in \d+\.\d s; still running: b$/,
    )
  })

  it('after a failure starts nothing new, waits for what runs, and names the failed phase', async () => {
    const g = held([
      { id: 'a', after: [] },
      { id: 'b', after: [] },
      { id: 'c', after: ['a'] },
      { id: 'd', after: ['b'] },
    ])
    const lines: string[] = []
    const waiting = new Gate()
    const phases = new Phases((l) => {
      lines.push(l)
      if (l.includes('starting nothing new')) waiting.open()
    })
    // Were c or d started, nothing would hold them: the events would show it.
    g.gate('c').open()
    g.gate('d').open()
    let settled = false
    const done = phases.runGraph(g.phases).finally(() => {
      settled = true
    })
    await Promise.all([g.hasStarted('a'), g.hasStarted('b')])
    g.gate('a').fail(new Error('istioctl install exited 1: no space left'))
    await waiting.promise
    expect(lines.at(-1)).toMatch(/a failed: starting nothing new, waiting for b$/)
    expect(settled).toBe(false)
    g.gate('b').open()
    const error = await done.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PhaseFailed)
    expect((error as PhaseFailed).message).toBe('phase a failed: istioctl install exited 1: no space left')
    expect((error as PhaseFailed).phase).toBe('a')
    // b ended before up failed; c waited for the failed a, and d was not started after it.
    expect(g.events).toEqual(['start a', 'start b', 'fail a', 'end b'])
    expect(phases.timings.map((t) => [t.phase, t.outcome, t.detail])).toEqual([
      ['a', 'failed', 'istioctl install exited 1: no space left'],
      ['b', 'ok', undefined],
      ['c', 'skipped', 'not started: a failed'],
      ['d', 'skipped', 'not started: a failed'],
    ])
  })

  it('names every phase that failed, the first as the cause', async () => {
    const g = held([
      { id: 'a', after: [] },
      { id: 'b', after: [] },
    ])
    const phases = new Phases(() => {})
    const done = phases.runGraph(g.phases).catch((e: unknown) => e)
    await Promise.all([g.hasStarted('a'), g.hasStarted('b')])
    g.gate('b').fail(new Error('pull denied'))
    g.gate('a').fail(new Error('load failed'))
    expect(((await done) as Error).message).toBe('phase b failed: pull denied (also failed: a)')
  })

  it("keeps a SuiteError's exit code and fix", async () => {
    const phases = new Phases(() => {})
    const error = await phases
      .runGraph([
        {
          id: 'tools',
          after: [],
          what: 'resolving',
          body: async () => {
            throw new UsageError('checksum mismatch', 'delete .tools/istioctl')
          },
        },
      ])
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SuiteError)
    expect((error as SuiteError).exitCode).toBe(2)
    expect((error as SuiteError).fix).toBe('delete .tools/istioctl')
    expect((error as SuiteError).message).toBe('phase tools failed: checksum mismatch')
  })

  it('refuses an unknown phase or a cycle before starting anything', async () => {
    const g = held([
      { id: 'a', after: ['b'] },
      { id: 'b', after: ['a'] },
    ])
    const phases = new Phases(() => {})
    await expect(phases.runGraph(g.phases)).rejects.toThrow('cycle')
    await expect(phases.runGraph([{ ...(g.phases[0] as GraphPhase), after: ['x'] }])).rejects.toThrow(
      'a waits for unknown phase x',
    )
    expect(g.events).toEqual([])
  })

  it('records when each phase started, and keeps the start out of the timings run.json holds', async () => {
    const c = clock()
    const g = held([
      { id: 'a', after: [] },
      { id: 'b', after: [] },
      { id: 'c', after: ['a'] },
    ])
    const phases = new Phases(() => {}, c.now)
    c.advance(2)
    const done = phases.runGraph(g.phases)
    await g.hasStarted('b')
    c.advance(10)
    g.gate('a').open()
    await g.hasStarted('c')
    c.advance(5)
    g.gate('b').open()
    g.gate('c').open()
    await done
    expect(phases.spans).toEqual([
      { phase: 'a', startS: 2, seconds: 10, outcome: 'ok' },
      { phase: 'b', startS: 2, seconds: 15, outcome: 'ok' },
      { phase: 'c', startS: 12, seconds: 5, outcome: 'ok' },
    ])
    expect(phases.timings).toEqual([
      { phase: 'a', seconds: 10, outcome: 'ok' },
      { phase: 'b', seconds: 15, outcome: 'ok' },
      { phase: 'c', seconds: 5, outcome: 'ok' },
    ])
  })
})

describe('renderTimings', () => {
  it('without start offsets is the table it always was', () => {
    expect(
      renderTimings([
        { phase: 'tools', seconds: 1.25, outcome: 'ok' },
        { phase: 'restart', seconds: 3, outcome: 'failed', detail: 'timed out' },
      ]),
    ).toBe(
      [
        'phase     seconds  outcome',
        'tools         1.3  ok',
        'restart       3.0  failed (timed out)',
        'total         4.3',
      ].join('\n'),
    )
  })

  it('with start offsets lists phases by start, the wall clock beside the sum, and marks the critical path', () => {
    // As Phases records them: when they end.
    const spans = [
      { phase: 'pull:apps', startS: 0, seconds: 30, outcome: 'ok' as const },
      { phase: 'cluster', startS: 0, seconds: 40, outcome: 'ok' as const },
      { phase: 'verify', startS: 90, seconds: 1, outcome: 'ok' as const },
      { phase: 'istio', startS: 40, seconds: 50, outcome: 'ok' as const },
    ]
    const text = renderTimings(spans, {
      phases: [
        { phase: 'cluster', seconds: 40 },
        { phase: 'istio', seconds: 50 },
        { phase: 'verify', seconds: 1 },
      ],
      seconds: 91,
    })
    expect(text).toBe(
      [
        '  phase         start   seconds  outcome',
        '  pull:apps       0.0      30.0  ok',
        '* cluster         0.0      40.0  ok',
        '* istio          40.0      50.0  ok',
        '* verify         90.0       1.0  ok',
        '  wall clock               91.0  (phases added up: 121.0 s)',
        'critical path (*), 91.0 s: cluster -> istio -> verify',
      ].join('\n'),
    )
  })

  it('counts the wall clock from the first start to the last end of what ran, not of what was skipped', () => {
    const text = renderTimings([
      { phase: 'inspect', startS: 2, seconds: 1, outcome: 'ok' },
      { phase: 'cluster', startS: 3, seconds: 4, outcome: 'failed', detail: 'boom' },
      { phase: 'verify', startS: 9, seconds: 0, outcome: 'skipped', detail: 'not started: cluster failed' },
    ])
    expect(text).toMatch(/\nwall clock\s+5\.0 {2}\(phases added up: 5\.0 s\)$/)
  })
})
