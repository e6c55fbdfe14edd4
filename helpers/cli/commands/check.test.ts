import { describe, expect, it } from 'vitest'
import { SCENARIOS } from '../../../suites/index.js'
import { UsageError } from '../../errors.js'
import { commandArgs } from '../../testing/cli-args.js'
import { startFakeApiServer } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { type Learner, learnerObjects, startLearnerApiServer } from '../../testing/learner-lab.js'
import { json } from '../../testing/recording-server.js'
import { recordingTools } from '../../testing/recording-tools.js'
import { CLUSTER_CONFIG } from '../../testing/run-fixtures.js'
import { main } from '../main.js'
import { type CheckDeps, checkCommand, registrySteps } from './check.js'

/**
 * `check` against a fake API server holding a learner's lab (the book's manifests applied by
 * hand, or with a mistake), measuring through the in-memory lab. In every case the API server
 * records no mutating request and the in-memory lab no apply or delete: check only reads.
 */
const CONTEXT = 'learner'
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const ANALYZE_JSON = JSON.stringify([
  {
    code: 'IST0130',
    level: 'Warning',
    message: 'VirtualService rule #1 not used (only the last rule can have no matches).',
    origin: 'VirtualService istioinaction/catalog-vs-from-gw',
    documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0130/?ref=istioctl-analyze',
  },
])

const args = commandArgs

interface Options {
  readonly argv?: readonly string[]
  readonly ingressReachable?: boolean
  readonly configure?: (fake: FakeLab) => void
  readonly analyze?: { stdout?: string; stderr?: string; exit?: number } | 'none'
  readonly env?: Record<string, string>
}

async function check(learner: Learner, options: Options = {}) {
  const objects = learnerObjects(learner)
  const api = await startLearnerApiServer(learner, { flagger: objects.some((o) => o.kind === 'Canary') })
  const kubeconfig = writeKubeconfig({ currentContext: CONTEXT, contexts: [CONTEXT], server: api.url })
  const fake = new FakeLab([...CLUSTER_CONFIG, ...objects])
  fake.internet = true
  options.configure?.(fake)
  const tools = recordingTools({
    istioctl: options.analyze === 'none' ? {} : { stdout: ANALYZE_JSON, ...options.analyze },
  })
  const deps: CheckDeps = {
    adapters: (_client, _ingress, log) => ({ ...fake.adapters(), log }),
    probeIngress: async () =>
      options.ingressReachable === false
        ? { reachable: false, reason: 'connect ECONNREFUSED 127.0.0.1:30000' }
        : { reachable: true },
    istioctl: async () => (options.analyze === 'none' ? undefined : tools.paths.istioctl),
    env: options.env ?? {},
  }
  const out: string[] = []
  try {
    const code = await checkCommand(
      args(['check', ...(options.argv ?? []), '--kubeconfig', kubeconfig]),
      (l) => out.push(l),
      deps,
    )
    return { code, out, text: out.join('\n'), fake, kubeconfig, calls: tools.calls(), api }
  } finally {
    await api.close()
    // The promise kept: nothing but reads reached the cluster, and the lab changed nothing.
    expect(api.requests.filter((r) => MUTATING.has(r.method))).toEqual([])
    expect(fake.applied).toEqual([])
    expect(fake.deleted).toEqual([])
  }
}

/** The files of a scenario's sets up to and including one. */
function filesUpTo(stepId: string): string[] {
  const [scenarioId, setName] = stepId.split('/')
  const sets = SCENARIOS.find((s) => s.id === scenarioId)?.manifestSets ?? []
  return [...new Set(sets.slice(0, sets.findIndex((s) => s.name === setName) + 1).flatMap((s) => s.files))]
}

/**
 * Steps that only deploy both versions and define subsets: nothing routes to one version yet
 * (no VirtualService for catalog), so there is nothing to measure and check cannot tell (2).
 */
const NOTHING_TO_MEASURE = new Set([
  'subset-v1/v1-and-v2-at-the-edge',
  'edge-header-routing/v1-and-v2-at-the-edge',
  'edge-route-order/v1-and-v2-at-the-edge',
  'mesh-routing/v1-and-v2-behind-webapp',
  'mesh-header-routing/v1-and-v2-behind-webapp',
  'weighted-shift/v1-and-v2-behind-webapp',
  'mirroring/v1-and-v2-behind-webapp',
])

describe('check recognises each step of the chapter and measures what it implies', () => {
  it.each(registrySteps().map((s) => [s.id] as const))(
    '%s: the step, the expected behaviour, the exit code, and no change',
    async (id) => {
      const r = await check({ files: filesUpTo(id) }, { analyze: { stdout: '[]' } })
      expect(r.out[0]).toMatch(
        /^context learner \(http:\/\/127\.0\.0\.1:\d+\), Istio 1\.17\.8, namespace istioinaction: reading only/,
      )
      const stepLine = r.out.find((l) => l.startsWith('step: '))
      const named = [stepLine, r.out.find((l) => l.startsWith('  the same state as: '))].join(' ')
      // The step itself, or the first step with the same state naming it among its twins.
      expect(named).toMatch(new RegExp(`\\(step ${id.split('/')[1]}\\)|${id}`))
      expect(r.text).toContain('expected from the live objects:')
      expect(r.text).toContain('istioctl analyze -n istioinaction: no validation issues')
      if (NOTHING_TO_MEASURE.has(id)) {
        expect(r.text).toContain('not measured: ')
        expect(r.out.at(-1)).toBe('exit 2: cannot tell: the live objects give nothing to measure')
        expect(r.code).toBe(2)
      } else {
        expect(r.out.at(-1), r.text).toMatch(
          /^exit 0: the behaviour matches the live configuration and step /,
        )
        expect(r.code).toBe(0)
      }
      expect(r.calls).toEqual([
        [
          'istioctl',
          'analyze',
          '-n',
          'istioinaction',
          '-o',
          'json',
          '--context',
          CONTEXT,
          '--kubeconfig',
          r.kubeconfig,
        ],
      ])
    },
    30_000,
  )

  it("names the header step at the edge, derives its checks, and measures each with run's statistics", async () => {
    const r = await check({ files: filesUpTo('edge-header-routing/cohort-to-v2') })
    expect(r.out).toContain(
      'step: 5.2.5 Dark-launch catalog v2 at the edge with the x-istio-cohort header (step cohort-to-v2): VirtualService catalog-vs-from-gw (catalog.istioinaction.io via catalog-gateway): matches x-istio-cohort: internal -> version-v2; otherwise -> version-v1',
    )
    expect(r.out).toContain('  the same state as: edge-route-order/header-rule-first')
    expect(r.out).toContain(
      '  edge-x-istio-cohort-internal: GET /items at the ingress (Host catalog.istioinaction.io) with x-istio-cohort: internal -> every response from v2 (VirtualService catalog-vs-from-gw rule #1)',
    )
    expect(r.out).toContain(
      '  edge: GET /items at the ingress (Host catalog.istioinaction.io) -> every response from v1 (VirtualService catalog-vs-from-gw rule #2)',
    )
    expect(r.text).toMatch(
      /PASS edge-x-istio-cohort-internal: all 688 responses were v2: a 1% leak would show/,
    )
    expect(r.text).toMatch(/PASS edge-x-istio-cohort-other: all 688 responses were v1/)
    expect(r.text).toMatch(/PASS edge-route-order: header route \(#0\) precedes the catch-all \(#1\)/)
    expect(r.fake.probes.some((p) => p.headers?.['x-istio-cohort'] === 'internal')).toBe(true)
  })

  it('measures a weighted split with the sequential test after the route-table gate', async () => {
    const r = await check({ files: filesUpTo('weighted-shift/50-50') })
    expect(r.text).toContain('  mesh: GET /api/catalog through webapp -> v2 answers 50.0% of responses')
    expect(r.text).toMatch(/PASS mesh: v2 share [\d.]+% \(\d+\/\d+\) is consistent with the expected 50\.0%/)
    expect(r.fake.routeFetches.map((q) => q.routeName)).toContain('80')
  })

  it('shows what istioctl analyze says beside the behaviour', async () => {
    const r = await check({ files: filesUpTo('edge-route-order/catch-all-first') })
    expect(r.out.some((l) => l.startsWith('istioctl analyze -n istioinaction ('))).toBe(true)
    expect(r.text).toContain(
      '  Warning [IST0130] (VirtualService istioinaction/catalog-vs-from-gw) VirtualService rule #1 not used (only the last rule can have no matches).',
    )
  })

  it('says so when istioctl is absent or fails, and goes on', async () => {
    expect(
      (await check({ files: filesUpTo('edge-routing/catalog-at-the-edge') }, { analyze: 'none' })).out,
    ).toContain('istioctl analyze: not run (no istioctl on PATH or in .tools/)')
    const failed = await check(
      { files: filesUpTo('edge-routing/catalog-at-the-edge') },
      { analyze: { exit: 1, stderr: 'Error: context "learner" does not exist' } },
    )
    expect(failed.out).toContain('istioctl analyze failed: exit 1: Error: context "learner" does not exist')
    expect(failed.code).toBe(0)
  })
})

describe('check names the mistakes learners make, before measuring', () => {
  const edge = filesUpTo('edge-header-routing/cohort-to-v2')
  const mistakeLine = (text: string, start: string) => text.split('\n').find((l) => l.includes(start))

  it('a namespace without sidecar injection, and pods without istio-proxy', async () => {
    const r = await check({ files: edge, namespaceLabels: {} })
    expect(r.text).toContain('typical mistakes found (3):')
    expect(
      mistakeLine(r.text, 'ERROR namespace istioinaction is not labelled for sidecar injection'),
    ).toBeDefined()
    expect(r.text).toContain(
      '       shows it: `kubectl --context learner get namespace istioinaction --show-labels`; fix: `kubectl --context learner label namespace istioinaction istio-injection=enabled` then `kubectl --context learner rollout restart deploy -n istioinaction`',
    )
    expect(mistakeLine(r.text, 'ERROR pod catalog-v2-7d9c5b6f4-x2x9q runs without istio-proxy')).toBeDefined()
    // Routing at the edge measured fine (the gateway needs no sidecar in catalog), yet the lab is broken.
    expect(r.out.at(-1)).toBe(
      'exit 1: 3 mistake(s) above break routing as written (whatever was measured passed); fix them and check again',
    )
    expect(r.code).toBe(1)
  })

  it('a DestinationRule subset whose labels match no pod', async () => {
    const r = await check({ files: edge, without: ['Deployment/catalog-v2'] })
    expect(r.text).toContain(
      '  ERROR DestinationRule catalog: subset version-v2 selects no running pod (app=catalog,version=v2): traffic routed to it fails with 503',
    )
    expect(r.text).toContain(
      '  edge-x-istio-cohort-internal: not measured: the request cannot be served (no running pod serves it)',
    )
    expect(r.code).toBe(1)
  })

  it('a VirtualService whose gateway or host matches nothing', async () => {
    const vs = (gateway: string, host: string) => ({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'catalog-vs-from-gw', namespace: 'istioinaction' },
      spec: {
        hosts: [host],
        gateways: [gateway],
        http: [{ route: [{ destination: { host: 'catalog', port: { number: 80 } } }] }],
      },
    })
    const missing = await check({
      files: filesUpTo('edge-routing/catalog-at-the-edge'),
      objects: [vs('catalog-gw', 'catalog.istioinaction.io')],
    })
    expect(missing.text).toContain(
      '  ERROR VirtualService catalog-vs-from-gw names gateway catalog-gw, which does not exist: it binds to nothing at the edge',
    )
    expect(missing.text).toContain(
      'step: none; the Istio objects in istioinaction match no step of chapter 5',
    )
    expect(missing.text).toContain(
      '  VirtualService catalog-vs-from-gw: gateways[0] is "istioinaction/catalog-gw"; the book has "istioinaction/catalog-gateway"',
    )
    expect(missing.code).toBe(1)
    const host = await check({
      files: filesUpTo('edge-routing/catalog-at-the-edge'),
      objects: [vs('catalog-gateway', 'catalog.istioinaction.com')],
    })
    expect(host.text).toContain(
      '  ERROR VirtualService catalog-vs-from-gw: host catalog.istioinaction.com is not a host of its Gateway (catalog-gateway)',
    )
  })

  it('a Gateway whose selector matches no gateway pod', async () => {
    const r = await check({ files: edge, gatewayLabels: { app: 'istio-ingressgateway', istio: 'ingress' } })
    expect(r.text).toContain(
      '  ERROR Gateway catalog-gateway: its selector istio=ingressgateway matches no gateway pod, so no proxy serves it',
    )
    expect(r.text).toContain(
      '       shows it: `kubectl --context learner get pods -A -l istio=ingressgateway`',
    )
    expect(r.code).toBe(1)
  })

  it('weights that do not add up to 100', async () => {
    const r = await check({
      files: filesUpTo('weighted-shift/v1-and-v2-behind-webapp'),
      objects: [
        {
          apiVersion: 'networking.istio.io/v1beta1',
          kind: 'VirtualService',
          metadata: { name: 'catalog', namespace: 'istioinaction' },
          spec: {
            hosts: ['catalog'],
            gateways: ['mesh'],
            http: [
              {
                route: [
                  { destination: { host: 'catalog', subset: 'version-v1' }, weight: 90 },
                  { destination: { host: 'catalog', subset: 'version-v2' }, weight: 20 },
                ],
              },
            ],
          },
        },
      ],
    })
    expect(r.text).toContain(
      '  WARNING VirtualService catalog rule #1: weights version-v1=90, version-v2=20 add up to 110, not 100; Istio accepts it (it refuses only a total of 0) and splits by weight over the total',
    )
    expect(r.text).toContain(
      '  mesh: GET /api/catalog through webapp -> v2 answers 18.2% of responses (VirtualService catalog rule #1)',
    )
    expect(r.text).toContain(
      'closest step: 5.3 Shift traffic by weight: 90/10, 50/50, 0/100 (step 90-10); what differs:',
    )
    expect(r.code).toBe(1)
  })

  it('a rule made unreachable by an earlier catch-all (what 5.2.5 shows on purpose)', async () => {
    const r = await check({ files: filesUpTo('edge-route-order/catch-all-first') })
    expect(r.text).toContain(
      '  WARNING VirtualService catalog-vs-from-gw rule #2 is never used: istiod stops at rule #1, which matches every request (a rule without match), and drops the rest',
    )
    expect(r.text).toMatch(/PASS edge-x-istio-cohort-internal: all 688 responses were v1/)
    expect(r.text).toMatch(
      /PASS edge-route-order: http\.8080 catalog\.istioinaction\.io:80 holds only the catch-all/,
    )
    expect(r.code).toBe(0)
  })

  it('the ingress not reachable on the port the book uses: named, and exit 2 (it cannot tell)', async () => {
    const r = await check({ files: edge, nodePort: 31380 }, { ingressReachable: false })
    expect(r.text).toContain(
      '  ERROR the ingress is not reachable at 127.0.0.1:30000 (connect ECONNREFUSED 127.0.0.1:30000); the book uses node port 30000 (the ingress Service gives HTTP node port 31380)',
    )
    expect(r.text).toContain(
      '  ERROR the ingress Service gives HTTP node port 31380, but requests go to 127.0.0.1:30000: pass --ingress with the node port your cluster publishes',
    )
    expect(r.out.at(-1)).toBe(
      'exit 2: cannot tell: nothing could be measured through the ingress at 127.0.0.1:30000',
    )
    expect(r.code).toBe(2)
    expect(r.fake.probes).toEqual([])
  })
})

describe('check verdicts', () => {
  it('exit 1 when the behaviour does not match the live configuration, with the hint and its command for this context', async () => {
    const r = await check(
      { files: filesUpTo('subset-v1/all-to-v1') },
      {
        configure: (fake) => {
          let n = 0
          fake.override = () => (++n === 100 ? 'v2' : undefined)
        },
      },
    )
    expect(r.text).toMatch(/FAIL edge: 1 of \d+ responses were v2 \(first at request \d+\); expected only v1/)
    expect(r.text).toContain(
      '       hint: Compare VirtualService catalog-vs-from-gw with what the gateway holds: `istioctl --context learner proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`',
    )
    expect(r.out.at(-1)).toBe('exit 1: 1 of 1 checks failed: the behaviour does not match the configuration')
    expect(r.code).toBe(1)
  })

  it('only among the scenarios named: a lab at 90/10 is no step of edge-routing', async () => {
    const named = await check({ files: filesUpTo('weighted-shift/90-10') }, { argv: ['weighted-shift'] })
    expect(named.code).toBe(0)
    const other = await check({ files: filesUpTo('weighted-shift/90-10') }, { argv: ['edge-routing'] })
    expect(other.text).toContain(
      'closest step: 5.2.2 Route edge traffic to catalog through the ingress gateway (step catalog-at-the-edge); what differs:',
    )
    expect(other.text).toContain(
      '  Gateway catalog-gateway is missing (the book applies it with apps/catalog.yaml, ch5/edge-gateway.yaml, ch5/edge-vs-catalog.yaml)',
    )
    expect(other.code).toBe(1)
  })

  it('in Korean with --lang ko or LANG=ko_KR.UTF-8, terms and commands as Istio writes them', async () => {
    for (const options of [{ argv: ['--lang', 'ko'] }, { env: { LANG: 'ko_KR.UTF-8' } }]) {
      const r = await check(
        { files: filesUpTo('edge-header-routing/cohort-to-v2'), without: ['Deployment/catalog-v2'] },
        options,
      )
      expect(r.out[0]).toMatch(
        /^context learner \(.*\), Istio 1\.17\.8, 네임스페이스 istioinaction: 읽기만 합니다/,
      )
      expect(r.text).toContain('단계: ')
      expect(r.text).toContain(
        '  오류 DestinationRule catalog: subset version-v2이(가) 실행 중인 파드를 하나도 고르지 않습니다 (app=catalog,version=v2): 여기로 가는 트래픽은 503으로 실패합니다',
      )
      expect(r.text).toMatch(/통과 edge: 응답 688개가 모두 v1\(이\)었습니다/)
    }
  })

  it('refuses (exit 2) a lab namespace that does not exist, with the commands that create it', async () => {
    const error = await check({ files: [], namespaceLabels: null }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toBe(
      'namespace istioinaction does not exist in context learner: there is no lab to check',
    )
    expect((error as UsageError).fix).toContain('`kubectl create namespace istioinaction`')
  })

  it('refuses an unknown scenario id and a context the kubeconfig lacks, before contacting anything', async () => {
    const deps = { env: {} } as unknown as CheckDeps
    await expect(checkCommand(args(['check', 'no-such']), () => undefined, deps)).rejects.toThrow(
      "unknown scenario 'no-such'",
    )
    const kubeconfig = writeKubeconfig({ currentContext: CONTEXT, contexts: [CONTEXT] })
    await expect(
      checkCommand(args(['check', '--context', 'other', '--kubeconfig', kubeconfig]), () => undefined, deps),
    ).rejects.toThrow("context 'other' is not in the kubeconfig")
  })

  it('cannot tell (exit 2) when the lab cannot be read, and says what permission it needs', async () => {
    const api = await startFakeApiServer((req, res) => {
      if (req.url === '/version') json(res, 200, { gitVersion: 'v1.30.0' })
      else if (req.url === '/api/v1/namespaces/istioinaction')
        json(res, 200, { metadata: { name: 'istioinaction', labels: {} } })
      else if (req.url.startsWith('/api/v1/namespaces/istioinaction/pods'))
        json(res, 403, {
          kind: 'Status',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: 'pods is forbidden',
        })
      else return false
      return true
    })
    try {
      const err: string[] = []
      const kubeconfig = writeKubeconfig({ currentContext: CONTEXT, contexts: [CONTEXT], server: api.url })
      const code = await main(['check', '--kubeconfig', kubeconfig], {
        out: () => undefined,
        err: (t) => err.push(t),
      })
      expect(code).toBe(2)
      expect(err[0]).toMatch(/^error: cannot read the lab in context learner: /)
      expect(err[1]).toContain('may get and list pods')
      expect(api.requests.filter((r) => MUTATING.has(r.method))).toEqual([])
    } finally {
      await api.close()
    }
  })

  it('has help, and needs no opt-in flag for any context', async () => {
    const out: string[] = []
    expect(await main(['check', '--help'], { out: (t) => out.push(t), err: () => undefined })).toBe(0)
    expect(out.join('\n')).toContain(
      'check [scenario-id...] [--context NAME] [--kubeconfig PATH] [--ingress HOST:PORT] [--lang ko]',
    )
    expect(out.join('\n')).not.toContain('allow-existing-cluster')
  })
})
