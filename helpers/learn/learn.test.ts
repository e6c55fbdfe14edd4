import { describe, expect, it } from 'vitest'
import { SCENARIOS } from '../../suites/index.js'
import { registrySteps } from '../cli/commands/check.js'
import { learnerSnapshot } from '../testing/learner-lab.js'
import { analyzeArgs, chooseIstioctl, parseAnalyzeJson, sortMessages } from './analyze.js'
import { commandFor, commandsIn, forCluster } from './commands.js'
import { describeStep } from './describe.js'
import { deriveExpectations, type Expectation } from './expect.js'
import { findMistakes } from './mistakes.js'
import { canonicalObject, differences, routeShares } from './normalize.js'
import { droppedRules, translatedRules } from './routing.js'
import { liveState, recognise } from './steps.js'

const STEPS = registrySteps()

/** The files a learner has applied after following a scenario up to one of its sets. */
function filesUpTo(stepId: string): string[] {
  const [scenarioId, setName] = stepId.split('/')
  const scenario = SCENARIOS.find((s) => s.id === scenarioId)
  const sets = scenario?.manifestSets ?? []
  const upTo = sets.slice(0, sets.findIndex((s) => s.name === setName) + 1)
  return [...new Set(upTo.flatMap((s) => s.files))]
}

describe('the steps of chapter 5', () => {
  it('come from the registry in book order, one per manifest set that changes an Istio object', () => {
    expect(STEPS.map((s) => s.id)).toEqual([
      'edge-routing/catalog-at-the-edge',
      'subset-v1/v1-and-v2-at-the-edge',
      'subset-v1/all-to-v1',
      'edge-header-routing/v1-and-v2-at-the-edge',
      'edge-header-routing/cohort-to-v2',
      'edge-route-order/v1-and-v2-at-the-edge',
      'edge-route-order/header-rule-first',
      'edge-route-order/catch-all-first',
      'mesh-routing/v1-and-v2-behind-webapp',
      'mesh-routing/all-to-v1',
      'mesh-header-routing/v1-and-v2-behind-webapp',
      'mesh-header-routing/cohort-to-v2',
      'weighted-shift/v1-and-v2-behind-webapp',
      'weighted-shift/90-10',
      'weighted-shift/50-50',
      'weighted-shift/0-100',
      'flagger-canary/catalog-v1-behind-webapp',
      'flagger-canary/canary',
      'flagger-rollback/catalog-v1-behind-webapp',
      'flagger-rollback/canary',
      'mirroring/v1-and-v2-behind-webapp',
      'mirroring/mirror-to-v2',
      'egress-registry-only/webapp-forum-catalog',
      'egress-registry-only/registry-only',
      'service-entry/webapp-forum-catalog',
      'service-entry/registry-only',
      'service-entry/service-entry',
    ])
  })

  it.each(STEPS.map((s) => [s.id, s] as const))(
    'a lab at %s is recognised as that step (or one with the same state)',
    (id, s) => {
      const snapshot = learnerSnapshot({
        files: filesUpTo(id),
        meshPolicy: s.registryOnly ? 'REGISTRY_ONLY' : 'ALLOW_ANY',
      })
      const r = recognise(STEPS, liveState(snapshot))
      expect(r.kind).toBe('exact')
      if (r.kind !== 'exact') return
      expect(r.match.step.signature).toBe(s.signature)
      // Of steps with one state, the first in the book is named and the others listed.
      expect([r.match.step, ...r.sameAs].map((x) => x.id)).toContain(id)
      expect(r.match.step.order).toBeLessThanOrEqual(s.order)
    },
  )

  it('names the header step at the edge with what distinguishes it', () => {
    const snapshot = learnerSnapshot({ files: filesUpTo('edge-header-routing/cohort-to-v2') })
    const r = recognise(STEPS, liveState(snapshot))
    if (r.kind !== 'exact') throw new Error('expected a step')
    expect(r.match.step.id).toBe('edge-header-routing/cohort-to-v2')
    expect(r.sameAs.map((s) => s.id)).toEqual(['edge-route-order/header-rule-first'])
    expect(describeStep(r.match.step, 'en', 'istioinaction')).toBe(
      '5.2.5 Dark-launch catalog v2 at the edge with the x-istio-cohort header (step cohort-to-v2): VirtualService catalog-vs-from-gw (catalog.istioinaction.io via catalog-gateway): matches x-istio-cohort: internal -> version-v2; otherwise -> version-v1',
    )
    expect(describeStep(r.match.step, 'ko', 'istioinaction')).toContain(
      'x-istio-cohort: internal이면 -> version-v2',
    )
  })

  it('is tolerant of noise: metadata, apiVersion, FQDN hosts, host order, weights written 9/1', () => {
    const snapshot = learnerSnapshot({
      files: filesUpTo('weighted-shift/v1-and-v2-behind-webapp'),
      objects: [
        {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: {
            name: 'catalog',
            namespace: 'istioinaction',
            uid: 'x',
            resourceVersion: '42',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
          },
          spec: {
            gateways: ['mesh'],
            hosts: ['catalog.istioinaction.svc.cluster.local'],
            http: [
              {
                route: [
                  {
                    destination: {
                      host: 'catalog.istioinaction.svc.cluster.local',
                      subset: 'version-v2',
                      port: { number: 80 },
                    },
                    weight: 1,
                  },
                  { destination: { host: 'catalog', subset: 'version-v1' }, weight: 9 },
                ],
              },
            ],
          },
        } as never,
      ],
    })
    const r = recognise(STEPS, liveState(snapshot))
    expect(r.kind === 'exact' && r.match.step.id).toBe('weighted-shift/90-10')
  })

  it('says a lab matches no step, names the closest and exactly what differs', () => {
    const snapshot = learnerSnapshot({
      files: [...filesUpTo('weighted-shift/v1-and-v2-behind-webapp'), 'ch5/mesh-vs-catalog-90-10.yaml'],
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
                  { destination: { host: 'catalog', subset: 'version-v1' }, weight: 80 },
                  { destination: { host: 'catalog', subset: 'version-v2' }, weight: 20 },
                ],
              },
            ],
          },
        } as never,
      ],
    })
    const r = recognise(STEPS, liveState(snapshot))
    expect(r.kind).toBe('none')
    if (r.kind !== 'none' || !r.closest) return
    expect(r.closest.step.id).toBe('weighted-shift/90-10')
    const vs = r.closest.objects.find((o) => o.kind === 'VirtualService' && o.name === 'catalog')
    expect(vs?.differences).toEqual([
      { path: 'http[0].route[0].share', live: '0.8', step: '0.9' },
      { path: 'http[0].route[1].share', live: '0.2', step: '0.1' },
    ])
  })

  it('needs the outbound policy a step sets, from the mesh config or a namespace Sidecar', () => {
    const files = filesUpTo('service-entry/service-entry')
    const open = recognise(
      STEPS,
      liveState(learnerSnapshot({ files: files.filter((f) => !f.includes('sidecar')) })),
    )
    expect(open.kind).toBe('none')
    if (open.kind === 'none') expect(open.closest?.policyDiffers).toBe(true)
    const bySidecar = recognise(STEPS, liveState(learnerSnapshot({ files })))
    expect(bySidecar.kind === 'exact' && bySidecar.match.step.id).toBe('service-entry/service-entry')
    const byMesh = liveState(
      learnerSnapshot({ files: files.filter((f) => !f.includes('sidecar')), meshPolicy: 'REGISTRY_ONLY' }),
    )
    expect(byMesh.policySource).toBe('mesh')
    expect(recognise(STEPS, byMesh).kind).toBe('exact')
  })

  it('accepts objects left unchanged from earlier steps, and names them', () => {
    const files = [...filesUpTo('edge-header-routing/cohort-to-v2'), ...filesUpTo('mesh-routing/all-to-v1')]
    const r = recognise(STEPS, liveState(learnerSnapshot({ files })))
    if (r.kind !== 'exact') throw new Error('expected a step')
    expect(r.match.step.id).toBe('mesh-routing/all-to-v1')
    expect(r.match.leftovers).toEqual(['Gateway/catalog-gateway', 'VirtualService/catalog-vs-from-gw'])
  })
})

describe('normalize', () => {
  it('gives each destination its share as istiod does: one takes all, zero weights drop out', () => {
    expect(routeShares([{ destination: { host: 'a' }, weight: 30 }]).map((s) => s.share)).toEqual([1])
    expect(
      routeShares([
        { destination: { host: 'a' }, weight: 0 },
        { destination: { host: 'b' }, weight: 100 },
      ]).map((s) => [s.destination.host, s.share]),
    ).toEqual([['b', 1]])
    expect(
      routeShares([
        { destination: { host: 'a' }, weight: 90 },
        { destination: { host: 'b' }, weight: 20 },
      ]).map((s) => Math.round(s.share * 1000)),
    ).toEqual([818, 182])
  })

  it('differences name the path and both values', () => {
    expect(differences({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }], c: true })).toEqual([
      { path: 'a[1].b', live: '"x"', step: '"y"' },
      { path: 'c', live: '(none)', step: 'true' },
    ])
  })

  it('ignores the fields the suite adds to the book Canary', () => {
    const a = canonicalObject(
      { kind: 'Canary', metadata: { name: 'c' }, spec: { analysis: { interval: '45s', threshold: 5 } } },
      'istioinaction',
    )
    const b = canonicalObject(
      {
        kind: 'Canary',
        metadata: { name: 'c' },
        spec: {
          revertOnDeletion: true,
          progressDeadlineSeconds: 60,
          analysis: { interval: '10s', threshold: 5 },
        },
      },
      'istioinaction',
    )
    expect(a).toEqual(b)
  })
})

describe('route translation (pilot route.go BuildHTTPRoutesForVirtualService)', () => {
  it('stops at the first rule without match, and at the first catch-all match', () => {
    const rules = [
      { route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] },
      { match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], route: [] },
    ]
    expect(translatedRules(rules).map((r) => r.index)).toEqual([0])
    expect(droppedRules(rules)).toEqual([1])
    expect(
      droppedRules([{ match: [{ uri: { prefix: '/' } }] }, { match: [{ uri: { prefix: '/x' } }] }]),
    ).toEqual([1])
    expect(droppedRules([{ match: [{ uri: { prefix: '/x' } }] }, {}])).toEqual([])
  })
})

const kinds = (es: readonly Expectation[]) =>
  es.map((e) =>
    e.kind === 'routing'
      ? `${e.id}: ${e.outcome.kind === 'only' ? e.outcome.version : e.outcome.kind === 'share' ? e.outcome.p0 : e.outcome.kind}`
      : `${e.id}: ${e.kind}`,
  )

describe('expectations derived from the live objects', () => {
  it('edge routing with v1 only: every response from v1', () => {
    const { expectations } = deriveExpectations(
      learnerSnapshot({ files: filesUpTo('edge-routing/catalog-at-the-edge') }),
    )
    expect(kinds(expectations)).toEqual(['edge: v1'])
  })

  it('the header at the edge: internal to v2, none and another value to v1, and the route order', () => {
    const { expectations } = deriveExpectations(
      learnerSnapshot({ files: filesUpTo('edge-header-routing/cohort-to-v2') }),
    )
    expect(kinds(expectations)).toEqual([
      'edge: v1',
      'edge-x-istio-cohort-internal: v2',
      'edge-x-istio-cohort-other: v1',
      'edge-route-order: route-order',
    ])
  })

  it('reversed rules: the header no longer reaches v2 (istiod dropped the rule)', () => {
    const { expectations } = deriveExpectations(
      learnerSnapshot({ files: filesUpTo('edge-route-order/catch-all-first') }),
    )
    expect(kinds(expectations)).toContain('edge-x-istio-cohort-internal: v1')
    expect(expectations.find((e) => e.kind === 'route-order')).toMatchObject({ expectHeaderFirst: false })
  })

  it('weights inside the mesh: a share with the route table that must hold it', () => {
    const { expectations } = deriveExpectations(learnerSnapshot({ files: filesUpTo('weighted-shift/90-10') }))
    const mesh = expectations.find((e) => e.id === 'mesh')
    expect(mesh).toMatchObject({
      kind: 'routing',
      outcome: { kind: 'share', p0: 0.1 },
      table: {
        query: { namespace: 'istioinaction', labelSelector: 'app=webapp', routeName: '80' },
        clusters: [
          { name: 'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local', share: 0.9 },
          { name: 'outbound|80|version-v2|catalog.istioinaction.svc.cluster.local', share: 0.1 },
        ],
      },
    })
  })

  it('mirroring: users see v1, and v2 receives the copies', () => {
    const { expectations } = deriveExpectations(
      learnerSnapshot({ files: filesUpTo('mirroring/mirror-to-v2') }),
    )
    expect(kinds(expectations)).toEqual(['mesh: v1', 'mesh-mirror: mirror'])
  })

  it('egress locked: /api/users blocked; with the ServiceEntry: allowed', () => {
    const locked = deriveExpectations(
      learnerSnapshot({
        files: filesUpTo('egress-registry-only/registry-only'),
        meshPolicy: 'REGISTRY_ONLY',
      }),
    )
    expect(locked.expectations.find((e) => e.kind === 'egress')).toMatchObject({
      blocked: true,
      policySource: 'mesh',
    })
    const allowed = deriveExpectations(learnerSnapshot({ files: filesUpTo('service-entry/service-entry') }))
    expect(allowed.expectations.find((e) => e.kind === 'egress')).toMatchObject({
      blocked: false,
      policySource: 'sidecar',
      serviceEntry: 'jsonplaceholder',
    })
  })

  it('says what it cannot predict: both versions behind a route without a subset', () => {
    const { expectations, unmeasured } = deriveExpectations(
      learnerSnapshot({ files: [...filesUpTo('edge-routing/catalog-at-the-edge'), 'apps/catalog-v2.yaml'] }),
    )
    expect(expectations).toEqual([])
    expect(unmeasured).toEqual([{ id: 'edge', why: 'mixed' }])
  })
})

const ids = (
  snapshotFiles: Parameters<typeof learnerSnapshot>[0],
  ingress?: Parameters<typeof findMistakes>[1],
) => findMistakes(learnerSnapshot(snapshotFiles), ingress).map((m) => m.id)

describe('typical mistakes, named before measuring', () => {
  const edge = filesUpTo('edge-header-routing/cohort-to-v2')

  it('none in a lab that follows the book', () => {
    expect(ids({ files: edge })).toEqual([])
    expect(ids({ files: filesUpTo('weighted-shift/90-10') })).toEqual([])
  })

  it('a namespace without sidecar injection, and its pods without istio-proxy', () => {
    expect(ids({ files: edge, namespaceLabels: {} })).toEqual([
      'namespace-not-injected',
      'pod-without-proxy',
      'pod-without-proxy',
    ])
    expect(ids({ files: edge, noProxy: ['catalog-v2'] })).toEqual(['pod-without-proxy'])
  })

  it('a subset whose labels match no pod', () => {
    const m = findMistakes(learnerSnapshot({ files: edge, without: ['Deployment/catalog-v2'] }))
    expect(m).toEqual([
      {
        id: 'subset-matches-no-pod',
        severity: 'error',
        vars: {
          rule: 'catalog',
          subset: 'version-v2',
          selector: 'app=catalog,version=v2',
          namespace: 'istioinaction',
        },
      },
    ])
  })

  it('a VirtualService naming a gateway that does not exist, or a host its gateway does not serve', () => {
    const vs = (gateways: string[], hosts: string[]) => ({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'catalog-vs-from-gw', namespace: 'istioinaction' },
      spec: { hosts, gateways, http: [{ route: [{ destination: { host: 'catalog' } }] }] },
    })
    expect(
      ids({
        files: filesUpTo('edge-routing/catalog-at-the-edge'),
        objects: [vs(['catalog-gw'], ['catalog.istioinaction.io'])],
      }),
    ).toEqual(['gateway-not-found'])
    expect(
      ids({
        files: filesUpTo('edge-routing/catalog-at-the-edge'),
        objects: [vs(['catalog-gateway'], ['catalog.example.io'])],
      }),
    ).toEqual(['host-not-on-gateway'])
  })

  it('a destination host no Service defines, and a subset no DestinationRule defines', () => {
    const vs = (host: string, subset: string) => ({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'catalog-vs-from-gw', namespace: 'istioinaction' },
      spec: {
        hosts: ['catalog.istioinaction.io'],
        gateways: ['catalog-gateway'],
        http: [{ route: [{ destination: { host, subset } }] }],
      },
    })
    expect(ids({ files: edge, objects: [vs('catalogue', 'version-v1')] })).toEqual(['destination-unknown'])
    expect(ids({ files: edge, objects: [vs('catalog', 'v1')] })).toEqual(['subset-undefined'])
  })

  it('a Gateway whose selector matches no gateway pod', () => {
    expect(ids({ files: edge, gatewayLabels: { app: 'istio-ingressgateway', istio: 'ingress' } })).toEqual([
      'gateway-selects-no-pod',
    ])
  })

  it('weights that do not add up to 100 (Istio accepts them and splits by weight over the total)', () => {
    const m = findMistakes(
      learnerSnapshot({
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
      }),
    )
    expect(m).toEqual([
      {
        id: 'weights-not-100',
        severity: 'warning',
        vars: { virtualService: 'catalog', rule: 1, total: 110, weights: 'version-v1=90, version-v2=20' },
      },
    ])
  })

  it('a rule made unreachable by an earlier catch-all', () => {
    expect(findMistakes(learnerSnapshot({ files: filesUpTo('edge-route-order/catch-all-first') }))).toEqual([
      {
        id: 'rule-unreachable',
        severity: 'warning',
        vars: { virtualService: 'catalog-vs-from-gw', rule: 2, after: 1 },
      },
    ])
  })

  it('the ingress not reachable on the port the book uses, and a node port that differs', () => {
    expect(
      ids(
        { files: edge, nodePort: 31380 },
        { address: '127.0.0.1', port: 30000, reachable: false, reason: 'ECONNREFUSED' },
      ),
    ).toEqual(['ingress-unreachable', 'ingress-port-differs'])
  })
})

describe('commands for the cluster at hand', () => {
  it('adds the context to kubectl and istioctl commands, and the gateway names where they differ', () => {
    const hint =
      'See `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` and `curl x`.'
    expect(forCluster(hint, { context: 'kind-lab' })).toBe(
      'See `istioctl --context kind-lab proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` and `curl x`.',
    )
    expect(
      commandFor('kubectl logs deploy/istio-ingressgateway -n istio-system', {
        context: 'my ctx',
        ingressNamespace: 'istio-ingress',
      }),
    ).toBe("kubectl --context 'my ctx' logs deploy/istio-ingressgateway -n istio-ingress")
    expect(
      commandFor(
        'istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080',
        { ingressRouteName: 'http.80' },
      ),
    ).toBe('istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.80')
    expect(commandsIn(hint)).toEqual([
      'istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json',
    ])
  })

  it('names the lab namespace of run --namespace; istio-system and the rest stay', () => {
    expect(
      forCluster(
        'See `kubectl logs deploy/webapp -n istioinaction -c istio-proxy` and `kubectl get configmap istio -n istio-system -o yaml`.',
        { namespace: 'itc-staging' },
      ),
    ).toBe(
      'See `kubectl logs deploy/webapp -n itc-staging -c istio-proxy` and `kubectl get configmap istio -n istio-system -o yaml`.',
    )
  })
})

describe('istioctl analyze, read', () => {
  it("parses analyze's JSON messages (istio pkg/config/analysis/diag Message.Unstructured)", () => {
    const out = JSON.stringify([
      {
        code: 'IST0130',
        documentationUrl:
          'https://istio.io/v1.17/docs/reference/config/analysis/ist0130/?ref=istioctl-analyze',
        level: 'Warning',
        message: 'VirtualService rule #1 not used (only the last rule can have no matches).',
        origin: 'VirtualService istioinaction/catalog-vs-from-gw',
      },
      {
        code: 'IST0102',
        level: 'Info',
        message: 'The namespace is not enabled for Istio injection.',
        origin: 'Namespace default',
      },
      { code: 'IST0101', level: 'Error', message: 'Referenced gateway not found: "catalog-gw"' },
    ])
    const parsed = parseAnalyzeJson(out)
    if ('problem' in parsed) throw new Error(parsed.problem)
    expect(sortMessages(parsed).map((m) => m.code)).toEqual(['IST0101', 'IST0130', 'IST0102'])
    expect(parseAnalyzeJson('[]')).toEqual([])
    expect(parseAnalyzeJson('null')).toEqual([])
    expect(parseAnalyzeJson('')).toEqual({ problem: 'istioctl printed nothing' })
    expect(parseAnalyzeJson('Error [IST0101] x')).toMatchObject({
      problem: expect.stringContaining('not JSON'),
    })
  })

  it('asks for one namespace on one context, as an argument array', () => {
    expect(analyzeArgs('istioinaction', 'kind-lab', '/tmp/k')).toEqual([
      'analyze',
      '-n',
      'istioinaction',
      '-o',
      'json',
      '--context',
      'kind-lab',
      '--kubeconfig',
      '/tmp/k',
    ])
  })

  it("uses the cluster's own istioctl version when pinned, else PATH's, else the newest installed; never downloads", () => {
    const installed = [
      { version: '1.17.8', path: '/t/istio-1.17.8/bin/istioctl' },
      { version: '1.31.1', path: '/t/istio-1.31.1/bin/istioctl' },
    ]
    expect(chooseIstioctl({ wanted: '1.17.8', onPath: '1.30.0', installed })).toBe(
      '/t/istio-1.17.8/bin/istioctl',
    )
    expect(chooseIstioctl({ wanted: '1.20.0', onPath: '1.30.0', installed })).toBe('istioctl')
    expect(chooseIstioctl({ wanted: '1.20.0', onPath: undefined, installed })).toBe(
      '/t/istio-1.31.1/bin/istioctl',
    )
    expect(chooseIstioctl({ wanted: '1.20.0', onPath: undefined, installed: [] })).toBeUndefined()
  })
})
