import type { Lang } from './lang.js'
import { fill } from './messages.js'

/**
 * The judges' causes in other languages, at render time. A verdict's cause is English text that
 * run.json keeps and `report rejudge` compares word for word, so the judges never change what
 * they write; a reader in Korean sees it translated here instead. Each rule reads one cause
 * shape a judge writes (helpers/evidence: shares.ts, routes.ts, access-logs.ts, mirror.ts,
 * canary.ts, index.ts) with named groups; groups named in `nested` are fragments translated by
 * the same rules (an error clause, a correlation method, a response label). A cause no rule
 * reads stays English: the test runs every judge over a corpus and fails on any that does. Pure.
 */
interface CauseRule {
  readonly en: RegExp
  /** A template over the groups, or a function for causes that repeat a phrase (canary steps). */
  readonly ko: string | ((groups: Readonly<Record<string, string>>) => string)
  readonly nested?: readonly string[]
}

/** "a share <= 5.0% or >= 15.0%" and "no share at all", the canary step judge's phrases. */
const catchesKo = (text: string) =>
  text === 'no share at all'
    ? '어떤 비율도 잡지 못함'
    : text.replace(/^a share /, '비율 ').replace(/ or /g, ' 또는 ')

/** "10%: 10.1% of 2728 (catches ...)", or the older "10%: 7.5% of 80", step by step. */
const stepsKo = (text: string) =>
  text.replace(
    /(\d+%): ([\d.]+%) of (\d+)(?: \((?:(\d+) needed; only )?catches ([^)]*)\))?/g,
    (_m, w: string, share: string, n: string, needed: string | undefined, what: string | undefined) =>
      `${w}: ${n}개 중 ${share}${what === undefined ? '' : ` (${needed ? `${needed}개 필요; ` : ''}${catchesKo(what)}를 잡음)`}`,
  )

const N = '(?:\\d+(?:\\.\\d+)?(?:e-?\\d+)?)'

const RULES: readonly CauseRule[] = [
  // shares.ts: ratio and zero-tolerance, and the error clause a pass carries
  {
    en: new RegExp(
      `^(?<errors>${N}) errors in (?<requests>${N}) requests exceed the error bound \\(rate <= (?<rate>[^)]+)\\)$`,
    ),
    ko: '요청 {requests}개 중 오류 {errors}개: 오류 한도 (비율 <= {rate})를 넘었습니다',
  },
  {
    en: new RegExp(
      `^(?<errors>${N}) errors in (?<requests>${N}) requests during the steps exceed the error bound \\(rate <= (?<rate>[^)]+)\\)$`,
    ),
    ko: '단계 동안 요청 {requests}개 중 오류 {errors}개: 오류 한도 (비율 <= {rate})를 넘었습니다',
  },
  {
    en: /^undecided after (?<n>\d+) of at most (?<max>\d+) counted responses: the evidence ran out$/,
    ko: '셀 수 있는 응답 최대 {max}개 중 {n}개로는 결론이 나지 않았습니다: 증거가 바닥났습니다',
  },
  {
    en: /^v2 share (?<share>\S+) \((?<k>\d+)\/(?<n>\d+)\) is inconsistent with the expected (?<p0>\S+); (?<confidence>\S+) interval \[(?<lo>[^,]+), (?<hi>[^\]]+)\]$/,
    ko: 'v2 비율 {share} ({k}/{n})이(가) 기대 비율 {p0}와 맞지 않습니다; {confidence} 구간 [{lo}, {hi}]',
  },
  {
    en: /^v2 share (?<share>\S+) \((?<k>\d+)\/(?<n>\d+)\) is consistent with the expected (?<p0>\S+): a share of (?<alts>.+) would fail with probability >= (?<p>[\d.e-]+)(?<clause>; errors .*)?$/,
    ko: 'v2 비율 {share} ({k}/{n})이(가) 기대 비율 {p0}와 맞습니다: 비율이 {alts}였다면 확률 >= {p}로 실패했을 것입니다{clause}',
    nested: ['alts', 'clause'],
  },
  {
    en: /^v2 share (?<share>\S+) \((?<k>\d+)\/(?<n>\d+)\) is consistent with the expected (?<p0>\S+) \+- (?<delta>\S+?)(?<clause>; errors .*)?$/,
    ko: 'v2 비율 {share} ({k}/{n})이(가) 기대 비율 {p0} ± {delta}와 맞습니다{clause}',
    nested: ['clause'],
  },
  {
    en: /^(?<bad>\d+) of (?<n>\d+) responses were (?<other>.+) \(first at request (?<first>\d+)\); expected only (?<expected>.+)$/,
    ko: '응답 {n}개 중 {bad}개가 {other}(이)었습니다 (첫 번째는 요청 {first}); {expected}만 기대했습니다',
    nested: ['other', 'expected'],
  },
  {
    en: /^only (?<n>\d+) of the (?<needed>\d+) responses needed to rule out a (?<leak>[\d.]+)% leak$/,
    ko: '{leak}% 누출을 배제하는 데 필요한 응답 {needed}개 중 {n}개뿐입니다',
  },
  {
    en: /^all (?<n>\d+) responses were (?<name>.+?): a (?<leak>[\d.]+)% leak would show with probability >= (?<p>[\d.e-]+)(?<clause>; errors .*)?$/,
    ko: '응답 {n}개가 모두 {name}(이)었습니다: {leak}% 누출이 있었다면 확률 >= {p}로 드러났을 것입니다{clause}',
    nested: ['name', 'clause'],
  },
  {
    en: /^; errors (?<e>\d+) of (?<requests>\d+) under the (?<rate>\S+) bound, which fails an error rate of (?<caught>\S+) with probability (?<p>[\d.e-]+)$/,
    ko: '; 요청 {requests}개 중 오류 {e}개로 {rate} 한도 이내이며, 이 한도는 오류율 {caught}를 확률 {p}로 잡아냅니다',
  },
  {
    en: /^; errors (?<e>\d+) of (?<requests>\d+) under the (?<rate>\S+) bound, too few requests to fail any error rate with probability (?<p>[\d.e-]+)$/,
    ko: '; 요청 {requests}개 중 오류 {e}개로 {rate} 한도 이내이나, 요청이 너무 적어 어떤 오류율도 확률 {p}로 잡아내지 못합니다',
  },
  { en: /^(?<a>\S+) or (?<b>\S+)$/, ko: '{a} 또는 {b}' },
  // index.ts
  {
    en: /^(?<k>\d+) consecutive (?<expected>\S+) responses after (?<n>\d+) requests \((?<s>[\d.]+) s\)$/,
    ko: '요청 {n}개 뒤 연속 {k}번 {expected} 응답 ({s}초)',
  },
  { en: /^not observed: (?<reason>.*)$/s, ko: '관측하지 못함: {reason}' },
  // routes.ts
  {
    en: /^no route matching (?<name>[^:]+): (?<exact>\S+) to (?<cluster>\S+) in (?<vhost>\S+) \((?<table>.*)\)$/,
    ko: '{vhost}에 {cluster}로 가는 {name}: {exact} 매치 라우트가 없습니다 ({table})',
  },
  {
    en: /^no catch-all route to (?<cluster>\S+) in (?<vhost>\S+) \((?<table>.*)\)$/,
    ko: '{vhost}에 {cluster}로 가는 catch-all 라우트가 없습니다 ({table})',
  },
  {
    en: /^header route \(#(?<h>\d+)\) precedes the catch-all \(#(?<c>\d+)\) in (?<route>\S+) (?<vhost>\S+)$/,
    ko: '{route} {vhost}에서 헤더 라우트 (#{h})가 catch-all (#{c})보다 앞섭니다',
  },
  {
    en: /^route order swapped: the catch-all \(#(?<c>\d+)\) precedes the header route \(#(?<h>\d+)\), so (?<name>\S+) never reaches (?<cluster>\S+)$/,
    ko: '라우트 순서가 뒤바뀜: catch-all (#{c})이 헤더 라우트 (#{h})보다 앞서서 {name}이(가) {cluster}에 닿지 못합니다',
  },
  {
    en: /^expected the catch-all first, found the header route at #(?<h>\d+) before it \(#(?<c>\d+)\)$/,
    ko: 'catch-all이 먼저여야 하는데 헤더 라우트가 그 앞 #{h}에 있습니다 (catch-all은 #{c})',
  },
  {
    en: /^(?<route>\S+) (?<vhost>\S+) holds only the catch-all \(#(?<c>\d+)\): istiod dropped the header rule after the match-less rule, as Istio documents(?<warning>; .*)?$/,
    ko: '{route} {vhost}에는 catch-all (#{c})만 있습니다: Istio 문서대로 istiod가 match 없는 규칙 뒤의 헤더 규칙을 버렸습니다{warning}',
    nested: ['warning'],
  },
  {
    en: /^catch-all \(#(?<c>\d+)\) precedes the header route \(#(?<h>\d+)\): the header route can never match(?<warning>; .*)?$/,
    ko: 'catch-all (#{c})이 헤더 라우트 (#{h})보다 앞섭니다: 헤더 라우트는 결코 맞을 수 없습니다{warning}',
    nested: ['warning'],
  },
  { en: /^; the API server warned: (?<w>.*)$/s, ko: '; API 서버의 경고: {w}' },
  {
    en: /^; this Istio version drops the rule without a warning$/,
    ko: '; 이 Istio 버전은 경고 없이 규칙을 버립니다',
  },
  // access-logs.ts
  {
    en: /^no access-log line for calls to (?<prefix>\S+)\* in the window \((?<note>.*)\)$/s,
    ko: '창 안에 {prefix}*로 가는 호출의 access-log 줄이 없습니다 ({note})',
    nested: ['note'],
  },
  {
    en: /^(?<w>\d+) of (?<n>\d+) calls went to (?<clusters>.+), not (?<expected>\S+) \((?<method>.+)\)$/,
    ko: '호출 {n}개 중 {w}개가 {expected}가 아니라 {clusters}로 갔습니다 ({method})',
    nested: ['method'],
  },
  {
    en: /^all (?<n>\d+) calls went to (?<expected>\S+) \((?<method>.+)\)$/,
    ko: '호출 {n}개가 모두 {expected}로 갔습니다 ({method})',
    nested: ['method'],
  },
  { en: /^correlated by x-request-id$/, ko: 'x-request-id로 대응시킴' },
  {
    en: /^calls started since (?<t>\S+) \(no request id matched\)$/,
    ko: '{t} 이후 시작된 호출 (맞는 request id 없음)',
  },
  {
    en: /^(?<command>.+) succeeded, but egress should be blocked$/,
    ko: '{command}이(가) 성공했지만 egress는 막혀 있어야 합니다',
  },
  {
    en: /^found (?<n>\d+) forbidden line\(s\), e\.g\. (?<e>.*)$/,
    ko: '금지된 줄 {n}개를 찾았습니다, 예: {e}',
  },
  {
    en: /^no access-log line shows (?<what>.+) \((?<n>\d+) lines parsed; (?<note>.*)\)$/s,
    ko: '{what}을(를) 보여 주는 access-log 줄이 없습니다 (해석한 줄 {n}개; {note})',
    nested: ['what', 'note'],
  },
  {
    en: /^(?<n>\d+) access-log line\(s\) show (?<what>.+)$/,
    ko: 'access-log 줄 {n}개가 {what}을(를) 보여 줍니다',
    nested: ['what'],
  },
  {
    en: /^(?<read>\d+) lines? read(?<rest>(?:, \d+ not a request line)?(?:, \d+ of unknown format)?)(?<none>; none was .*)?$/s,
    ko: '읽은 줄 {read}개{rest}{none}',
    nested: ['rest', 'none'],
  },
  {
    en: /^, (?<n>\d+) not a request line, (?<u>\d+) of unknown format$/,
    ko: ', 요청 줄 아님 {n}개, 형식 모름 {u}개',
  },
  { en: /^, (?<n>\d+) not a request line$/, ko: ', 요청 줄 아님 {n}개' },
  { en: /^, (?<u>\d+) of unknown format$/, ko: ', 형식 모름 {u}개' },
  {
    en: /^; none was (?<what>an access-log line|an \/items request line|a request line)(?<eg>, e\.g\. .*)?$/s,
    ko: '; 그중 {what}은(는) 없었습니다{eg}',
    nested: ['what', 'eg'],
  },
  { en: /^, e\.g\. (?<sample>.*)$/s, ko: ', 예: {sample}' },
  { en: /^an access-log line$/, ko: 'access-log 줄' },
  { en: /^an \/items request line$/, ko: '/items 요청 줄' },
  { en: /^a request line$/, ko: '요청 줄' },
  // mirror.ts
  {
    en: /^no webapp -> catalog calls were made, so nothing could be mirrored$/,
    ko: 'webapp -> catalog 호출이 없어서 미러링될 것이 없었습니다',
  },
  {
    en: /^(?<m>\d+) of (?<calls>\d+) requests reached v2 as mirrors \(correlated by (?<by>.+)\)$/,
    ko: '요청 {calls}개 중 {m}개가 미러로 v2에 닿았습니다 ({by}로 대응시킴)',
  },
  {
    en: /^only (?<m>\d+) of (?<calls>\d+) requests reached v2 as mirrors \(at least (?<needed>\d+) needed; correlated by (?<by>.+)\)$/,
    ko: '요청 {calls}개 중 {m}개만 미러로 v2에 닿았습니다 (최소 {needed}개 필요; {by}로 대응시킴)',
  },
  {
    en: /^(?<m>\d+) \/items requests reached v2 for (?<calls>\d+) calls \(counted\)$/,
    ko: '호출 {calls}개에 대해 /items 요청 {m}개가 v2에 닿았습니다 (셈)',
  },
  {
    en: /^only (?<m>\d+) \/items requests reached v2 for (?<calls>\d+) calls \(at least (?<needed>\d+) needed; counted(?<note>; .*)?\)$/s,
    ko: '호출 {calls}개에 대해 /items 요청 {m}개만 v2에 닿았습니다 (최소 {needed}개 필요; 셈{note})',
    nested: ['note'],
  },
  { en: /^; (?<tally>\d+ lines? read.*)$/s, ko: '; {tally}', nested: ['tally'] },
  {
    en: /^no mirrored request line to inspect(?: \((?<note>.*)\))?$/s,
    ko: '살펴볼 미러링 요청 줄이 없습니다 {note}',
    nested: ['note'],
  },
  {
    en: /^Istio (?<v>\S+) is not in the behaviour table; (?<s>\d+) of (?<n>\d+) hosts end in -shadow$/,
    ko: 'Istio {v}은(는) 동작 표에 없습니다; host {n}개 중 {s}개가 -shadow로 끝납니다',
  },
  {
    en: /^all (?<n>\d+) mirrored hosts end in -shadow \((?<why>.*)\)$/s,
    ko: '미러링된 host {n}개가 모두 -shadow로 끝납니다 ({why})',
  },
  {
    en: /^(?<x>\d+) of (?<n>\d+) mirrored hosts lack -shadow, which Istio (?<v>\S+) appends \((?<why>.*)\)$/s,
    ko: '미러링된 host {n}개 중 {x}개에 Istio {v}이(가) 붙이는 -shadow가 없습니다 ({why})',
  },
  {
    en: /^suffix not appended: expected for Istio (?<v>\S+) \((?<why>.*)\)$/s,
    ko: '접미사가 붙지 않음: Istio {v}에서 기대한 대로입니다 ({why})',
  },
  {
    en: /^(?<s>\d+) of (?<n>\d+) mirrored hosts end in -shadow, which Istio (?<v>\S+) does not append \((?<why>.*)\)$/s,
    ko: '미러링된 host {n}개 중 {s}개가 -shadow로 끝나는데, Istio {v}은(는) 이를 붙이지 않습니다 ({why})',
  },
  // canary.ts: the timeline and the steps
  {
    en: /^ended (?<final>\S+), expected (?<expected>\S+) \(phases (?<phases>[^;)]*)(?<event>; last event: .*)?\)$/s,
    ko: '{expected}를 기대했는데 {final}로 끝났습니다 (phase {phases}{event})',
    nested: ['event'],
  },
  { en: /^; last event: (?<e>.*)$/s, ko: '; 마지막 이벤트: {e}' },
  {
    en: /^ended (?<final>\S+) without analysing \(phases (?<phases>.*)\)$/,
    ko: '분석 없이 {final}로 끝났습니다 (phase {phases})',
  },
  {
    en: /^rolled back after weights (?<weights>[^:]+): (?<event>.*)$/s,
    ko: 'weight {weights} 뒤에 롤백되었습니다: {event}',
  },
  {
    en: /^ended (?<final>\S+) after weights (?<weights>.*)$/,
    ko: 'weight {weights} 뒤에 {final}로 끝났습니다',
  },
  {
    en: /^phases (?<phases>.*) do not go Progressing > Promoting > Finalising > Succeeded$/,
    ko: 'phase {phases}이(가) Progressing > Promoting > Finalising > Succeeded 순이 아닙니다',
  },
  { en: /^phases (?<phases>.*)$/, ko: 'phase {phases}' },
  {
    en: /^canaryWeight never rose above 0 while Progressing$/,
    ko: 'Progressing 동안 canaryWeight가 0을 넘은 적이 없습니다',
  },
  {
    en: /^canaryWeight started at (?<w>\d+), not (?<step>\d+)$/,
    ko: 'canaryWeight가 {step}이 아니라 {w}에서 시작했습니다',
  },
  {
    en: /^canaryWeight went back from (?<a>\d+) to (?<b>\d+)$/,
    ko: 'canaryWeight가 {a}에서 {b}로 되돌아갔습니다',
  },
  {
    en: /^canaryWeight skipped from (?<a>\d+) to (?<b>\d+) \(stepWeight (?<step>\d+)\)$/,
    ko: 'canaryWeight가 {a}에서 {b}로 건너뛰었습니다 (stepWeight {step})',
  },
  {
    en: /^stalled at canaryWeight (?<w>\d+) for more than (?<s>\d+) s(?: \(last halt event: (?<e>.*)\))?$/s,
    ko: 'canaryWeight {w}에서 {s}초 넘게 멈췄습니다 {e}',
  },
  {
    en: /^reached canaryWeight (?<w>\S+), not maxWeight (?<max>\d+), before promotion$/,
    ko: 'promotion 전에 canaryWeight가 maxWeight {max}가 아니라 {w}에 이르렀습니다',
  },
  { en: /^canaryWeight (?<weights>.+) by (?<step>\d+)$/, ko: 'canaryWeight {weights}, {step}씩' },
  { en: /^no canaryWeight step was observed$/, ko: '관측한 canaryWeight 단계가 없습니다' },
  {
    en: /^no responses were measured at canaryWeight (?<w>\d+)$/,
    ko: 'canaryWeight {w}에서 측정한 응답이 없습니다',
  },
  {
    en: /^at canaryWeight (?<w>\d+) the v2 share was (?<share>\S+) \((?<k>\d+)\/(?<n>\d+)\), inconsistent with (?<p>\S+) at alpha (?<alpha>\S+)$/,
    ko: 'canaryWeight {w}에서 v2 비율이 {share} ({k}/{n})로 alpha {alpha}에서 {p}와 맞지 않습니다',
  },
  {
    en: /^at canaryWeight (?<w>\d+) the v2 share was (?<share>\S+) \((?<k>\d+) of the last (?<n>\d+) responses\), outside (?<lo>\d+)\.\.(?<hi>\d+), the exact test's pass range at alpha (?<alpha>\S+)$/,
    ko: 'canaryWeight {w}에서 v2 비율이 {share} (마지막 응답 {n}개 중 {k}개)로 alpha {alpha} 정확 검정의 통과 범위 {lo}..{hi}를 벗어났습니다',
  },
  {
    en: /^(?<steps>\d+%: .+), each with probability >= (?<p>[\d.e-]+) at alpha (?<alpha>\S+) per step; (?<errors>errors .*)$/s,
    ko: (g) =>
      fill('{steps}, 단계마다 alpha {alpha}에서 확률 >= {p}; {errors}', {
        ...g,
        steps: stepsKo(g.steps ?? ''),
      }),
    nested: ['errors'],
  },
  {
    en: /^(?<steps>\d+%: [\d.]+% of \d+(?:, \d+%: [\d.]+% of \d+)*)$/,
    ko: (g) => stepsKo(g.steps ?? ''),
  },
  {
    en: /^errors (?<e>\d+) of (?<requests>\d+) under the (?<rate>\S+) bound, which fails an error rate of (?<caught>\S+) with probability (?<p>[\d.e-]+)(?<load>; load .+)?$/,
    ko: (g) =>
      fill(
        '요청 {requests}개 중 오류 {e}개로 {rate} 한도 이내이며, 이 한도는 오류율 {caught}를 확률 {p}로 잡아냅니다',
        g,
      ) + (g.load ?? ''),
    nested: ['load'],
  },
  {
    en: /^errors (?<e>\d+) of (?<requests>\d+) under the (?<rate>\S+) bound, too few requests to fail any error rate with probability (?<p>[\d.e-]+)(?<load>; load .+)?$/,
    ko: (g) =>
      fill(
        '요청 {requests}개 중 오류 {e}개로 {rate} 한도 이내이나, 요청이 너무 적어 어떤 오류율도 확률 {p}로 잡아내지 못합니다',
        g,
      ) + (g.load ?? ''),
    nested: ['load'],
  },
  // how the canary's load held its rate (helpers/evidence/canary.ts loadText)
  {
    en: /^; load (?<achieved>[\d.]+) of (?<asked>[\d.]+) req\/s(?: \((?<missed>\d+) requests never sent\))?, (?<client>\d+) client-made errors$/,
    ko: (g) =>
      fill('; 부하 {achieved} / {asked} req/s', g) +
      (g.missed ? fill(' (보내지 못한 요청 {missed}개)', g) : '') +
      fill(', 클라이언트가 만든 오류 {client}개', g),
  },
  // response labels and descriptions the scenarios give their evidence (suites/shared.ts, egress scenarios)
  { en: /^blocked \(500 error calling Forum service\)$/, ko: '막힘 (500 error calling Forum service)' },
  { en: /^allowed \(200\)$/, ko: '허용됨 (200)' },
  { en: /^allowed \(200 with a list of users\)$/, ko: '허용됨 (사용자 목록과 함께 200)' },
  { en: /^blocked \(500\)$/, ko: '막힘 (500)' },
  { en: /^blocked$/, ko: '막힘' },
  { en: /^allowed$/, ko: '허용됨' },
  { en: /^BlackHoleCluster with flag UH$/, ko: 'UH 플래그의 BlackHoleCluster' },
  { en: /^GET \/users 502 direct_response block_all$/, ko: 'GET /users 502 direct_response block_all' },
  { en: /^the ServiceEntry's cluster (?<cluster>\S+)$/, ko: 'ServiceEntry의 cluster {cluster}' },
  { en: /^(?<v>v1|v2)$/, ko: '{v}' },
]

/** One cause (or fragment) in a language; undefined when no rule reads it. */
function translate(text: string, lang: Lang): string | undefined {
  for (const rule of RULES) {
    const m = rule.en.exec(text)
    if (!m) continue
    const groups: Record<string, string> = {}
    for (const [name, value] of Object.entries(m.groups ?? {})) {
      if (value === undefined) {
        groups[name] = ''
        continue
      }
      groups[name] = rule.nested?.includes(name) ? (translate(value, lang) ?? value) : value
    }
    const ko = typeof rule.ko === 'function' ? rule.ko(groups) : fill(rule.ko, groups)
    return (lang === 'ko' ? ko : text).replace(/ \s*$/, '').replace(/ {2,}/g, ' ')
  }
  return undefined
}

/** A judge's cause as the reader's language says it; English as it was saved, or when no rule reads it. */
export function localizeCause(cause: string, lang: Lang): string {
  if (lang === 'en') return cause
  return translate(cause, lang) ?? cause
}

/** Whether a cause (and every fragment it nests) has a translation: the corpus test's question. */
export function causeIsTranslated(cause: string): boolean {
  for (const rule of RULES) {
    const m = rule.en.exec(cause)
    if (!m) continue
    return (rule.nested ?? []).every((name) => {
      const value = m.groups?.[name]
      return value === undefined || value === '' || causeIsTranslated(value) || !/[a-z]{3,}/.test(value)
    })
  }
  return false
}
