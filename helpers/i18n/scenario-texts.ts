import type { Lang } from './lang.js'
import type { Message } from './messages.js'

/**
 * The scenarios' words in every language: title, observation, and per check what it proves and
 * its hint. English is the declaration's own text (suites/<id>/scenario.ts), repeated here so a
 * changed English text no longer matches and falls back to English (never to a stale
 * translation); the catalogue's test fails until the translation is brought along. Results
 * carry the words they were judged with, so an old record shows its own (English) words. Pure.
 */
export interface ScenarioTexts {
  readonly title: Message
  readonly observation: Message
  readonly checks: Readonly<Record<string, { readonly proves: Message; readonly hint: Message }>>
}

export const SCENARIO_TEXTS: Readonly<Record<string, ScenarioTexts>> = {
  'edge-routing': {
    title: {
      en: 'Route edge traffic to catalog through the ingress gateway',
      ko: 'ingress gateway를 통해 엣지 트래픽을 catalog로 라우팅하기',
    },
    observation: {
      en: 'GET /items with Host catalog.istioinaction.io on node port 30000 answers 200 from catalog',
      ko: 'node port 30000으로 Host catalog.istioinaction.io를 붙여 보낸 GET /items에 catalog가 200으로 응답합니다',
    },
    checks: {
      converged: {
        proves: {
          en: 'the route is programmed: 3 consecutive 200s from catalog',
          ko: '라우트가 프로그래밍됨: catalog에서 연속 3번 200',
        },
        hint: {
          en: "Is the Gateway's selector (istio: ingressgateway) matching the gateway pods, and the VirtualService bound to catalog-gateway for host catalog.istioinaction.io? See `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`.",
          ko: 'Gateway의 selector (istio: ingressgateway)가 gateway 파드와 맞고, VirtualService가 host catalog.istioinaction.io로 catalog-gateway에 묶여 있나요? `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`을 보세요.',
        },
      },
      'all-ok': {
        proves: {
          en: 'every response after convergence is a catalog item list; errors within the bound every check has (rate <= 0.1%)',
          ko: '수렴 뒤 모든 응답이 catalog 항목 목록입니다; 오류는 모든 검사와 같은 한도 이내입니다 (비율 <= 0.1%)',
        },
        hint: {
          en: "Errors after the route worked: look for 503s with flags UH/UF in the gateway's access log (`kubectl logs -n istio-system deploy/istio-ingressgateway`) and for catalog pods restarting.",
          ko: '라우트가 동작한 뒤의 오류: gateway access log에서 UH/UF 플래그가 붙은 503을 찾고 (`kubectl logs -n istio-system deploy/istio-ingressgateway`) catalog 파드가 재시작하는지 보세요.',
        },
      },
    },
  },
  'subset-v1': {
    title: {
      en: 'Pin all edge traffic to catalog v1 with a DestinationRule subset',
      ko: 'DestinationRule subset으로 모든 엣지 트래픽을 catalog v1에 고정하기',
    },
    observation: {
      en: 'with catalog v2 running, zero responses carry imageUrl',
      ko: 'catalog v2가 실행 중이어도 imageUrl이 담긴 응답이 하나도 없습니다',
    },
    checks: {
      'no-v2': {
        proves: {
          en: 'zero imageUrl responses (sized to catch a 1% leak, miss <= 1e-3)',
          ko: 'imageUrl 응답 0개 (1% 누출을 잡도록 크기를 정함, 놓칠 확률 <= 1e-3)',
        },
        hint: {
          en: "A v2 response means the VirtualService does not pin subset version-v1, or the DestinationRule's version-v1 subset labels also select v2 pods: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` shows the cluster the gateway uses, `kubectl get pods -n istioinaction -l app=catalog,version=v1 --show-labels` the pods the subset selects.",
          ko: 'v2 응답이 있다면 VirtualService가 subset version-v1에 고정하지 않았거나, DestinationRule의 version-v1 subset 레이블이 v2 파드도 고릅니다: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`이 gateway가 쓰는 cluster를, `kubectl get pods -n istioinaction -l app=catalog,version=v1 --show-labels`가 subset이 고르는 파드를 보여 줍니다.',
        },
      },
    },
  },
  'edge-header-routing': {
    title: {
      en: 'Dark-launch catalog v2 at the edge with the x-istio-cohort header',
      ko: 'x-istio-cohort 헤더로 엣지에서 catalog v2 다크 런치하기',
    },
    observation: {
      en: 'x-istio-cohort: internal reaches only v2; no header or another value reaches only v1',
      ko: 'x-istio-cohort: internal은 v2에만 닿고, 헤더가 없거나 다른 값이면 v1에만 닿습니다',
    },
    checks: {
      'internal-all-v2': {
        proves: {
          en: 'with x-istio-cohort: internal every response is v2',
          ko: 'x-istio-cohort: internal이면 모든 응답이 v2입니다',
        },
        hint: {
          en: "The header rule must come first in the VirtualService and match x-istio-cohort exactly 'internal'; check the subset name version-v2 exists in DestinationRule catalog (`kubectl get destinationrule catalog -n istioinaction -o yaml`) and that the gateway holds the header route (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`).",
          ko: "헤더 규칙이 VirtualService에서 먼저 오고 x-istio-cohort를 정확히 'internal'로 맞춰야 합니다; DestinationRule catalog에 subset 이름 version-v2가 있는지 (`kubectl get destinationrule catalog -n istioinaction -o yaml`), gateway가 헤더 라우트를 가졌는지 (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`) 확인하세요.",
        },
      },
      'no-header-all-v1': {
        proves: { en: 'without the header every response is v1', ko: '헤더가 없으면 모든 응답이 v1입니다' },
        hint: {
          en: 'Requests without the header must fall through to the catch-all route to version-v1; a v2 here means the catch-all points at the wrong subset (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` shows where it points).',
          ko: '헤더 없는 요청은 version-v1로 가는 catch-all 라우트로 떨어져야 합니다; 여기서 v2가 나오면 catch-all이 엉뚱한 subset을 가리킵니다 (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`이 어디를 가리키는지 보여 줍니다).',
        },
      },
      'other-value-all-v1': {
        proves: {
          en: 'with x-istio-cohort: external every response is v1',
          ko: 'x-istio-cohort: external이면 모든 응답이 v1입니다',
        },
        hint: {
          en: "Only the exact value 'internal' may reach v2; a prefix or regex match would also let other values through (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` shows the header matcher: exact, not prefix or safe_regex).",
          ko: "정확히 'internal'인 값만 v2에 닿아야 합니다; prefix나 regex 매치는 다른 값도 통과시킵니다 (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`이 헤더 매처를 보여 줍니다: prefix나 safe_regex가 아니라 exact).",
        },
      },
    },
  },
  'edge-route-order': {
    title: {
      en: 'Show why route order matters in the gateway route table',
      ko: 'gateway 라우트 테이블에서 라우트 순서가 왜 중요한지 보기',
    },
    observation: {
      en: 'the header-match route to the v2 subset precedes the catch-all to v1 in route http.8080',
      ko: '라우트 http.8080에서 v2 subset으로 가는 헤더 매치 라우트가 v1로 가는 catch-all보다 앞섭니다',
    },
    checks: {
      'header-route-first': {
        proves: {
          en: 'the header route to version-v2 precedes the catch-all to version-v1',
          ko: 'version-v2로 가는 헤더 라우트가 version-v1로 가는 catch-all보다 앞섭니다',
        },
        hint: {
          en: "Envoy uses the first matching route: the rule with the header match must be listed before the catch-all in the VirtualService's http list; `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` lists the routes in the order Envoy tries them.",
          ko: 'Envoy는 처음 맞는 라우트를 씁니다: 헤더 매치 규칙이 VirtualService의 http 목록에서 catch-all보다 먼저 나와야 합니다; `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`이 Envoy가 시도하는 순서대로 라우트를 보여 줍니다.',
        },
      },
      'reversed-catch-all-first': {
        proves: {
          en: 'with the rules reversed no route the header can reach precedes the catch-all (istiod drops the rule after it)',
          ko: '규칙 순서를 뒤집으면 헤더가 닿을 수 있는 라우트가 catch-all보다 앞서지 않습니다 (istiod가 그 뒤 규칙을 버림)',
        },
        hint: {
          en: "With the rules reversed istiod translates only the catch-all into the gateway's http.8080 table (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`); a header route before it means the reversed VirtualService was not applied or not yet pushed. `istioctl analyze -n istioinaction` reports the dropped rule as IST0130.",
          ko: '규칙을 뒤집으면 istiod는 catch-all만 gateway의 http.8080 테이블로 옮깁니다 (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`); 그 앞에 헤더 라우트가 있다면 뒤집은 VirtualService가 적용되지 않았거나 아직 push되지 않았습니다. `istioctl analyze -n istioinaction`은 버려진 규칙을 IST0130으로 알려 줍니다.',
        },
      },
      'reversed-shadows-header': {
        proves: {
          en: 'with the rules reversed the header no longer reaches v2',
          ko: '규칙을 뒤집으면 헤더가 더 이상 v2에 닿지 않습니다',
        },
        hint: {
          en: 'With the catch-all first, even x-istio-cohort: internal must land on v1; a v2 means the old route table is still in place (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`, and `istioctl proxy-status` for a stale push).',
          ko: 'catch-all이 먼저면 x-istio-cohort: internal도 v1로 가야 합니다; v2가 나오면 예전 라우트 테이블이 아직 남아 있습니다 (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`, 오래된 push는 `istioctl proxy-status`).',
        },
      },
    },
  },
  'mesh-routing': {
    title: {
      en: 'Route calls inside the mesh: webapp to catalog v1',
      ko: '메시 안의 호출 라우팅: webapp에서 catalog v1으로',
    },
    observation: {
      en: "/api/catalog never shows imageUrl; webapp's proxy log shows calls to the version-v1 cluster",
      ko: '/api/catalog에 imageUrl이 전혀 보이지 않고, webapp의 프록시 로그가 version-v1 cluster로 가는 호출을 보여 줍니다',
    },
    checks: {
      'no-v2': {
        proves: { en: 'zero imageUrl responses through webapp', ko: 'webapp을 거친 imageUrl 응답 0개' },
        hint: {
          en: "VirtualService catalog must list gateway 'mesh' (calls inside the mesh) and route to subset version-v1; webapp's sidecar must be injected (2/2 containers in `kubectl get pods -n istioinaction -l app=webapp`), and its route to catalog must name version-v1 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
          ko: "VirtualService catalog는 gateway 'mesh'(메시 안의 호출)를 나열하고 subset version-v1로 라우팅해야 합니다; webapp의 sidecar가 주입되어 있어야 하고 (`kubectl get pods -n istioinaction -l app=webapp`에서 컨테이너 2/2), catalog로 가는 라우트가 version-v1을 가리켜야 합니다 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
        },
      },
      'proxy-log-v1-cluster': {
        proves: {
          en: "webapp's outbound access-log lines name the version-v1 subset cluster",
          ko: 'webapp의 outbound access-log 줄이 version-v1 subset cluster를 가리킵니다',
        },
        hint: {
          en: "webapp's istio-proxy log should show outbound|80|version-v1|catalog... for its calls (`kubectl logs deploy/webapp -n istioinaction -c istio-proxy`); no lines at all means access logging is off (Telemetry for app: webapp, or meshConfig.accessLogFile).",
          ko: 'webapp의 istio-proxy 로그에 그 호출의 outbound|80|version-v1|catalog...가 보여야 합니다 (`kubectl logs deploy/webapp -n istioinaction -c istio-proxy`); 줄이 하나도 없다면 access log가 꺼져 있습니다 (app: webapp용 Telemetry, 또는 meshConfig.accessLogFile).',
        },
      },
    },
  },
  'mesh-header-routing': {
    title: {
      en: 'Route on a header deep in the call graph',
      ko: '호출 그래프 깊은 곳에서 헤더로 라우팅하기',
    },
    observation: {
      en: 'x-istio-cohort travels through webapp: with it all v2, without it all v1',
      ko: 'x-istio-cohort가 webapp을 거쳐 전달됩니다: 있으면 모두 v2, 없으면 모두 v1',
    },
    checks: {
      'internal-all-v2': {
        proves: {
          en: 'with x-istio-cohort: internal every response is v2',
          ko: 'x-istio-cohort: internal이면 모든 응답이 v2입니다',
        },
        hint: {
          en: "webapp forwards x- headers to catalog; the rule lives on VirtualService catalog (gateway mesh), not on the edge VirtualService: `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json` must show the x-istio-cohort route in webapp's sidecar.",
          ko: 'webapp은 x- 헤더를 catalog로 넘깁니다; 규칙은 엣지 VirtualService가 아니라 VirtualService catalog (gateway mesh)에 있어야 합니다: `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`이 webapp sidecar에 x-istio-cohort 라우트를 보여 줘야 합니다.',
        },
      },
      'no-header-all-v1': {
        proves: { en: 'without the header every response is v1', ko: '헤더가 없으면 모든 응답이 v1입니다' },
        hint: {
          en: "Without the header, webapp's calls must hit the catch-all route to version-v1 of VirtualService catalog (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
          ko: '헤더가 없으면 webapp의 호출은 VirtualService catalog의 version-v1 catch-all 라우트로 가야 합니다 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).',
        },
      },
    },
  },
  'weighted-shift': {
    title: {
      en: 'Shift traffic by weight: 90/10, 50/50, 0/100',
      ko: 'weight로 트래픽 옮기기: 90/10, 50/50, 0/100',
    },
    observation: {
      en: 'the v2 share of /api/catalog matches each weight',
      ko: '/api/catalog의 v2 비율이 각 weight와 맞습니다',
    },
    checks: {
      'share-10': {
        proves: {
          en: 'v2 share consistent with 10% (sequential exact binomial test)',
          ko: 'v2 비율이 10%와 맞음 (순차 정확 이항 검정)',
        },
        hint: {
          en: "Compare the VirtualService weights (90/10) with webapp's sidecar route (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`); a share far off usually means an old route or a missing subset.",
          ko: 'VirtualService의 weight (90/10)를 webapp sidecar의 라우트와 비교하세요 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`); 비율이 크게 벗어나면 대개 예전 라우트이거나 subset이 없습니다.',
        },
      },
      'share-50': {
        proves: {
          en: 'v2 share consistent with 50% (sequential exact binomial test)',
          ko: 'v2 비율이 50%와 맞음 (순차 정확 이항 검정)',
        },
        hint: {
          en: "As for 90/10: the sidecar's weighted clusters must read 50/50 for version-v1 and version-v2 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
          ko: '90/10과 같습니다: sidecar의 weighted cluster가 version-v1과 version-v2에 50/50이어야 합니다 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).',
        },
      },
      'share-100': {
        proves: { en: 'every response is v2', ko: '모든 응답이 v2입니다' },
        hint: {
          en: "With weight 0 for v1 every call must reach v2; a v1 response means the weights were not pushed to webapp's sidecar (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`, `istioctl proxy-status`).",
          ko: 'v1의 weight가 0이면 모든 호출이 v2에 닿아야 합니다; v1 응답이 있다면 weight가 webapp sidecar에 push되지 않았습니다 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`, `istioctl proxy-status`).',
        },
      },
    },
  },
  'flagger-canary': {
    title: { en: 'Automate a canary release with Flagger', ko: 'Flagger로 canary 릴리스 자동화하기' },
    observation: {
      en: 'canaryWeight rises 10..50, phases reach Succeeded, then every response is v2',
      ko: 'canaryWeight가 10..50으로 오르고 phase가 Succeeded에 이른 뒤 모든 응답이 v2입니다',
    },
    checks: {
      'weights-monotonic': {
        proves: {
          en: 'canaryWeight rises by stepWeight to maxWeight without going back',
          ko: 'canaryWeight가 되돌아가지 않고 stepWeight씩 maxWeight까지 오릅니다',
        },
        hint: {
          en: 'Flagger advances stepWeight per successful analysis; a stall or a step back usually means failing metrics (check Prometheus is scraping the mesh and the load reached webapp): `kubectl get canary catalog-release -n istioinaction -w` shows each weight, `kubectl logs -n istio-system deploy/flagger` why it halted.',
          ko: 'Flagger는 분석이 성공할 때마다 stepWeight만큼 나아갑니다; 멈추거나 되돌아가면 대개 metric이 실패한 것입니다 (Prometheus가 메시를 수집하는지, 부하가 webapp에 닿았는지 확인하세요): `kubectl get canary catalog-release -n istioinaction -w`가 각 weight를, `kubectl logs -n istio-system deploy/flagger`가 멈춘 이유를 보여 줍니다.',
        },
      },
      phases: {
        proves: {
          en: 'phases go Progressing, Promoting, Finalising, Succeeded',
          ko: 'phase가 Progressing, Promoting, Finalising, Succeeded 순으로 갑니다',
        },
        hint: {
          en: "See the Canary's events (`kubectl describe canary catalog-release -n istioinaction`) and Flagger's log (`kubectl logs -n istio-system deploy/flagger`).",
          ko: 'Canary의 이벤트 (`kubectl describe canary catalog-release -n istioinaction`)와 Flagger의 로그 (`kubectl logs -n istio-system deploy/flagger`)를 보세요.',
        },
      },
      'share-per-step': {
        proves: {
          en: 'the observed v2 share at each step is consistent with the weight',
          ko: '단계마다 관측한 v2 비율이 weight와 맞습니다',
        },
        hint: {
          en: "The observed share at each step should follow canaryWeight; a large gap means the Flagger VirtualService (match sourceLabels app: webapp) is not what routes webapp's calls (`kubectl get virtualservice catalog -n istioinaction -o yaml`, `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
          ko: '단계마다 관측한 비율이 canaryWeight를 따라야 합니다; 차이가 크면 Flagger의 VirtualService (match sourceLabels app: webapp)가 webapp의 호출을 라우팅하지 않는 것입니다 (`kubectl get virtualservice catalog -n istioinaction -o yaml`, `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).',
        },
      },
      'all-v2-after': {
        proves: { en: 'after promotion every response is v2', ko: 'promotion 뒤 모든 응답이 v2입니다' },
        hint: {
          en: 'After Succeeded the primary runs the new spec; v1 responses mean the promotion did not copy the spec or the primary pods did not roll (`kubectl get deploy catalog-primary -n istioinaction -o yaml`).',
          ko: 'Succeeded 뒤에는 primary가 새 spec으로 돕니다; v1 응답이 있다면 promotion이 spec을 복사하지 않았거나 primary 파드가 교체되지 않았습니다 (`kubectl get deploy catalog-primary -n istioinaction -o yaml`).',
        },
      },
    },
  },
  'flagger-rollback': {
    title: {
      en: 'Roll back a failing canary release with Flagger',
      ko: 'Flagger로 실패하는 canary 릴리스 롤백하기',
    },
    observation: {
      en: 'a revision answering 500s holds canaryWeight 10, ends Failed, then every response is still v1',
      ko: '500으로 응답하는 revision이 canaryWeight 10에 머물다 Failed로 끝나고, 그 뒤에도 모든 응답이 v1입니다',
    },
    checks: {
      rollback: {
        proves: {
          en: 'a revision that answers errors is analysed and ends Failed',
          ko: '오류로 응답하는 revision이 분석되어 Failed로 끝납니다',
        },
        hint: {
          en: 'A revision answering 500s must fail the request-success-rate check 5 times (threshold) and end Failed; if it succeeded, Flagger is not reading Istio metrics from Prometheus (`kubectl describe canary catalog-release -n istioinaction`, `kubectl logs -n istio-system deploy/flagger`).',
          ko: '500으로 응답하는 revision은 request-success-rate 검사에 5번 (threshold) 실패하고 Failed로 끝나야 합니다; 성공했다면 Flagger가 Prometheus에서 Istio metric을 읽지 못하는 것입니다 (`kubectl describe canary catalog-release -n istioinaction`, `kubectl logs -n istio-system deploy/flagger`).',
        },
      },
      'primary-v1-after-rollback': {
        proves: {
          en: 'after the rollback every response is still v1',
          ko: '롤백 뒤에도 모든 응답이 v1입니다',
        },
        hint: {
          en: 'After a rollback the primary must keep serving the old version; v2 or errors mean traffic was not routed back to catalog-primary (`kubectl get virtualservice catalog -n istioinaction -o yaml` shows the weights Flagger left).',
          ko: '롤백 뒤 primary는 예전 버전을 계속 제공해야 합니다; v2나 오류가 나오면 트래픽이 catalog-primary로 되돌아가지 않은 것입니다 (`kubectl get virtualservice catalog -n istioinaction -o yaml`이 Flagger가 남긴 weight를 보여 줍니다).',
        },
      },
    },
  },
  mirroring: {
    title: { en: 'Mirror live traffic to catalog v2', ko: '실제 트래픽을 catalog v2로 미러링하기' },
    observation: {
      en: "users see only v1; v2's log shows the mirrored /items requests",
      ko: '사용자는 v1만 보고, v2의 로그에 미러링된 /items 요청이 보입니다',
    },
    checks: {
      'users-see-v1': {
        proves: { en: 'zero imageUrl responses', ko: 'imageUrl 응답 0개' },
        hint: {
          en: "With mirroring, users must only ever get v1's answers; a v2 means the route itself, not only the mirror, points at version-v2 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`: the route's cluster and its request_mirror_policies).",
          ko: '미러링 중에도 사용자는 v1의 응답만 받아야 합니다; v2가 나오면 mirror만이 아니라 라우트 자체가 version-v2를 가리킵니다 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`: 라우트의 cluster와 request_mirror_policies).',
        },
      },
      'v2-receives-mirror': {
        proves: {
          en: "catalog-v2's log holds the mirrored /items requests",
          ko: 'catalog-v2의 로그에 미러링된 /items 요청이 있습니다',
        },
        hint: {
          en: "The mirror target is subset version-v2 of host catalog; check DestinationRule catalog and catalog-v2's logs (`kubectl logs deploy/catalog-v2 -n istioinaction -c catalog`).",
          ko: 'mirror 대상은 host catalog의 subset version-v2입니다; DestinationRule catalog와 catalog-v2의 로그를 확인하세요 (`kubectl logs deploy/catalog-v2 -n istioinaction -c catalog`).',
        },
      },
      'shadow-host': {
        proves: {
          en: 'mirrored Host ends in -shadow where this Istio version appends it',
          ko: '이 Istio 버전이 -shadow를 붙인다면 미러링된 Host가 -shadow로 끝납니다',
        },
        hint: {
          en: 'Istio up to 1.27 appends -shadow to the mirrored Host; later versions do not unless istiod sets DISABLE_SHADOW_HOST_SUFFIX=false (`kubectl logs deploy/catalog-v2 -n istioinaction -c catalog` shows the Host, `kubectl get deploy istiod -n istio-system -o yaml` the setting).',
          ko: 'Istio 1.27까지는 미러링된 Host에 -shadow를 붙입니다; 그 뒤 버전은 istiod가 DISABLE_SHADOW_HOST_SUFFIX=false로 설정하지 않으면 붙이지 않습니다 (`kubectl logs deploy/catalog-v2 -n istioinaction -c catalog`가 Host를, `kubectl get deploy istiod -n istio-system -o yaml`이 설정을 보여 줍니다).',
        },
      },
    },
  },
  'egress-registry-only': {
    title: { en: 'Lock down egress with REGISTRY_ONLY', ko: 'REGISTRY_ONLY로 egress 막기' },
    observation: {
      en: 'calls to unknown hosts end in BlackHoleCluster (UH); /api/users answers 500',
      ko: '모르는 host로 가는 호출은 BlackHoleCluster (UH)로 끝나고, /api/users가 500으로 응답합니다',
    },
    checks: {
      'blackhole-tcp': {
        proves: {
          en: "webapp's proxy log shows BlackHoleCluster with flag UH for outside HTTPS",
          ko: 'webapp의 프록시 로그가 외부 HTTPS에 대해 UH 플래그의 BlackHoleCluster를 보여 줍니다',
        },
        hint: {
          en: 'Under REGISTRY_ONLY an unknown outside host goes to BlackHoleCluster; PassthroughCluster means the policy is still ALLOW_ANY (check meshConfig.outboundTrafficPolicy or the namespace Sidecar); the lines are in `kubectl logs deploy/webapp -n istioinaction -c istio-proxy`.',
          ko: 'REGISTRY_ONLY에서는 모르는 외부 host가 BlackHoleCluster로 갑니다; PassthroughCluster라면 정책이 아직 ALLOW_ANY입니다 (meshConfig.outboundTrafficPolicy나 네임스페이스 Sidecar를 확인하세요); 그 줄은 `kubectl logs deploy/webapp -n istioinaction -c istio-proxy`에 있습니다.',
        },
      },
      'users-500': {
        proves: {
          en: '/api/users answers 500 error calling Forum service',
          ko: '/api/users가 500 error calling Forum service로 응답합니다',
        },
        hint: {
          en: "webapp answers 500 'error calling Forum service' when forum's call is blocked; a 200 means egress is still open (`kubectl get configmap istio -n istio-system -o yaml` shows outboundTrafficPolicy, `kubectl logs deploy/forum -n istioinaction -c istio-proxy` the call).",
          ko: "forum의 호출이 막히면 webapp은 500 'error calling Forum service'로 응답합니다; 200이라면 egress가 아직 열려 있습니다 (`kubectl get configmap istio -n istio-system -o yaml`이 outboundTrafficPolicy를, `kubectl logs deploy/forum -n istioinaction -c istio-proxy`가 호출을 보여 줍니다).",
        },
      },
      'forum-block-all': {
        proves: {
          en: "forum's proxy log shows GET /users 502 direct_response block_all",
          ko: 'forum의 프록시 로그가 GET /users 502 direct_response block_all을 보여 줍니다',
        },
        hint: {
          en: "forum's proxy logs the blocked call as 502 direct_response on route block_all (`kubectl logs deploy/forum -n istioinaction -c istio-proxy`); BlackHoleCluster TCP lines instead mean the call was HTTPS or on an unexpected port; no /users line at all means forum could not resolve jsonplaceholder.typicode.com (it resolves the host itself: Istio's DNS capture is off by default).",
          ko: 'forum의 프록시는 막힌 호출을 라우트 block_all의 502 direct_response로 기록합니다 (`kubectl logs deploy/forum -n istioinaction -c istio-proxy`); 대신 BlackHoleCluster TCP 줄이 있다면 호출이 HTTPS였거나 예상 밖 포트였습니다; /users 줄이 아예 없다면 forum이 jsonplaceholder.typicode.com을 해석하지 못했습니다 (host를 스스로 해석합니다: Istio의 DNS capture는 기본으로 꺼져 있습니다).',
        },
      },
    },
  },
  'service-entry': {
    title: { en: 'Allow one outside host with a ServiceEntry', ko: 'ServiceEntry로 외부 host 하나 허용하기' },
    observation: {
      en: '/api/users succeeds again through the ServiceEntry cluster',
      ko: '/api/users가 ServiceEntry cluster를 통해 다시 성공합니다',
    },
    checks: {
      'users-200': {
        proves: {
          en: '/api/users answers 200 with a JSON list of users',
          ko: '/api/users가 사용자 JSON 목록과 함께 200으로 응답합니다',
        },
        hint: {
          en: 'After the ServiceEntry, /api/users must answer 200 with users; 500 means the host is still blocked or does not resolve (CoreDNS for the stand-in, or internet access): `kubectl get serviceentry -n istioinaction -o yaml`, `kubectl logs deploy/forum -n istioinaction -c istio-proxy`.',
          ko: 'ServiceEntry 뒤에는 /api/users가 사용자와 함께 200으로 응답해야 합니다; 500이라면 host가 아직 막혀 있거나 해석되지 않습니다 (대역용 CoreDNS, 또는 인터넷 접속): `kubectl get serviceentry -n istioinaction -o yaml`, `kubectl logs deploy/forum -n istioinaction -c istio-proxy`.',
        },
      },
      'forum-se-cluster': {
        proves: {
          en: "forum's proxy log shows the ServiceEntry's cluster, not BlackHole",
          ko: 'forum의 프록시 로그가 BlackHole이 아니라 ServiceEntry의 cluster를 보여 줍니다',
        },
        hint: {
          en: "forum's call must leave through outbound|80||jsonplaceholder.typicode.com; block_all means the ServiceEntry (hosts, port 80 HTTP, MESH_EXTERNAL) is missing or in another namespace (`kubectl logs deploy/forum -n istioinaction -c istio-proxy`).",
          ko: 'forum의 호출은 outbound|80||jsonplaceholder.typicode.com으로 나가야 합니다; block_all이라면 ServiceEntry (hosts, port 80 HTTP, MESH_EXTERNAL)가 없거나 다른 네임스페이스에 있습니다 (`kubectl logs deploy/forum -n istioinaction -c istio-proxy`).',
        },
      },
    },
  },
}

type Field = 'title' | 'observation'

/** A scenario's title or observation in a language; the English given when the catalogue's differs. */
export function scenarioText(lang: Lang, scenario: string, field: Field, english: string): string {
  const entry = SCENARIO_TEXTS[scenario]?.[field]
  return entry && entry.en === english ? entry[lang] : english
}

/** A check's words in a language; the English given when the catalogue's differs (an older record). */
export function checkText(
  lang: Lang,
  scenario: string,
  check: string,
  field: 'proves' | 'hint',
  english: string,
): string {
  const entry = SCENARIO_TEXTS[scenario]?.checks[check]?.[field]
  return entry && entry.en === english ? entry[lang] : english
}
