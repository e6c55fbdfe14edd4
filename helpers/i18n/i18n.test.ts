import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { SCENARIOS } from '../../suites/index.js'
import { hintOf, provesOf } from '../cli/commands/check.js'
import type { Evidence } from '../evidence/index.js'
import { judge } from '../evidence/index.js'
import { commandsIn } from '../learn/commands.js'
import { deriveExpectations } from '../learn/expect.js'
import { MISTAKE_IDS } from '../learn/mistakes.js'
import type { RunRecord } from '../report/model.js'
import { learnerSnapshot } from '../testing/learner-lab.js'
import { BREAKAGE, buildRun } from '../testing/run-fixtures.js'
import { causeIsTranslated, localizeCause } from './causes.js'
import { chooseLang, LANGS } from './lang.js'
import { MESSAGES, type Message, type MessageKey, t } from './messages.js'
import { checkText, SCENARIO_TEXTS, scenarioText } from './scenario-texts.js'

/**
 * One catalogue, complete in every language: a message that lacks a language, uses other
 * placeholders or commands in one language than in the other, or translates an Istio term
 * fails here. So does a scenario word the catalogue lacks, or a judge's cause it cannot read.
 */

/** Istio's (and Envoy's, and the book's) own words: they stay as Istio writes them. */
const TERMS = [
  'VirtualService',
  'DestinationRule',
  'Gateway',
  'ServiceEntry',
  'Sidecar',
  'Telemetry',
  'Canary',
  'subset',
  'istio-proxy',
  'sidecar',
  'REGISTRY_ONLY',
  'ALLOW_ANY',
  'BlackHoleCluster',
  'PassthroughCluster',
  'block_all',
  'direct_response',
  'x-istio-cohort',
  'canaryWeight',
  'stepWeight',
  'catch-all',
  'outboundTrafficPolicy',
  'IST0130',
]

const placeholders = (s: string) => [...s.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1]).sort()
const codeSpans = (s: string) => [...s.matchAll(/`[^`\n]+`/g)].map((m) => m[0]).sort()
const termsIn = (s: string) =>
  TERMS.filter((term) => new RegExp(`(^|[^A-Za-z-])${term}([^A-Za-z-]|$)`).test(s))

function expectTranslated(what: string, message: Message): void {
  for (const lang of LANGS) expect(message[lang]?.trim(), `${what} in ${lang}`).toBeTruthy()
  expect(placeholders(message.ko), `${what}: placeholders`).toEqual(placeholders(message.en))
  expect(codeSpans(message.ko), `${what}: commands`).toEqual(codeSpans(message.en))
  for (const term of termsIn(message.en)) expect(message.ko, `${what}: the term ${term}`).toContain(term)
}

describe('the message catalogue', () => {
  it.each(Object.entries(MESSAGES))(
    '%s is in every language, with the same placeholders, commands and terms',
    (key, message) => {
      expectTranslated(key, message)
    },
  )

  it('fails when a message lacks a language (the check itself can fail)', () => {
    expect(() => expectTranslated('broken', { en: 'VirtualService {name}', ko: '' })).toThrow()
    expect(() =>
      expectTranslated('broken', { en: 'VirtualService {name}', ko: '가상 서비스 {name}' }),
    ).toThrow()
    expect(() =>
      expectTranslated('broken', { en: 'see `kubectl get vs`', ko: '`kubectl get virtualservice`' }),
    ).toThrow()
  })

  it('has the words of every mistake and the command that shows it', () => {
    for (const id of MISTAKE_IDS) {
      expect(MESSAGES, id).toHaveProperty(`mistake.${id}`)
      const command = MESSAGES[`mistake.${id}.command` as MessageKey]
      expect(command, `${id} command`).toBeDefined()
      expect(commandsIn(command.en).length, `${id} names a command`).toBeGreaterThan(0)
    }
  })

  it('fills placeholders and keeps unknown ones visible', () => {
    expect(t('ko', 'check.step', { step: '5.2.2' })).toBe('단계: 5.2.2')
    expect(t('en', 'check.step')).toBe('step: {step}')
  })
})

describe('the language', () => {
  it('is --lang, else LC_ALL, LC_MESSAGES, LANG in that order, else English', () => {
    expect(chooseLang('ko', { LANG: 'en_US.UTF-8' })).toBe('ko')
    expect(chooseLang('en', { LANG: 'ko_KR.UTF-8' })).toBe('en')
    expect(chooseLang(undefined, { LANG: 'ko_KR.UTF-8' })).toBe('ko')
    expect(chooseLang(undefined, { LANG: 'ko' })).toBe('ko')
    expect(chooseLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'ko_KR.UTF-8' })).toBe('en')
    expect(chooseLang(undefined, { LC_ALL: '', LC_MESSAGES: 'ko_KR.eucKR', LANG: 'C' })).toBe('ko')
    expect(chooseLang(undefined, { LANG: 'de_DE.UTF-8' })).toBe('en')
    expect(chooseLang(undefined, {})).toBe('en')
  })
})

describe("the scenarios' words", () => {
  it('cover every registered scenario and check, and no other', () => {
    expect(Object.keys(SCENARIO_TEXTS)).toEqual(SCENARIOS.map((s) => s.id))
    for (const s of SCENARIOS)
      expect(Object.keys(SCENARIO_TEXTS[s.id]?.checks ?? {}), s.id).toEqual(s.checks.map((c) => c.id))
  })

  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s: English as declared, Korean complete with the same commands and terms',
    (id, s) => {
      const texts = SCENARIO_TEXTS[id]
      if (!texts) throw new Error(`no words for ${id}`)
      expect(texts.title.en).toBe(s.title)
      expect(texts.observation.en).toBe(s.observation)
      expectTranslated(`${id} title`, texts.title)
      expectTranslated(`${id} observation`, texts.observation)
      for (const c of s.checks) {
        const words = texts.checks[c.id]
        if (!words) throw new Error(`no words for ${id}/${c.id}`)
        expect(words.proves.en, `${id}/${c.id} proves`).toBe(c.proves)
        expect(words.hint.en, `${id}/${c.id} hint`).toBe(c.hint)
        expectTranslated(`${id}/${c.id} proves`, words.proves)
        expectTranslated(`${id}/${c.id} hint`, words.hint)
      }
    },
  )

  it('fall back to the English a record holds when it is not the current text', () => {
    expect(scenarioText('ko', 'edge-routing', 'title', 'an older title')).toBe('an older title')
    expect(checkText('ko', 'edge-routing', 'converged', 'hint', 'an older hint')).toBe('an older hint')
    expect(checkText('ko', 'subset-v1', 'no-v2', 'proves', SCENARIOS[1]?.checks[0]?.proves ?? '')).toContain(
      'imageUrl 응답 0개',
    )
  })
})

describe('every hint names the command that shows the evidence (item 5)', () => {
  it.each(SCENARIOS.flatMap((s) => s.checks.map((c) => [`${s.id}/${c.id}`, c.hint] as const)))(
    '%s',
    (_id, hint) => {
      expect(commandsIn(hint).length).toBeGreaterThan(0)
    },
  )

  it('and so does every check `check` derives, in both languages', () => {
    const labs = [
      ['edge-routing/catalog-at-the-edge'],
      [
        'apps/catalog.yaml',
        'apps/catalog-v2.yaml',
        'ch5/edge-gateway.yaml',
        'ch5/catalog-dr.yaml',
        'ch5/edge-vs-catalog-cohort.yaml',
      ],
      [
        'apps/catalog.yaml',
        'apps/catalog-v2.yaml',
        'apps/webapp.yaml',
        'ch5/coolstore-gateway.yaml',
        'ch5/catalog-dr.yaml',
        'ch5/mesh-vs-catalog-mirror.yaml',
      ],
      [
        'apps/catalog.yaml',
        'apps/catalog-v2.yaml',
        'apps/webapp.yaml',
        'ch5/coolstore-gateway.yaml',
        'ch5/catalog-dr.yaml',
        'ch5/mesh-vs-catalog-90-10.yaml',
      ],
      [
        'apps/catalog.yaml',
        'apps/webapp.yaml',
        'apps/forum.yaml',
        'ch5/coolstore-gateway.yaml',
        'ch5/sidecar-registry-only.yaml',
      ],
      [
        'apps/catalog.yaml',
        'apps/webapp.yaml',
        'apps/forum.yaml',
        'ch5/coolstore-gateway.yaml',
        'ch5/sidecar-registry-only.yaml',
        'ch5/jsonplaceholder-se.yaml',
      ],
    ]
    const kinds = new Set<string>()
    for (const files of labs) {
      const { expectations } = deriveExpectations(
        learnerSnapshot({
          files: files[0]?.includes('/catalog-at')
            ? ['apps/catalog.yaml', 'ch5/edge-gateway.yaml', 'ch5/edge-vs-catalog.yaml']
            : files,
        }),
      )
      for (const e of expectations) {
        kinds.add(e.kind)
        for (const lang of LANGS) {
          expect(commandsIn(hintOf(lang, e)).length, `${e.id} ${lang}`).toBeGreaterThan(0)
          expect(provesOf(lang, e).length).toBeGreaterThan(10)
        }
      }
    }
    expect([...kinds].sort()).toEqual(['egress', 'mirror', 'route-order', 'routing'])
  })
})

/** Causes the judges write: from runs of every scenario (passing, broken, on two Istio lines) and old records. */
let corpus: string[] = []
beforeAll(async () => {
  const runs: RunRecord[] = [
    await buildRun(),
    await buildRun({ breakage: BREAKAGE }),
    await buildRun({ istio: '1.31.1', shadowSuffix: false }),
  ]
  const legacy = JSON.parse(
    readFileSync(new URL('../evidence/legacy-verdicts.fixture.json', import.meta.url), 'utf8'),
  ) as { evidence: Evidence }[]
  corpus = [
    ...new Set([
      ...runs.flatMap((r) => r.scenarios.flatMap((s) => s.checks.map((c) => c.cause))),
      ...legacy.map((l) => judge(l.evidence).cause),
      judge({ kind: 'unobserved', reason: 'no running pod matches app=webapp in istioinaction' }).cause,
    ]),
  ]
}, 120_000)

describe("judges' causes, in Korean at render time", () => {
  it('the corpus is broad: passes and failures of every judge family', () => {
    expect(corpus.length).toBeGreaterThan(30)
  })

  it('every cause of the corpus is translated, fragments included', () => {
    expect(corpus.filter((c) => !causeIsTranslated(c))).toEqual([])
    expect(corpus.filter((c) => localizeCause(c, 'ko') === c)).toEqual([])
  })

  it('keeps the numbers and names, and never changes the English', () => {
    const cause =
      'v2 share 11.9% (39/328) is consistent with the expected 10.0%: a share of 5.0% or 15.0% would fail with probability >= 0.999; errors 0 of 328 under the 0.1% bound, which fails an error rate of 3.1% with probability 0.999'
    expect(localizeCause(cause, 'en')).toBe(cause)
    expect(localizeCause(cause, 'ko')).toBe(
      'v2 비율 11.9% (39/328)이(가) 기대 비율 10.0%와 맞습니다: 비율이 5.0% 또는 15.0%였다면 확률 >= 0.999로 실패했을 것입니다; 요청 328개 중 오류 0개로 0.1% 한도 이내이며, 이 한도는 오류율 3.1%를 확률 0.999로 잡아냅니다',
    )
    expect(localizeCause('something no judge writes', 'ko')).toBe('something no judge writes')
  })
})
