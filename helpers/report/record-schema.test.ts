import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type {
  AccessLogClusterEvidence,
  AccessLogMatchEvidence,
  LogEntryPattern,
} from '../evidence/access-logs.js'
import type { BasicVerdict } from '../evidence/basic.js'
import type { CanaryStep, CanaryStepsEvidenceV2, CanaryTimelineEvidence } from '../evidence/canary.js'
import type { ConvergedEvidence, Evidence, UnobservedEvidence } from '../evidence/index.js'
import type { MirrorCountEvidence, MirrorHostEvidence } from '../evidence/mirror.js'
import type { RouteOrderEvidence } from '../evidence/routes.js'
import type { ErrorBound, RatioEvidence, ShareVerdict, ZeroToleranceEvidence } from '../evidence/shares.js'
import type { CanarySample, FlaggerEvent, FlaggerEventKind } from '../flagger/canary.js'
import type { LoadEvidence } from '../http/load.js'
import type { PhaseTiming } from '../progress.js'
import type { HeaderMatch, RouteTarget, RouteView } from '../routes/inspect.js'
import type { OperatingCharacteristic, RatioSpec } from '../stats/ratio-tests.js'
import type { OcPoint } from '../stats/two-sprt.js'
import type { WaldV1OcPoint } from '../stats/wald-v1.js'
import { hostileRun } from '../testing/hostile.js'
import { BREAKAGE, buildRun } from '../testing/run-fixtures.js'
import { tempDir } from '../testing/temp-dir.js'
import {
  type BaseLabRecord,
  type CheckResult,
  type CleanupReport,
  type DetectedVersions,
  PHASE_KINDS,
  type PhaseSpan,
  RUN_RECORD_SCHEMA,
  type RunRecord,
  type ScenarioResult,
} from './model.js'
import { checkRunRecord, checkScenarioResult, runRecordSchema } from './record-schema.js'
import { writeReports } from './write.js'

/**
 * Every field of a TypeScript type, each marked required or optional. An object literal of this
 * type must list exactly the type's fields with the right mark, so adding, removing or making
 * optional a field in the TS types breaks `npm run typecheck` here until the list (and then, by
 * the tests below, the JSON Schema) follows.
 */
type Shape<T> = {
  readonly [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? 'optional' : 'required'
}

/** Fields a canary-steps record has only from issue 12 on (design fixed-exact-v2). */
type Optional = 'design' | 'beta' | 'delta' | 'errorBound' | 'load'

type ZeroToleranceOc = Extract<ShareVerdict['oc'], { readonly falseFailure: 0 }>
type Variant<K extends RouteTarget['kind']> = Extract<RouteTarget, { readonly kind: K }>

/** Each TS object type, its shape, and where the schema describes it (a pointer into the schema). */
const SHAPES: readonly (readonly [
  pointer: string,
  shape: Readonly<Record<string, 'required' | 'optional'>>,
])[] = [
  [
    '/$defs/RunRecord',
    {
      schema: 'required',
      suite: 'required',
      profile: 'required',
      context: 'required',
      server: 'required',
      clusterMode: 'required',
      namespace: 'optional',
      versions: 'required',
      startedAt: 'required',
      endedAt: 'required',
      upTimings: 'required',
      scenarios: 'required',
      missingResults: 'required',
      diagnostics: 'required',
      selected: 'required',
      passed: 'required',
      falseFailureBound: 'required',
      baseLab: 'optional',
    } satisfies Shape<RunRecord>,
  ],
  [
    '/$defs/BaseLabRecord',
    {
      namespace: 'required',
      files: 'required',
      order: 'required',
      rollouts: 'required',
      startedAt: 'required',
      endedAt: 'required',
      cleanup: 'required',
    } satisfies Shape<BaseLabRecord>,
  ],
  [
    '/$defs/RunRecord/properties/suite',
    { name: 'required', version: 'required' } satisfies Shape<RunRecord['suite']>,
  ],
  [
    '/$defs/DetectedVersions',
    {
      kubernetes: 'required',
      istioControlPlane: 'required',
      istioProxies: 'required',
      flagger: 'required',
      nodeImage: 'required',
    } satisfies Shape<DetectedVersions>,
  ],
  [
    '/$defs/PhaseTiming',
    {
      phase: 'required',
      seconds: 'required',
      outcome: 'required',
      detail: 'optional',
    } satisfies Shape<PhaseTiming>,
  ],
  [
    '/$defs/ScenarioResult',
    {
      id: 'required',
      title: 'required',
      section: 'required',
      istioVersion: 'required',
      startedAt: 'required',
      endedAt: 'required',
      passed: 'required',
      checks: 'required',
      manifests: 'required',
      error: 'optional',
      cleanup: 'required',
      phases: 'optional',
      namespace: 'optional',
    } satisfies Shape<ScenarioResult>,
  ],
  [
    '/$defs/PhaseSpan',
    {
      kind: 'required',
      label: 'required',
      startedAt: 'required',
      durationMs: 'required',
    } satisfies Shape<PhaseSpan>,
  ],
  [
    '/$defs/CleanupReport',
    { deleted: 'required', restored: 'required', errors: 'required' } satisfies Shape<CleanupReport>,
  ],
  [
    '/$defs/CheckResult',
    {
      scenario: 'required',
      check: 'required',
      title: 'required',
      hint: 'required',
      passed: 'required',
      cause: 'required',
      evidence: 'required',
      verdict: 'required',
      startedAt: 'required',
      durationMs: 'required',
    } satisfies Shape<CheckResult>,
  ],
  [
    '/$defs/BasicVerdict',
    { passed: 'required', cause: 'required', details: 'optional' } satisfies Shape<BasicVerdict>,
  ],
  [
    '/$defs/ShareVerdict',
    {
      passed: 'required',
      cause: 'required',
      procedure: 'required',
      requests: 'required',
      n: 'required',
      counts: 'required',
      expectedShare: 'required',
      observedShare: 'required',
      interval: 'required',
      confidence: 'required',
      alpha: 'required',
      beta: 'required',
      delta: 'required',
      design: 'optional',
      alternatives: 'optional',
      boundaries: 'required',
      oc: 'required',
      errorCheck: 'required',
    } satisfies Shape<ShareVerdict>,
  ],
  [
    '/$defs/ShareVerdict/properties/counts',
    { v1: 'required', v2: 'required', error: 'required' } satisfies Shape<ShareVerdict['counts']>,
  ],
  [
    '/$defs/ShareVerdict/properties/boundaries',
    { passLow: 'required', passHigh: 'required', atN: 'required' } satisfies Shape<
      ShareVerdict['boundaries']
    >,
  ],
  [
    '/$defs/ShareVerdict/properties/errorCheck',
    {
      passed: 'required',
      errors: 'required',
      maxRate: 'required',
      alpha: 'required',
      detectableRate: 'optional',
      power: 'optional',
    } satisfies Shape<ShareVerdict['errorCheck']>,
  ],
  [
    '/$defs/ShareVerdict/properties/oc/oneOf/1',
    { miss: 'required', falseFailure: 'required', maxN: 'required' } satisfies Shape<ZeroToleranceOc>,
  ],
  [
    '/$defs/OperatingCharacteristic',
    {
      falseFailure: 'required',
      miss: 'required',
      expectedNAtP0: 'required',
      maxN: 'required',
      points: 'required',
    } satisfies Shape<OperatingCharacteristic>,
  ],
  [
    '/$defs/OperatingCharacteristic/properties/points/items',
    { p: 'required', failProbability: 'required', expectedN: 'required', sdN: 'optional' } satisfies Shape<
      Partial<Pick<OcPoint, 'sdN'>> & WaldV1OcPoint
    >,
  ],
  [
    '/$defs/ErrorBound',
    { maxRate: 'required', alpha: 'required', power: 'optional' } satisfies Shape<ErrorBound>,
  ],
  [
    '/$defs/RatioSpec',
    {
      p0: 'required',
      delta: 'required',
      alpha: 'required',
      beta: 'required',
      design: 'optional',
    } satisfies Shape<RatioSpec>,
  ],
  [
    '/$defs/RatioEvidence',
    {
      kind: 'required',
      spec: 'required',
      errorBound: 'required',
      outcomes: 'required',
    } satisfies Shape<RatioEvidence>,
  ],
  [
    '/$defs/ZeroToleranceEvidence',
    {
      kind: 'required',
      expected: 'required',
      labels: 'optional',
      leak: 'required',
      beta: 'required',
      errorBound: 'required',
      outcomes: 'required',
    } satisfies Shape<ZeroToleranceEvidence>,
  ],
  [
    '/$defs/ZeroToleranceEvidence/properties/labels',
    { v1: 'required', v2: 'required' } satisfies Shape<NonNullable<ZeroToleranceEvidence['labels']>>,
  ],
  [
    '/$defs/HeaderMatch',
    {
      name: 'required',
      exact: 'optional',
      prefix: 'optional',
      regex: 'optional',
      present: 'optional',
      invert: 'optional',
    } satisfies Shape<HeaderMatch>,
  ],
  [
    '/$defs/RouteTarget/oneOf/0',
    { kind: 'required', cluster: 'required' } satisfies Shape<Variant<'cluster'>>,
  ],
  [
    '/$defs/RouteTarget/oneOf/1',
    { kind: 'required', clusters: 'required' } satisfies Shape<Variant<'weighted'>>,
  ],
  [
    '/$defs/RouteTarget/oneOf/1/properties/clusters/items',
    { name: 'required', weight: 'required' } satisfies Shape<Variant<'weighted'>['clusters'][number]>,
  ],
  [
    '/$defs/RouteTarget/oneOf/2',
    { kind: 'required', status: 'required' } satisfies Shape<Variant<'direct-response'>>,
  ],
  ['/$defs/RouteTarget/oneOf/3', { kind: 'required' } satisfies Shape<Variant<'redirect'>>],
  ['/$defs/RouteTarget/oneOf/4', { kind: 'required' } satisfies Shape<Variant<'other'>>],
  [
    '/$defs/RouteView',
    {
      index: 'required',
      name: 'optional',
      match: 'required',
      target: 'required',
      mirrors: 'required',
    } satisfies Shape<RouteView>,
  ],
  [
    '/$defs/RouteView/properties/match',
    { prefix: 'optional', path: 'optional', regex: 'optional', headers: 'required' } satisfies Shape<
      RouteView['match']
    >,
  ],
  [
    '/$defs/RouteView/properties/mirrors/items',
    { cluster: 'required', percent: 'required' } satisfies Shape<RouteView['mirrors'][number]>,
  ],
  [
    '/$defs/RouteOrderEvidence',
    {
      kind: 'required',
      pod: 'required',
      routeName: 'required',
      virtualHost: 'required',
      header: 'required',
      headerCluster: 'required',
      catchAllCluster: 'required',
      expectHeaderFirst: 'required',
      routes: 'required',
      admissionWarnings: 'optional',
      expectedWarning: 'optional',
    } satisfies Shape<RouteOrderEvidence>,
  ],
  [
    '/$defs/RouteOrderEvidence/properties/header',
    { name: 'required', exact: 'required' } satisfies Shape<RouteOrderEvidence['header']>,
  ],
  [
    '/$defs/AccessLogClusterEvidence',
    {
      kind: 'required',
      pod: 'required',
      authorityPrefix: 'required',
      expectedCluster: 'required',
      requestIds: 'required',
      notBefore: 'required',
      lines: 'required',
      unknownLines: 'optional',
    } satisfies Shape<AccessLogClusterEvidence>,
  ],
  [
    '/$defs/ConvergedEvidence',
    {
      kind: 'required',
      expected: 'required',
      consecutive: 'required',
      requests: 'required',
      elapsedMs: 'required',
    } satisfies Shape<ConvergedEvidence>,
  ],
  ['/$defs/UnobservedEvidence', { kind: 'required', reason: 'required' } satisfies Shape<UnobservedEvidence>],
  [
    '/$defs/CanarySample',
    { at: 'required', phase: 'required', weight: 'required' } satisfies Shape<CanarySample>,
  ],
  [
    '/$defs/FlaggerEvent',
    {
      kind: 'required',
      message: 'required',
      weight: 'optional',
      at: 'optional',
      aggregated: 'optional',
    } satisfies Shape<FlaggerEvent>,
  ],
  [
    '/$defs/CanaryTimelineEvidence',
    {
      kind: 'required',
      aspect: 'required',
      stepWeight: 'required',
      maxWeight: 'required',
      expectFinal: 'required',
      stallMs: 'required',
      samples: 'required',
      events: 'required',
    } satisfies Shape<CanaryTimelineEvidence>,
  ],
  [
    '/$defs/CanaryStepsEvidence',
    {
      kind: 'required',
      design: 'optional',
      alpha: 'required',
      beta: 'optional',
      delta: 'optional',
      settleMs: 'required',
      errorBound: 'optional',
      steps: 'required',
      load: 'optional',
    } satisfies Shape<Omit<CanaryStepsEvidenceV2, Optional> & Partial<Pick<CanaryStepsEvidenceV2, Optional>>>,
  ],
  [
    '/$defs/LoadEvidence',
    {
      askedRps: 'required',
      achievedRps: 'required',
      due: 'required',
      sent: 'required',
      missedLate: 'required',
      missedAtCap: 'required',
      serverErrors: 'required',
      clientErrors: 'required',
      maxInFlight: 'required',
      connectionCap: 'required',
      lateSends: 'required',
      maxSendDelayMs: 'required',
      lateLimitMs: 'required',
      timeoutMs: 'required',
    } satisfies Shape<LoadEvidence>,
  ],
  ['/$defs/CanarySteps/items', { weight: 'required', outcomes: 'required' } satisfies Shape<CanaryStep>],
  [
    '/$defs/MirrorCountEvidence',
    {
      kind: 'required',
      calls: 'required',
      requestIds: 'required',
      proxyLines: 'required',
      appLines: 'required',
      callerLines: 'optional',
      notBefore: 'optional',
      tolerance: 'required',
    } satisfies Shape<MirrorCountEvidence>,
  ],
  [
    '/$defs/MirrorHostEvidence',
    {
      kind: 'required',
      istioVersion: 'required',
      expectSuffix: 'required',
      why: 'required',
      appLines: 'required',
    } satisfies Shape<MirrorHostEvidence>,
  ],
  [
    '/$defs/LogEntryPattern',
    {
      tcp: 'optional',
      path: 'optional',
      responseCode: 'optional',
      flag: 'optional',
      details: 'optional',
      cluster: 'optional',
      routeName: 'optional',
    } satisfies Shape<LogEntryPattern>,
  ],
  [
    '/$defs/AccessLogMatchEvidence',
    {
      kind: 'required',
      description: 'required',
      want: 'required',
      forbid: 'optional',
      lines: 'required',
      notBefore: 'optional',
      exec: 'optional',
    } satisfies Shape<AccessLogMatchEvidence>,
  ],
  [
    '/$defs/AccessLogMatchEvidence/properties/exec',
    {
      command: 'required',
      exitCode: 'required',
      stderr: 'required',
      expectFailure: 'required',
    } satisfies Shape<NonNullable<AccessLogMatchEvidence['exec']>>,
  ],
]

/** Every evidence kind and the schema definition for it: exhaustive by type. */
const EVIDENCE_DEFS: Readonly<Record<Evidence['kind'], string>> = {
  ratio: 'RatioEvidence',
  'zero-tolerance': 'ZeroToleranceEvidence',
  'route-order': 'RouteOrderEvidence',
  'access-log-cluster': 'AccessLogClusterEvidence',
  converged: 'ConvergedEvidence',
  unobserved: 'UnobservedEvidence',
  'canary-timeline': 'CanaryTimelineEvidence',
  'canary-steps': 'CanaryStepsEvidence',
  'mirror-count': 'MirrorCountEvidence',
  'mirror-host': 'MirrorHostEvidence',
  'access-log-match': 'AccessLogMatchEvidence',
}

/** Every Flagger event kind: exhaustive by type, compared with the schema's enum. */
const FLAGGER_EVENT_KINDS: Readonly<Record<FlaggerEventKind, true>> = {
  initialized: true,
  'new-revision': true,
  'analysis-started': true,
  advance: true,
  'advance-primary': true,
  halt: true,
  'halt-no-values': true,
  'promotion-copy': true,
  'routing-to-primary': true,
  'promotion-completed': true,
  rollback: true,
  failed: true,
  other: true,
}

interface ObjectSchema {
  readonly type?: string
  readonly properties?: Readonly<Record<string, { readonly const?: unknown }>>
  readonly required?: readonly string[]
  readonly additionalProperties?: unknown
  readonly oneOf?: readonly { readonly $ref: string }[]
}

function schemaAt(pointer: string): ObjectSchema {
  let node: unknown = runRecordSchema
  for (const token of pointer.split('/').slice(1)) node = (node as Record<string, unknown>)[token]
  if (node === undefined) throw new Error(`the schema has nothing at ${pointer}`)
  return node as ObjectSchema
}

describe('run-record.schema.json against the TypeScript types', () => {
  it.each(SHAPES)(
    '%s lists exactly the fields of its type, required where the type requires them',
    (pointer, shape) => {
      const node = schemaAt(pointer)
      expect(node.type).toBe('object')
      expect(node.additionalProperties, 'unknown fields are refused').toBe(false)
      expect(Object.keys(node.properties ?? {}).sort()).toEqual(Object.keys(shape).sort())
      expect([...(node.required ?? [])].sort()).toEqual(
        Object.entries(shape)
          .filter(([, mark]) => mark === 'required')
          .map(([key]) => key)
          .sort(),
      )
    },
  )

  it('has one definition per evidence kind, tagged with that kind', () => {
    expect(
      schemaAt('/$defs/Evidence')
        .oneOf?.map((r) => r.$ref)
        .sort(),
    ).toEqual(
      Object.values(EVIDENCE_DEFS)
        .map((d) => `#/$defs/${d}`)
        .sort(),
    )
    for (const [kind, def] of Object.entries(EVIDENCE_DEFS))
      expect(schemaAt(`/$defs/${def}`).properties?.kind?.const).toBe(kind)
  })

  it('lists every Flagger event kind the parser can produce', () => {
    const kind = schemaAt('/$defs/FlaggerEvent/properties/kind') as { enum?: readonly string[] }
    expect([...(kind.enum ?? [])].sort()).toEqual(Object.keys(FLAGGER_EVENT_KINDS).sort())
  })

  it('lists every phase kind the Lab records, and no other', () => {
    const kind = schemaAt('/$defs/PhaseSpan/properties/kind') as { enum?: readonly string[] }
    expect([...(kind.enum ?? [])].sort()).toEqual([...PHASE_KINDS].sort())
  })

  it("is versioned with the record's schema number", () => {
    expect(runRecordSchema.$id).toBe(`urn:istio-traffic-conformance:run-record:${RUN_RECORD_SCHEMA}`)
    expect(schemaAt('/$defs/RunRecord').properties?.schema?.const).toBe(RUN_RECORD_SCHEMA)
  })
})

describe('records the suite writes', () => {
  let records: Record<string, RunRecord>
  beforeAll(async () => {
    records = {
      passing: await buildRun(),
      failing: await buildRun({ breakage: BREAKAGE }),
      current: await buildRun({ istio: '1.30.5', shadowSuffix: false }),
    }
  }, 60_000)

  it('every fixture record is valid', () => {
    for (const [name, record] of Object.entries(records))
      expect(checkRunRecord(record), name).toMatchObject({ ok: true })
  })

  it('the fixtures exercise every evidence kind and both verdict shapes', () => {
    const checks = Object.values(records).flatMap((r) => r.scenarios.flatMap((s) => s.checks))
    expect(new Set(checks.map((c) => c.evidence.kind))).toEqual(new Set(Object.keys(EVIDENCE_DEFS)))
    expect(new Set(checks.map((c) => 'procedure' in c.verdict))).toEqual(new Set([true, false]))
  })

  it('each scenario result alone is valid, and one without checks is refused', () => {
    for (const s of (records.failing as RunRecord).scenarios)
      expect(checkScenarioResult(s)).toMatchObject({ ok: true })
    const { checks: _checks, ...withoutChecks } = (records.failing as RunRecord)
      .scenarios[0] as ScenarioResult
    expect(checkScenarioResult(withoutChecks)).toEqual({
      ok: false,
      problem: { pointer: '/checks', message: 'is missing' },
    })
    expect(checkScenarioResult(null)).toEqual({
      ok: false,
      problem: { pointer: '', message: 'must be a JSON object, found null' },
    })
  })

  it('run.json as writeReports writes it is valid after a trip through the file', async () => {
    const dir = tempDir('schema')
    await writeReports(dir, records.failing as RunRecord)
    expect(checkRunRecord(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')))).toMatchObject({
      ok: true,
    })
  })

  it('refuses, field by field, a record missing any required field', () => {
    const failing = records.failing as RunRecord
    const scenario = failing.scenarios.findIndex((s) => s.id === 'weighted-shift')
    // One instance of each object kind in the record: remove each required field in turn.
    const instances = [
      '',
      '/versions',
      `/scenarios/${scenario}`,
      `/scenarios/${scenario}/cleanup`,
      `/scenarios/${scenario}/phases/0`,
    ]
    const checks = failing.scenarios.flatMap((s, i) =>
      s.checks.map((c, j) => ({ c, at: `/scenarios/${i}/checks/${j}` })),
    )
    instances.push(checks[0]?.at as string)
    for (const kind of Object.keys(EVIDENCE_DEFS)) {
      const found = checks.find(({ c }) => c.evidence.kind === kind)
      if (found) instances.push(`${found.at}/evidence`, `${found.at}/verdict`)
    }
    let refused = 0
    for (const at of instances) {
      const parent = at
        .split('/')
        .slice(1)
        .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], failing)
      for (const key of Object.keys(parent as object)) {
        const copy = structuredClone(failing) as unknown as Record<string, unknown>
        const target = at
          .split('/')
          .slice(1)
          .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], copy)
        delete (target as Record<string, unknown>)[key]
        const result = checkRunRecord(copy)
        if (result.ok) {
          expect(
            SHAPES.some(([, shape]) => shape[key] === 'optional'),
            `${at}/${key} may be left out`,
          ).toBe(true)
        } else if (key === 'procedure') {
          // Without its tag a share verdict reads as a basic verdict with unknown fields.
          expect(result.problem.pointer, `${at}/${key}`).toMatch(new RegExp(`^${at}/`))
          refused++
        } else {
          expect(result.problem, `${at}/${key}`).toEqual({ pointer: `${at}/${key}`, message: 'is missing' })
          refused++
        }
      }
    }
    expect(refused).toBeGreaterThan(60)
  })
})

describe('records of schema 2 (before phases)', () => {
  let current: RunRecord
  /** A record as schema 2 wrote it: no phases anywhere. */
  let old: Record<string, unknown>
  beforeAll(async () => {
    current = await buildRun({ breakage: BREAKAGE })
    old = {
      ...structuredClone(current),
      schema: 2,
      scenarios: current.scenarios.map(({ phases: _phases, ...s }) => s),
    }
  }, 60_000)

  it('the suite writes schema 3, with every scenario carrying its phases', () => {
    expect(current.schema).toBe(3)
    for (const s of current.scenarios) expect(s.phases?.length, s.id).toBeGreaterThan(0)
    expect(checkRunRecord(current)).toMatchObject({ ok: true })
  })

  it('are read as schema 3 without phases, every other field as written', () => {
    const read = checkRunRecord(old)
    if (!read.ok) throw new Error(`refused: ${read.problem.pointer} ${read.problem.message}`)
    expect(read.record.schema).toBe(RUN_RECORD_SCHEMA)
    expect({ ...read.record, schema: 2 }).toEqual(old)
    expect(read.record.scenarios.some((s) => s.phases !== undefined)).toBe(false)
  })

  it('are still checked field by field', () => {
    const broken = structuredClone(old) as { scenarios: Record<string, unknown>[] }
    delete broken.scenarios[1]?.cleanup
    expect(checkRunRecord(broken)).toEqual({
      ok: false,
      problem: { pointer: '/scenarios/1/cleanup', message: 'is missing' },
    })
  })

  it('refuse phases, which schema 2 never had', () => {
    const withPhases = structuredClone(old) as { scenarios: Record<string, unknown>[] }
    ;(withPhases.scenarios[3] as Record<string, unknown>).phases = []
    expect(checkRunRecord(withPhases)).toEqual({
      ok: false,
      problem: { pointer: '/scenarios/3/phases', message: 'is not a field of a schema 2 record' },
    })
  })

  it('a schema 3 record refuses a phase of an unknown kind or without its start', () => {
    const odd = structuredClone(current) as unknown as { scenarios: { phases: Record<string, unknown>[] }[] }
    ;(odd.scenarios[0]?.phases[0] as Record<string, unknown>).kind = 'coffee'
    expect(checkRunRecord(odd)).toMatchObject({
      ok: false,
      problem: {
        pointer: '/scenarios/0/phases/0/kind',
        message: expect.stringMatching(/^must be one of "apply"/),
      },
    })
    const noStart = structuredClone(current) as unknown as {
      scenarios: { phases: Record<string, unknown>[] }[]
    }
    delete noStart.scenarios[0]?.phases[0]?.startedAt
    expect(checkRunRecord(noStart)).toEqual({
      ok: false,
      problem: { pointer: '/scenarios/0/phases/0/startedAt', message: 'is missing' },
    })
  })
})

describe('refusals name the first bad field and what is wrong', () => {
  let failing: RunRecord
  beforeAll(async () => {
    failing = await buildRun({ breakage: BREAKAGE })
  }, 60_000)

  const mutate = (
    change: (r: Record<string, unknown> & { scenarios: Record<string, unknown>[] }) => void,
  ) => {
    const copy = structuredClone(failing) as unknown as Record<string, unknown> & {
      scenarios: Record<string, unknown>[]
    }
    change(copy)
    return checkRunRecord(copy)
  }

  it.each([
    ['null', null, '', 'must be a JSON object, found null'],
    ['an array', [], '', 'must be a JSON object, found an array'],
    ['another schema', { schema: 1 }, '/schema', 'is 1; this suite reads run records of schema 2 and 3'],
    ['a newer schema', { schema: 4 }, '/schema', 'is 4; this suite reads run records of schema 2 and 3'],
  ])('%s', (_name, value, pointer, message) => {
    expect(checkRunRecord(value)).toEqual({ ok: false, problem: { pointer, message } })
  })

  it('a scenario without checks, or with an empty list', () => {
    expect(mutate((r) => delete r.scenarios[2]?.checks)).toMatchObject({
      problem: { pointer: '/scenarios/2/checks', message: 'is missing' },
    })
    expect(
      mutate((r) => {
        ;(r.scenarios[2] as { checks: unknown[] }).checks = []
      }),
    ).toMatchObject({
      problem: { pointer: '/scenarios/2/checks', message: 'must have at least 1 item(s), found none' },
    })
  })

  it('a wrong type, an unknown field, an unknown evidence kind, a malformed outcome string', () => {
    const check = (r: { scenarios: Record<string, unknown>[] }) =>
      (r.scenarios[0] as { checks: Record<string, unknown>[] }).checks[0] as Record<string, unknown>
    expect(mutate((r) => (check(r).passed = 'yes'))).toMatchObject({
      problem: { pointer: '/scenarios/0/checks/0/passed', message: 'must be true or false, found "yes"' },
    })
    expect(mutate((r) => (check(r).extra = 1))).toMatchObject({
      problem: { pointer: '/scenarios/0/checks/0/extra', message: 'is not a field of this record' },
    })
    expect(mutate((r) => (check(r).evidence = { kind: 'made-up' }))).toMatchObject({
      problem: { pointer: '/scenarios/0/checks/0/evidence/kind', message: 'names no known kind: "made-up"' },
    })
    const shift = failing.scenarios.findIndex((s) => s.id === 'weighted-shift')
    expect(
      mutate((r) => {
        const ev = (r.scenarios[shift] as { checks: { evidence: { outcomes: string } }[] }).checks[0]
          ?.evidence
        if (ev) ev.outcomes = '12x'
      }),
    ).toMatchObject({
      problem: {
        pointer: `/scenarios/${shift}/checks/0/evidence/outcomes`,
        message: `must be a string of '1', '2' and 'e' (one per response), found "12x"`,
      },
    })
  })

  it('a record with hostile strings where numbers and times belong, said without control characters', () => {
    const result = checkRunRecord(hostileRun(failing))
    expect(result).toMatchObject({ ok: false, problem: { pointer: '/startedAt' } })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check.
    expect(JSON.stringify(result)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
  })
})
