import type { Lang } from './lang.js'

/**
 * The one message catalogue: every word the suite shows a learner or a teacher (check,
 * walkthrough, the run summary, the HTML and Markdown reports), in every language. A message
 * lacking a language does not compile (`satisfies`) and fails the catalogue's test, which also
 * checks that both languages use the same {placeholders}, the same `commands` and Istio's own
 * terms (VirtualService, subset, ...), which stay as Istio writes them. Scenario words live in
 * scenario-texts.ts, judges' causes in causes.ts. Pure.
 */
export type Message = { readonly [L in Lang]: string }

export const MESSAGES = {
  // ---- words shared by outputs
  'word.pass': { en: 'PASS', ko: '통과' },
  'word.fail': { en: 'FAIL', ko: '실패' },
  'word.ok': { en: 'ok  ', ko: '통과' },
  'word.hint': { en: 'hint', ko: '힌트' },
  'word.error': { en: 'ERROR', ko: '오류' },
  'word.warning': { en: 'WARNING', ko: '경고' },
  'word.none': { en: '(none)', ko: '(없음)' },
  'word.section': { en: 'section {section}', ko: '{section}절' },

  // ---- run summary (terminal)
  'run.stopped': { en: ' (stopped: {error})', ko: ' (중단됨: {error})' },
  'run.cleanupFailed': { en: '  FAIL cleanup: {errors}', ko: '  실패 정리: {errors}' },
  'run.notRun': {
    en: 'FAIL {id}: not run (the run stopped before it)',
    ko: '실패 {id}: 실행되지 않음 (그 전에 실행이 멈췄습니다)',
  },
  'run.totals': {
    en: '{total} scenarios: {passed} passed, {failed} failed; checks: {checksPassed} passed, {checksFailed} failed',
    ko: '시나리오 {total}개: 통과 {passed}, 실패 {failed}; 검사: 통과 {checksPassed}, 실패 {checksFailed}',
  },

  // ---- run progress (terminal): the harness's lines, the connection and the journal
  'run.running': {
    en: 'running {ids}; results in {dir}; changes journaled in {journal}',
    ko: '{ids} 실행 중; 결과는 {dir}, 변경 저널은 {journal}',
  },
  'run.concurrent': {
    en: 'scenarios run concurrently, at most {n} at once, each in a namespace of its own ({namespace}), never two that change the same mesh-wide state together (--serial: one after another)',
    ko: '시나리오를 동시에 실행: 한 번에 최대 {n}개, 각자 자기 네임스페이스({namespace})에서, 같은 메시 전체 상태를 바꾸는 둘은 함께 실행하지 않음 (--serial: 하나씩 차례로)',
  },
  'run.serial': {
    en: 'scenarios run one after another in namespace {namespace} ({why})',
    ko: '시나리오를 네임스페이스 {namespace}에서 하나씩 차례로 실행 ({why})',
  },
  'run.reports': { en: 'reports: {files}', ko: '보고서: {files}' },
  'run.diagnostics': {
    en: 'diagnostics for {id}: {count} files in {dir}',
    ko: '{id} 진단: {dir}에 파일 {count}개',
  },
  'connect.own': {
    en: "context {context}: Kubernetes {version} at {server}, the suite's cluster '{cluster}' (profile {profile})",
    ko: "컨텍스트 {context}: {server}의 Kubernetes {version}, 스위트의 클러스터 '{cluster}' (프로필 {profile})",
  },
  'connect.existing': {
    en: "context {context}: Kubernetes {version} at {server} (not the suite's own cluster: only namespace {namespace} changes, never mesh-wide configuration)",
    ko: '컨텍스트 {context}: {server}의 Kubernetes {version} (스위트 자신의 클러스터가 아님: {namespace} 네임스페이스만 바뀌고, 메시 전체 설정은 바뀌지 않음)',
  },
  'connect.journalStale': {
    en: 'journal {journal} was written for {writtenFor}, but the context now points at {server} (the cluster was recreated): its {count} entries no longer apply',
    ko: '저널 {journal}은 {writtenFor}용으로 기록되었지만 컨텍스트는 이제 {server}를 가리킵니다 (클러스터가 다시 만들어짐): 항목 {count}개는 더 이상 적용되지 않습니다',
  },
  'connect.undoing': {
    en: 'undoing {count} change(s) an earlier run left (journal {journal}):',
    ko: '이전 실행이 남긴 변경 {count}개를 되돌립니다 (저널 {journal}):',
  },
  'connect.undone': {
    en: 'undone: deleted {deleted}, restored {restored}',
    ko: '되돌림: 삭제 {deleted}, 복원 {restored}',
  },
  'connect.adopted': {
    en: 'namespace {namespace}: running beside {count} object(s) the suite did not create (--adopt-namespace): {objects}; what the suite changes is journaled and restored',
    ko: '{namespace} 네임스페이스: 스위트가 만들지 않은 객체 {count}개 옆에서 실행합니다 (--adopt-namespace): {objects}; 스위트가 바꾸는 것은 저널에 기록되고 복원됩니다',
  },
  'lab.applied': { en: 'applied {set}: {files}', ko: '{set} 적용함: {files}' },
  'lab.baseReady': {
    en: 'base lab ready: applied {applied}; removed {removed} (the run removes the base lab at its end)',
    ko: '기본 랩 준비됨: 적용 {applied}; 삭제 {removed} (실행이 끝날 때 기본 랩을 삭제)',
  },
  'lab.namespaceCreated': {
    en: 'namespace {namespace} created with istio-injection=enabled (removed at cleanup)',
    ko: '네임스페이스 {namespace} 생성함, istio-injection=enabled (정리할 때 삭제)',
  },
  'lab.appliedAdapted': { en: 'applied {set}: {files} (adapted)', ko: '{set} 적용함: {files} (조정됨)' },
  'lab.apiWarns': { en: 'the API server warns: {warning}', ko: 'API 서버 경고: {warning}' },
  'lab.removed': { en: 'removed {refs}', ko: '제거함: {refs}' },
  'lab.loadStarted': {
    en: 'load started: {rate}/s to {target}',
    ko: '부하 시작: {target}에 초당 {rate}건',
  },
  'lab.check': { en: '{verdict} {check}: {cause}', ko: '{verdict} {check}: {cause}' },
  'lab.cleanup': {
    en: 'cleanup: deleted {deleted}, restored {restored}',
    ko: '정리: 삭제 {deleted}, 복원 {restored}',
  },
  'lab.cleanupErrors': {
    en: 'cleanup: deleted {deleted}, restored {restored}, {errors} errors (left in the journal {journal})',
    ko: '정리: 삭제 {deleted}, 복원 {restored}, 오류 {errors}개 (저널 {journal}에 남김)',
  },
  'lab.stopped': { en: 'stopped: {error}', ko: '중단됨: {error}' },
  'lab.diagnosticsFailed': { en: 'diagnostics failed: {error}', ko: '진단 수집 실패: {error}' },
  'lab.meshConfig': {
    en: 'mesh config: outboundTrafficPolicy.mode {mode}',
    ko: '메시 설정: outboundTrafficPolicy.mode {mode}',
  },
  'lab.clusterDns': { en: 'cluster DNS: {host} -> {address}', ko: '클러스터 DNS: {host} -> {address}' },

  // ---- reports (HTML, Markdown)
  'report.heading': {
    en: 'Istio in Action, chapter 5 traffic control',
    ko: 'Istio in Action 5장 트래픽 제어',
  },
  'report.overview': {
    en: '{versions}. {passed} checks passed, {failed} failed. Run from {from} to {to} against {context}; node image {nodeImage}; proxies {proxies}.',
    ko: '{versions}. 검사 {passed}개 통과, {failed}개 실패. {from}부터 {to}까지 {context}에서 실행; 노드 이미지 {nodeImage}; 프록시 {proxies}.',
  },
  'report.versions': {
    en: 'Istio {istio} on Kubernetes {kubernetes} (profile {profile}, Flagger {flagger})',
    ko: 'Kubernetes {kubernetes} 위의 Istio {istio} (프로필 {profile}, Flagger {flagger})',
  },
  'report.mode.existing-cluster': {
    en: "Not the suite's own cluster (--allow-existing-cluster): only namespace {namespace} was changed; egress was locked down with a namespace Sidecar, never with mesh-wide configuration.",
    ko: '스위트 자신의 클러스터가 아닙니다 (--allow-existing-cluster): {namespace} 네임스페이스만 바뀌었고, egress는 메시 전체 설정이 아니라 네임스페이스 Sidecar로 막았습니다.',
  },
  'report.mode.suite-cluster': {
    en: "The suite's own kind cluster, proven by its ownership record; every change was journaled and undone.",
    ko: '소유 기록으로 확인한 스위트 자신의 kind 클러스터입니다; 모든 변경은 저널에 기록되고 되돌려졌습니다.',
  },
  'report.baseLab': {
    en: 'Base lab: the apps were applied once in {namespace} for every scenario (rollouts: {rollouts}) and removed at the end ({deleted} objects deleted).',
    ko: '기본 랩: 앱을 {namespace}에 한 번 적용해 모든 시나리오가 함께 썼고 (롤아웃: {rollouts}) 끝에 삭제했습니다 (객체 {deleted}개 삭제).',
  },
  'report.baseLabErrors': {
    en: 'Base lab: the apps were applied once in {namespace} (rollouts: {rollouts}), but removing them at the end failed: {errors}. Undo what is left with npm run conformance -- restore.',
    ko: '기본 랩: 앱을 {namespace}에 한 번 적용했지만 (롤아웃: {rollouts}) 끝에 삭제하지 못했습니다: {errors}. 남은 것은 npm run conformance -- restore 로 되돌리세요.',
  },
  'report.errorRate': {
    en: "A correct mesh fails at least one check of this run with probability at most {bound} (the sum of every check's false-failure bound, error bounds included); a route off by a check's stated shift passes it with probability at most 1e-3.",
    ko: '올바른 메시가 이 실행의 검사 중 하나라도 실패할 확률은 최대 {bound}입니다 (오류 한도를 포함한 모든 검사의 오탐 한도의 합); 검사가 밝힌 만큼 어긋난 라우트가 그 검사를 통과할 확률은 최대 1e-3입니다.',
  },
  'report.howToRead': { en: 'How to read this report', ko: '이 보고서를 읽는 법' },
  'report.howToReadText': {
    en: "Each scenario of the chapter is a box; each row is one check with the cause of its verdict and its key numbers. Ratio checks show the observed share of v2 (dot) with its exact confidence interval (bar) against the expected share (dashed line) and the region within the indifference margin (green). Deterministic routes allow no response of the wrong version over enough requests to catch a 1% leak. The canary chart shows Flagger's canaryWeight over time (line), the observed v2 share at each step (dots) and phase changes (dotted lines).",
    ko: '장의 시나리오 하나가 상자 하나이고, 각 행은 판정 원인과 핵심 수치를 담은 검사 하나입니다. 비율 검사는 관측한 v2 비율(점)과 그 정확 신뢰구간(막대)을 기대 비율(점선), 무차별 구간(초록)과 함께 보여 줍니다. 결정적 라우팅은 1% 누출을 잡을 만큼의 요청에서 잘못된 버전의 응답을 하나도 허용하지 않습니다. canary 차트는 Flagger의 canaryWeight 변화(선), 단계별 관측 v2 비율(점), phase 변화(점선)를 보여 줍니다.',
  },
  'report.col.result': { en: 'result', ko: '결과' },
  'report.col.check': { en: 'check', ko: '검사' },
  'report.col.cause': { en: 'cause and evidence', ko: '원인과 증거' },
  'report.col.keyNumbers': { en: 'key numbers', ko: '핵심 수치' },
  'report.stopped': { en: 'Stopped: {error}', ko: '중단됨: {error}' },
  'report.cleanupFailed': { en: 'Cleanup failed: {errors}', ko: '정리 실패: {errors}' },
  'report.noResult': {
    en: 'No result was recorded: the e2e run stopped before this scenario finished.',
    ko: '결과가 기록되지 않았습니다: 이 시나리오가 끝나기 전에 e2e 실행이 멈췄습니다.',
  },
  'report.timings': { en: 'Timings', ko: '소요 시간' },
  'report.hintFor': { en: 'hint for {check}', ko: '{check} 힌트' },
  'report.run': {
    en: 'Run {from} to {to}, context {context}, node image {nodeImage}, proxies {proxies}.',
    ko: '{from}부터 {to}까지 실행, context {context}, 노드 이미지 {nodeImage}, 프록시 {proxies}.',
  },
  'report.summaryLine': {
    en: '{verdict}: {passed} checks passed, {failed} failed; {versions}',
    ko: '{verdict}: 검사 {passed}개 통과, {failed}개 실패; {versions}',
  },
  'report.noneSeen': { en: 'none seen', ko: '보이지 않음' },
  'report.timeline': { en: 'Timeline', ko: '타임라인' },
  'report.timelineTotal': {
    en: 'The run took {duration} from start to end.',
    ko: '실행은 처음부터 끝까지 {duration} 걸렸습니다.',
  },
  'report.timelineHow': {
    en: "Each row is one scenario, from its start to its end on the run's clock, coloured by what the lab was doing; grey is time between the lab's steps.",
    ko: '각 행은 시나리오 하나로, 실행의 시계로 시작부터 끝까지이며 랩이 하던 일에 따라 색칠됩니다; 회색은 랩의 단계 사이 시간입니다.',
  },
  'report.timelineAria': {
    en: 'each scenario from its start to its end, by what the lab was doing',
    ko: '시작부터 끝까지의 각 시나리오, 랩이 하던 일별',
  },
  'report.col.scenario': { en: 'scenario', ko: '시나리오' },
  'report.col.wallTime': { en: 'wall time', ko: '소요 시간' },
  'report.col.phases': { en: 'where the time went', ko: '시간이 쓰인 곳' },
  'duration.seconds': { en: '{seconds} s', ko: '{seconds}초' },
  'duration.minutes': { en: '{minutes} min {seconds} s', ko: '{minutes}분 {seconds}초' },
  'duration.wholeMinutes': { en: '{minutes} min', ko: '{minutes}분' },

  // ---- what the lab was doing (the timeline's phase kinds, helpers/report/model.ts)
  'phase.apply': { en: 'apply', ko: '적용' },
  'phase.delete': { en: 'delete', ko: '삭제' },
  'phase.rollout': { en: 'rollout', ko: '롤아웃' },
  'phase.routes': { en: 'route table', ko: '라우트 테이블' },
  'phase.converge': { en: 'converge', ko: '수렴' },
  'phase.measure': { en: 'measure', ko: '측정' },
  'phase.observe': { en: 'observe', ko: '관측' },
  'phase.watch': { en: 'watch', ko: '지켜보기' },
  'phase.wait': { en: 'wait', ko: '대기' },
  'phase.stand-in': { en: 'stand-in host', ko: '대역 호스트' },
  'phase.diagnostics': { en: 'diagnostics', ko: '진단' },
  'phase.cleanup': { en: 'cleanup', ko: '정리' },
  'phase.other': { en: 'between steps', ko: '단계 사이' },

  // ---- check: the cluster and the step
  'check.context': {
    en: 'context {context} ({server}), Istio {istio}, namespace {namespace}: reading only (no change is sent to the cluster)',
    ko: 'context {context} ({server}), Istio {istio}, 네임스페이스 {namespace}: 읽기만 합니다 (클러스터에 어떤 변경도 보내지 않습니다)',
  },
  'check.noNamespace': {
    en: 'namespace {namespace} does not exist in context {context}: there is no lab to check',
    ko: 'context {context}에 네임스페이스 {namespace}가 없습니다: 검사할 실습이 없습니다',
  },
  'check.noNamespaceFix': {
    en: 'create it as the book does: `kubectl create namespace {namespace}` and `kubectl label namespace {namespace} istio-injection=enabled`',
    ko: '책처럼 만드세요: `kubectl create namespace {namespace}` 그리고 `kubectl label namespace {namespace} istio-injection=enabled`',
  },
  'check.step': { en: 'step: {step}', ko: '단계: {step}' },
  'check.sameAs': { en: '  the same state as: {steps}', ko: '  같은 상태인 단계: {steps}' },
  'check.leftovers': {
    en: '  also present, unchanged from other steps: {objects}',
    ko: '  다른 단계에서 남아 있는 그대로의 객체: {objects}',
  },
  'check.noStep': {
    en: 'step: none; the Istio objects in {namespace} match no step of chapter 5',
    ko: '단계: 없음; {namespace}의 Istio 객체가 5장의 어느 단계와도 맞지 않습니다',
  },
  'check.closest': { en: 'closest step: {step}; what differs:', ko: '가장 가까운 단계: {step}; 다른 점:' },
  'check.noSteps': { en: 'no step to compare with', ko: '비교할 단계가 없습니다' },
  'check.diff.missing': {
    en: '  {kind} {name} is missing (the book applies it with {files})',
    ko: '  {kind} {name}이(가) 없습니다 (책은 {files}로 적용합니다)',
  },
  'check.diff.differs': {
    en: '  {kind} {name}: {path} is {live}; the book has {step}',
    ko: '  {kind} {name}: {path} 값이 {live}입니다; 책은 {step}입니다',
  },
  'check.diff.unknown': {
    en: '  {object} is in no step of the book as it is',
    ko: '  {object}은(는) 지금 모습 그대로는 책의 어느 단계에도 없습니다',
  },
  'check.diff.policy': {
    en: '  the step locks egress (outboundTrafficPolicy REGISTRY_ONLY); the cluster does not',
    ko: '  이 단계는 egress를 막지만 (outboundTrafficPolicy REGISTRY_ONLY) 클러스터는 막지 않습니다',
  },
  'check.policy.mesh': {
    en: 'outbound traffic: REGISTRY_ONLY, from the mesh config (istio-system/istio)',
    ko: '외부 트래픽: mesh config (istio-system/istio)의 REGISTRY_ONLY',
  },
  'check.policy.sidecar': {
    en: 'outbound traffic: REGISTRY_ONLY, from a Sidecar in {namespace}',
    ko: '외부 트래픽: {namespace}의 Sidecar에 의한 REGISTRY_ONLY',
  },

  // ---- check: mistakes
  'check.mistakes.none': { en: 'typical mistakes: none found', ko: '흔한 실수: 찾지 못했습니다' },
  'check.mistakes': { en: 'typical mistakes found ({count}):', ko: '흔한 실수 {count}개를 찾았습니다:' },
  'check.mistake.show': { en: '       shows it: {command}', ko: '       확인 명령: {command}' },
  'mistake.namespace-not-injected': {
    en: 'namespace {namespace} is not labelled for sidecar injection ({labels}): new pods get no istio-proxy, so no VirtualService applies to their calls',
    ko: '네임스페이스 {namespace}에 sidecar 주입 레이블이 없습니다 ({labels}): 새 파드에 istio-proxy가 붙지 않아 그 호출에는 어떤 VirtualService도 적용되지 않습니다',
  },
  'mistake.namespace-not-injected.command': {
    en: '`kubectl get namespace {namespace} --show-labels`; fix: `kubectl label namespace {namespace} istio-injection=enabled` then `kubectl rollout restart deploy -n {namespace}`',
    ko: '`kubectl get namespace {namespace} --show-labels`; 고치기: `kubectl label namespace {namespace} istio-injection=enabled` 다음 `kubectl rollout restart deploy -n {namespace}`',
  },
  'mistake.pod-without-proxy': {
    en: 'pod {pod} runs without istio-proxy: the mesh does not route its calls (it was started before injection was on, or opts out)',
    ko: '파드 {pod}에 istio-proxy가 없습니다: 메시가 이 파드의 호출을 라우팅하지 않습니다 (주입을 켜기 전에 시작됐거나 주입을 거부했습니다)',
  },
  'mistake.pod-without-proxy.command': {
    en: '`kubectl get pod {pod} -n {namespace} -o jsonpath={.spec.containers[*].name}`; fix: `kubectl rollout restart deploy -n {namespace} -l app={app}`',
    ko: '`kubectl get pod {pod} -n {namespace} -o jsonpath={.spec.containers[*].name}`; 고치기: `kubectl rollout restart deploy -n {namespace} -l app={app}`',
  },
  'mistake.subset-matches-no-pod': {
    en: 'DestinationRule {rule}: subset {subset} selects no running pod ({selector}): traffic routed to it fails with 503',
    ko: 'DestinationRule {rule}: subset {subset}이(가) 실행 중인 파드를 하나도 고르지 않습니다 ({selector}): 여기로 가는 트래픽은 503으로 실패합니다',
  },
  'mistake.subset-matches-no-pod.command': {
    en: '`kubectl get pods -n {namespace} -l {selector} --show-labels`',
    ko: '`kubectl get pods -n {namespace} -l {selector} --show-labels`',
  },
  'mistake.gateway-not-found': {
    en: 'VirtualService {virtualService} names gateway {gateway}, which does not exist: it binds to nothing at the edge',
    ko: 'VirtualService {virtualService}가 없는 gateway {gateway}를 가리킵니다: 엣지에서 아무것에도 연결되지 않습니다',
  },
  'mistake.gateway-not-found.command': {
    en: '`kubectl get gateway -n istioinaction`',
    ko: '`kubectl get gateway -n istioinaction`',
  },
  'mistake.host-not-on-gateway': {
    en: 'VirtualService {virtualService}: host {host} is not a host of its Gateway ({gateways}): the gateway never sends that host to it',
    ko: 'VirtualService {virtualService}: host {host}가 그 Gateway ({gateways})의 host가 아닙니다: gateway가 그 host를 이 VirtualService로 보내지 않습니다',
  },
  'mistake.host-not-on-gateway.command': {
    en: '`kubectl get gateway -n istioinaction -o yaml`',
    ko: '`kubectl get gateway -n istioinaction -o yaml`',
  },
  'mistake.destination-unknown': {
    en: 'VirtualService {virtualService} routes to host {host}, which no Service or ServiceEntry defines: those requests fail',
    ko: 'VirtualService {virtualService}가 어떤 Service나 ServiceEntry에도 없는 host {host}로 라우팅합니다: 그 요청은 실패합니다',
  },
  'mistake.destination-unknown.command': {
    en: '`kubectl get svc,serviceentry -n istioinaction`',
    ko: '`kubectl get svc,serviceentry -n istioinaction`',
  },
  'mistake.subset-undefined': {
    en: 'VirtualService {virtualService} routes to subset {subset} of {host}, but its DestinationRule defines {defined}: those requests fail with 503 (NR)',
    ko: 'VirtualService {virtualService}가 {host}의 subset {subset}로 라우팅하지만 DestinationRule에는 {defined}만 있습니다: 그 요청은 503 (NR)으로 실패합니다',
  },
  'mistake.subset-undefined.command': {
    en: '`kubectl get destinationrule -n istioinaction -o yaml`',
    ko: '`kubectl get destinationrule -n istioinaction -o yaml`',
  },
  'mistake.gateway-selects-no-pod': {
    en: 'Gateway {gateway}: its selector {selector} matches no gateway pod, so no proxy serves it',
    ko: 'Gateway {gateway}: selector {selector}와 맞는 gateway 파드가 없어 어떤 프록시도 이 Gateway를 쓰지 않습니다',
  },
  'mistake.gateway-selects-no-pod.command': {
    en: '`kubectl get pods -A -l {selector}`',
    ko: '`kubectl get pods -A -l {selector}`',
  },
  'mistake.weights-not-100': {
    en: 'VirtualService {virtualService} rule #{rule}: weights {weights} add up to {total}, not 100; Istio accepts it (it refuses only a total of 0) and splits by weight over the total',
    ko: 'VirtualService {virtualService} 규칙 #{rule}: weight {weights}의 합이 100이 아니라 {total}입니다; Istio는 받아들이고 (합이 0일 때만 거부) 합계 대비 weight로 나눕니다',
  },
  'mistake.weights-not-100.command': {
    en: '`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`',
    ko: '`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`',
  },
  'mistake.rule-unreachable': {
    en: 'VirtualService {virtualService} rule #{rule} is never used: istiod stops at rule #{after}, which matches every request (a rule without match), and drops the rest',
    ko: 'VirtualService {virtualService} 규칙 #{rule}은(는) 쓰이지 않습니다: istiod는 모든 요청과 맞는 규칙 #{after}(match 없는 규칙)에서 멈추고 나머지를 버립니다',
  },
  'mistake.rule-unreachable.command': {
    en: '`istioctl analyze -n istioinaction` (IST0130), and the route table: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`',
    ko: '`istioctl analyze -n istioinaction` (IST0130), 그리고 라우트 테이블: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`',
  },
  'mistake.duplicate-host': {
    en: 'host {host} has several VirtualServices for the mesh ({virtualServices}): sidecars use only one of them',
    ko: 'host {host}에 메시용 VirtualService가 여러 개 있습니다 ({virtualServices}): sidecar는 그중 하나만 씁니다',
  },
  'mistake.duplicate-host.command': {
    en: '`kubectl get virtualservice -n istioinaction`',
    ko: '`kubectl get virtualservice -n istioinaction`',
  },
  'mistake.ingress-unreachable': {
    en: 'the ingress is not reachable at {address} ({reason}); the book uses node port 30000 (the ingress Service gives HTTP node port {nodePort})',
    ko: '{address}에서 ingress에 닿지 않습니다 ({reason}); 책은 node port 30000을 씁니다 (ingress Service의 HTTP node port는 {nodePort}입니다)',
  },
  'mistake.ingress-unreachable.command': {
    en: '`kubectl get svc istio-ingressgateway -n istio-system`',
    ko: '`kubectl get svc istio-ingressgateway -n istio-system`',
  },
  'mistake.ingress-port-differs': {
    en: 'the ingress Service gives HTTP node port {nodePort}, but requests go to {address}: pass --ingress with the node port your cluster publishes',
    ko: 'ingress Service의 HTTP node port는 {nodePort}인데 요청은 {address}로 갑니다: 클러스터가 여는 node port를 --ingress로 넘기세요',
  },
  'mistake.ingress-port-differs.command': {
    en: '`kubectl get svc istio-ingressgateway -n istio-system -o jsonpath={.spec.ports}`',
    ko: '`kubectl get svc istio-ingressgateway -n istio-system -o jsonpath={.spec.ports}`',
  },

  // ---- check: istioctl analyze
  'check.analyze': {
    en: 'istioctl analyze -n {namespace} ({tool}):',
    ko: 'istioctl analyze -n {namespace} ({tool}):',
  },
  'check.analyze.clean': {
    en: 'istioctl analyze -n {namespace}: no validation issues ({tool})',
    ko: 'istioctl analyze -n {namespace}: 검증 문제 없음 ({tool})',
  },
  'check.analyze.unavailable': {
    en: 'istioctl analyze: not run ({reason})',
    ko: 'istioctl analyze: 실행하지 않음 ({reason})',
  },
  'check.analyze.failed': { en: 'istioctl analyze failed: {reason}', ko: 'istioctl analyze 실패: {reason}' },
  'check.analyze.noIstioctl': {
    en: 'no istioctl on PATH or in .tools/',
    ko: 'PATH에도 .tools/에도 istioctl이 없습니다',
  },

  // ---- check: expectations
  'check.expected': { en: 'expected from the live objects:', ko: '실제 객체로부터 기대하는 동작:' },
  'check.expected.none': {
    en: 'expected from the live objects: nothing to measure through the ingress',
    ko: '실제 객체로부터 기대하는 동작: ingress를 통해 측정할 것이 없습니다',
  },
  'check.request.edge': {
    en: 'GET /items at the ingress (Host {host})',
    ko: 'ingress로 GET /items (Host {host})',
  },
  'check.request.mesh': { en: 'GET /api/catalog through webapp', ko: 'webapp을 거친 GET /api/catalog' },
  'check.request.header': { en: '{request} with {name}: {value}', ko: '{request}, {name}: {value} 헤더' },
  'check.outcome.only': { en: 'every response from {version}', ko: '모든 응답이 {version}' },
  'check.outcome.share': { en: 'v2 answers {share} of responses', ko: '응답 중 {share}를 v2가 응답' },
  'check.because.rule': {
    en: 'VirtualService {virtualService} rule #{rule}',
    ko: 'VirtualService {virtualService} 규칙 #{rule}',
  },
  'check.because.default': {
    en: 'no VirtualService: the Service spreads calls over its pods',
    ko: 'VirtualService 없음: Service가 파드들로 호출을 나눕니다',
  },
  'check.expect.line': {
    en: '  {id}: {request} -> {outcome} ({because})',
    ko: '  {id}: {request} -> {outcome} ({because})',
  },
  'check.expect.mirror': {
    en: '  {id}: each call is also mirrored to {target} (pods {pods}); its answers are dropped',
    ko: '  {id}: 각 호출이 {target} (파드 {pods})로도 미러링되고 그 응답은 버려집니다',
  },
  'check.expect.order': {
    en: '  {id}: the gateway route table lists {first} first (VirtualService {virtualService})',
    ko: '  {id}: gateway 라우트 테이블이 {first}을(를) 먼저 나열합니다 (VirtualService {virtualService})',
  },
  'check.order.header': { en: 'the {name}: {exact} route', ko: '{name}: {exact} 라우트' },
  'check.order.catchAll': { en: 'the catch-all route', ko: 'catch-all 라우트' },
  'check.expect.egress.blocked': {
    en: '  {id}: GET /api/users -> 500 (outboundTrafficPolicy REGISTRY_ONLY, no ServiceEntry for {host})',
    ko: '  {id}: GET /api/users -> 500 (outboundTrafficPolicy REGISTRY_ONLY, {host}용 ServiceEntry 없음)',
  },
  'check.expect.egress.allowed': {
    en: '  {id}: GET /api/users -> 200 with users (ServiceEntry {serviceEntry} lets {host} out)',
    ko: '  {id}: GET /api/users -> 사용자 목록과 함께 200 (ServiceEntry {serviceEntry}가 {host}를 허용)',
  },
  'check.unmeasured.mixed': {
    en: '  {id}: not measured: the route reaches pods of both versions without a subset or weight, so no share is configured',
    ko: '  {id}: 측정하지 않음: subset이나 weight 없이 두 버전의 파드에 닿으므로 설정된 비율이 없습니다',
  },
  'check.unmeasured.unserved': {
    en: '  {id}: not measured: the request cannot be served ({detail}); see the mistakes above',
    ko: '  {id}: 측정하지 않음: 요청을 처리할 수 없습니다 ({detail}); 위의 실수를 보세요',
  },
  'check.unmeasured.webapp-not-exposed': {
    en: '  {id}: not measured: webapp is not reachable through the ingress (Gateway coolstore-gateway and VirtualService webapp-virtualservice)',
    ko: '  {id}: 측정하지 않음: ingress로 webapp에 닿을 수 없습니다 (Gateway coolstore-gateway와 VirtualService webapp-virtualservice)',
  },
  'check.unmeasured.canary-moving': {
    en: '  {id}: not measured: Flagger is shifting traffic (Canary phase {detail}); run check again when it is Succeeded or Failed',
    ko: '  {id}: 측정하지 않음: Flagger가 트래픽을 옮기는 중입니다 (Canary phase {detail}); Succeeded나 Failed가 되면 다시 check 하세요',
  },
  'check.unmeasured.egress-open': {
    en: '  {id}: not measured: egress is open (ALLOW_ANY), so /api/users depends on internet access',
    ko: '  {id}: 측정하지 않음: egress가 열려 있어 (ALLOW_ANY) /api/users는 인터넷 접속에 달려 있습니다',
  },
  'check.unmeasured.edge-not-exposed': {
    en: '  {id}: not measured: nothing in {namespace} is exposed through the ingress yet',
    ko: '  {id}: 측정하지 않음: {namespace}에서 아직 ingress로 노출된 것이 없습니다',
  },
  'check.unmeasured.no-forum': {
    en: '  {id}: not measured: forum is not running, and /api/users needs it',
    ko: '  {id}: 측정하지 않음: forum이 실행 중이 아니며 /api/users에는 forum이 필요합니다',
  },
  'check.why.no-route': { en: 'no rule matches it: 404', ko: '맞는 규칙이 없음: 404' },
  'check.why.no-service': { en: 'the destination host is no Service', ko: '목적지 host가 Service가 아님' },
  'check.why.no-subset': { en: 'the subset is not defined', ko: 'subset이 정의되지 않음' },
  'check.why.no-pods': { en: 'no running pod serves it', ko: '처리할 실행 중인 파드가 없음' },

  // ---- check: derived checks' words (what each proves, and its hint with the command that shows it)
  'check.proves.only': {
    en: '{request}: every response is {version}',
    ko: '{request}: 모든 응답이 {version}입니다',
  },
  'check.proves.share': {
    en: '{request}: the v2 share is consistent with {share} (sequential exact binomial test)',
    ko: '{request}: v2 비율이 {share}와 맞습니다 (순차 정확 이항 검정)',
  },
  'check.proves.mirror': {
    en: "catalog's {target} pods receive the mirrored /items calls",
    ko: 'catalog의 {target} 파드가 미러링된 /items 호출을 받습니다',
  },
  'check.proves.order.first': {
    en: 'the {name}: {exact} route precedes the catch-all in the gateway route table',
    ko: 'gateway 라우트 테이블에서 {name}: {exact} 라우트가 catch-all보다 앞섭니다',
  },
  'check.proves.order.reversed': {
    en: 'no route the {name} header can reach precedes the catch-all (istiod drops the rule after it)',
    ko: '{name} 헤더가 닿을 수 있는 라우트가 catch-all보다 앞서지 않습니다 (istiod가 그 뒤 규칙을 버림)',
  },
  'check.proves.egress.blocked': {
    en: '/api/users answers 500 error calling Forum service',
    ko: '/api/users가 500 error calling Forum service로 응답합니다',
  },
  'check.proves.egress.allowed': {
    en: '/api/users answers 200 with a JSON list of users',
    ko: '/api/users가 사용자 JSON 목록과 함께 200으로 응답합니다',
  },
  'check.hint.edge': {
    en: 'Compare VirtualService {virtualService} with what the gateway holds: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`; a wrong version means the rule or its subset points elsewhere.',
    ko: 'VirtualService {virtualService}와 gateway가 가진 설정을 비교하세요: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`; 버전이 틀리면 규칙이나 그 subset이 다른 곳을 가리킵니다.',
  },
  'check.hint.mesh': {
    en: "Compare VirtualService {virtualService} with webapp's sidecar route: `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`; webapp's calls follow it only when webapp runs istio-proxy.",
    ko: 'VirtualService {virtualService}와 webapp sidecar의 라우트를 비교하세요: `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`; webapp이 istio-proxy를 실행할 때만 그 호출이 이를 따릅니다.',
  },
  'check.hint.mirror': {
    en: "The mirrored calls show in the target's log: `kubectl logs deploy/catalog-v2 -n istioinaction -c catalog`; none means the mirror's subset selects no pod or the route lacks `mirror`.",
    ko: '미러링된 호출은 대상의 로그에 보입니다: `kubectl logs deploy/catalog-v2 -n istioinaction -c catalog`; 하나도 없다면 mirror의 subset이 파드를 고르지 않거나 라우트에 `mirror`가 없습니다.',
  },
  'check.hint.order': {
    en: 'Envoy takes the first route that matches: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` lists them in order; `istioctl analyze -n istioinaction` reports a rule istiod drops as IST0130.',
    ko: 'Envoy는 처음 맞는 라우트를 씁니다: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`이 순서대로 보여 줍니다; istiod가 버리는 규칙은 `istioctl analyze -n istioinaction`이 IST0130으로 알려 줍니다.',
  },
  'check.hint.egress.blocked': {
    en: "Under REGISTRY_ONLY forum's call to the outside host is blocked: `kubectl logs deploy/forum -n istioinaction -c istio-proxy` shows 502 direct_response block_all; a 200 means egress is still open.",
    ko: 'REGISTRY_ONLY에서는 forum의 외부 host 호출이 막힙니다: `kubectl logs deploy/forum -n istioinaction -c istio-proxy`에 502 direct_response block_all이 보입니다; 200이라면 egress가 아직 열려 있습니다.',
  },
  'check.hint.egress.allowed': {
    en: "With ServiceEntry {serviceEntry} forum's call leaves through outbound|80||jsonplaceholder.typicode.com: `kubectl logs deploy/forum -n istioinaction -c istio-proxy`; block_all means the ServiceEntry does not cover the host or port.",
    ko: 'ServiceEntry {serviceEntry}가 있으면 forum의 호출은 outbound|80||jsonplaceholder.typicode.com으로 나갑니다: `kubectl logs deploy/forum -n istioinaction -c istio-proxy`; block_all이라면 ServiceEntry가 그 host나 port를 다루지 않습니다.',
  },

  // ---- check: measuring and the verdict
  'check.measuring': {
    en: 'measuring through the ingress at {address}, with the statistics of run:',
    ko: 'ingress {address}를 통해 run과 같은 통계로 측정합니다:',
  },
  'check.cannotMeasure': {
    en: 'cannot measure: the ingress is not reachable at {address}',
    ko: '측정할 수 없습니다: {address}에서 ingress에 닿지 않습니다',
  },
  'check.result': { en: '{verdict} {id}: {cause}', ko: '{verdict} {id}: {cause}' },
  'check.result.proves': { en: '       checks: {proves}', ko: '       검사 내용: {proves}' },
  'check.result.hint': { en: '       hint: {hint}', ko: '       힌트: {hint}' },
  'check.verdict.0': {
    en: 'exit 0: the behaviour matches the live configuration and step {step}',
    ko: 'exit 0: 동작이 실제 설정과 단계 {step}에 맞습니다',
  },
  'check.verdict.1.step': {
    en: 'exit 1: the cluster is at no step of the book (closest: {step}); fix what differs above',
    ko: 'exit 1: 클러스터가 책의 어느 단계에도 있지 않습니다 (가장 가까운 단계: {step}); 위의 다른 점을 고치세요',
  },
  'check.verdict.1.checks': {
    en: 'exit 1: {failed} of {total} checks failed: the behaviour does not match the configuration',
    ko: 'exit 1: 검사 {total}개 중 {failed}개 실패: 동작이 설정과 맞지 않습니다',
  },
  'check.verdict.1.mistakes': {
    en: 'exit 1: {count} mistake(s) above break routing as written (whatever was measured passed); fix them and check again',
    ko: 'exit 1: 위의 실수 {count}개가 작성된 대로의 라우팅을 깨뜨립니다 (측정한 것은 통과); 고친 뒤 다시 check 하세요',
  },
  'check.verdict.2.ingress': {
    en: 'exit 2: cannot tell: nothing could be measured through the ingress at {address}',
    ko: 'exit 2: 판단할 수 없습니다: ingress {address}를 통해 아무것도 측정하지 못했습니다',
  },
  'check.verdict.2.nothing': {
    en: 'exit 2: cannot tell: the live objects give nothing to measure',
    ko: 'exit 2: 판단할 수 없습니다: 실제 객체로부터 측정할 것이 없습니다',
  },

  // ---- step descriptions
  'step.label': { en: '{section} {title} (step {set})', ko: '{section} {title} (단계 {set})' },
  'step.what': { en: '{label}: {what}', ko: '{label}: {what}' },
  'describe.vs': {
    en: 'VirtualService {name} ({hosts} via {gateways}): {rules}',
    ko: 'VirtualService {name} ({hosts}, {gateways} 경유): {rules}',
  },
  'describe.rule.when': { en: 'matches {conditions} -> {targets}', ko: '{conditions}이면 -> {targets}' },
  'describe.rule.else': { en: 'otherwise -> {targets}', ko: '그 밖에는 -> {targets}' },
  'describe.rule.all': { en: 'everything -> {targets}', ko: '모두 -> {targets}' },
  'describe.mirror': { en: '{targets}, mirrored to {mirror}', ko: '{targets}, {mirror}로 미러링' },
  'describe.dr': {
    en: 'DestinationRule {name}: subsets {subsets}',
    ko: 'DestinationRule {name}: subset {subsets}',
  },
  'describe.gw': {
    en: 'Gateway {name}: {hosts} on port {port}',
    ko: 'Gateway {name}: 포트 {port}의 {hosts}',
  },
  'describe.se': { en: 'ServiceEntry {name}: {hosts}', ko: 'ServiceEntry {name}: {hosts}' },
  'describe.telemetry': {
    en: 'Telemetry {name}: access logs for {selector}',
    ko: 'Telemetry {name}: {selector}의 access log',
  },
  'describe.canary': {
    en: 'Canary {name} for Deployment {target}',
    ko: 'Deployment {target}의 Canary {name}',
  },
  'describe.sidecar': { en: 'Sidecar {name}', ko: 'Sidecar {name}' },
  'describe.policy': { en: 'outbound traffic REGISTRY_ONLY', ko: '외부 트래픽 REGISTRY_ONLY' },

  // ---- walkthrough
  'walk.intro': {
    en: "walkthrough on context {context}: {count} scenarios of chapter 5 in the book's order; each step shows its YAML and the command the book uses, applies it, measures, and explains what was observed",
    ko: 'context {context}에서 따라하기: 5장 시나리오 {count}개를 책의 순서대로; 각 단계는 YAML과 책의 명령을 보여 주고, 적용하고, 측정하고, 관측한 것을 설명합니다',
  },
  'walk.scenario': { en: '== {section} {title} ({id})', ko: '== {section} {title} ({id})' },
  'walk.expect': { en: 'the book shows: {observation}', ko: '책이 보여 주는 것: {observation}' },
  'walk.step': { en: '-- step {set}', ko: '-- 단계 {set}' },
  'walk.command': { en: 'the book runs: {command}', ko: '책의 명령: {command}' },
  'walk.meshEdit': {
    en: 'the book runs: {command}; the suite edits {ref} to the same effect (undone afterwards)',
    ko: '책의 명령: {command}; 스위트는 같은 효과로 {ref}를 고칩니다 (나중에 되돌립니다)',
  },
  'walk.dnsEdit': {
    en: 'the suite makes the cluster DNS answer for {host} itself ({ref}; undone afterwards), so the lab needs no outside site',
    ko: '스위트는 클러스터 DNS가 {host}에 직접 답하게 합니다 ({ref}; 나중에 되돌림), 그래서 실습에 외부 사이트가 필요 없습니다',
  },
  'walk.remove': { en: 'first, as the lab does: {command}', ko: '먼저 실습처럼: {command}' },
  'walk.pause': {
    en: 'press Enter to apply (Ctrl-C stops and undoes what was applied)',
    ko: 'Enter를 누르면 적용합니다 (Ctrl-C는 멈추고 적용한 것을 되돌립니다)',
  },
  'walk.applied': { en: 'applied {set}', ko: '{set} 적용됨' },
  'walk.observed': { en: '   {verdict} {check}: {proves}', ko: '   {verdict} {check}: {proves}' },
  'walk.cause': { en: '        observed: {cause}', ko: '        관측: {cause}' },
  'walk.hint': { en: '        hint: {hint}', ko: '        힌트: {hint}' },
  'walk.undo': {
    en: "undoing this section's changes before the next one",
    ko: '다음 절로 가기 전에 이 절의 변경을 되돌립니다',
  },
  'walk.undone': {
    en: 'undone: deleted {deleted}, restored {restored}',
    ko: '되돌림: 삭제 {deleted}, 복원 {restored}',
  },
  'walk.kept': {
    en: 'kept in place for the class to explore: {count} change(s) of {id} stay in the journal {journal}; undo them with `npm run conformance -- restore`',
    ko: '수업에서 살펴보도록 그대로 둡니다: {id}의 변경 {count}개가 저널 {journal}에 남아 있습니다; `npm run conformance -- restore`로 되돌리세요',
  },
  'walk.stopped': { en: 'the section stopped: {error}', ko: '절이 중단됨: {error}' },
  'walk.done': {
    en: '{passed} of {count} sections behaved as the book says',
    ko: '{count}개 절 중 {passed}개가 책대로 동작했습니다',
  },
} as const satisfies Record<string, Message>

export type MessageKey = keyof typeof MESSAGES

export type Vars = Readonly<Record<string, string | number>>

/** Fills {name} placeholders; an unknown one stays visible (the catalogue test forbids it). */
export function fill(template: string, vars: Vars = {}): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  )
}

/** A message in a language, its placeholders filled. */
export function t(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  return fill(MESSAGES[key][lang], vars)
}
