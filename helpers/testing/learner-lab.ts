import type { KubernetesObject } from '@kubernetes/client-node'
import { stringify } from 'yaml'
import { refOf } from '../kube/client.js'
import { STEP_KINDS } from '../learn/normalize.js'
import type { LabSnapshot, LiveObject, PodFacts, ServiceFacts } from '../learn/snapshot.js'
import { matchesLabels } from '../learn/snapshot.js'
import { loadManifest } from '../manifests/load.js'
import { startFakeApiServer } from './fake-apiserver.js'
import { json, type RecordedRequest } from './recording-server.js'

/**
 * A learner's lab as `check` finds it: the book's manifests applied by hand (with whatever
 * mistake a test asks for), the pods their Deployments would run (with istio-proxy where
 * injection is on), the ingress gateway as Istio installs it (istio-system, node port 30000).
 * As a snapshot for the pure side, and as a fake API server holding it for the command.
 */
export interface Learner {
  /** Manifest files applied, relative to manifests/. */
  readonly files?: readonly string[]
  /** Objects applied after the files (same kind and name replace a file's). */
  readonly objects?: readonly (KubernetesObject & { readonly spec?: unknown })[]
  /** Objects to leave out, as Kind/name. */
  readonly without?: readonly string[]
  /** The namespace's labels; default istio-injection=enabled. */
  readonly namespaceLabels?: Readonly<Record<string, string>> | null
  /** Deployments whose pods run without istio-proxy (started before injection, or opted out). */
  readonly noProxy?: readonly string[]
  readonly meshPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY'
  /** The ingress gateway pods' labels (default: as Istio's default profile installs them). */
  readonly gatewayLabels?: Readonly<Record<string, string>>
  readonly nodePort?: number
  readonly istio?: string
}

const NS = 'istioinaction'
/** The kinds `check` reads as a step's objects: the ones the learner tooling recognises. */
const ISTIO_KINDS: ReadonlySet<string> = new Set(STEP_KINDS)
const INGRESS_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' }

type Obj = KubernetesObject & { spec?: Record<string, unknown> }
const key = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}`

/** Every object the learner applied, files first, then the test's own. */
export function learnerObjects(learner: Learner): KubernetesObject[] {
  const byKey = new Map<string, KubernetesObject>()
  for (const f of learner.files ?? []) for (const o of loadManifest(f)) byKey.set(key(o), o)
  for (const o of learner.objects ?? []) byKey.set(key(o), o)
  for (const k of learner.without ?? []) byKey.delete(k)
  return [...byKey.values()]
}

interface Template {
  metadata?: { labels?: Record<string, string> }
  spec?: { containers?: { name: string; env?: { name: string; value?: string }[] }[] }
}

function podsOf(learner: Learner, objects: readonly KubernetesObject[]): PodFacts[] {
  const injected =
    (learner.namespaceLabels === undefined
      ? { 'istio-injection': 'enabled' }
      : (learner.namespaceLabels ?? {}))['istio-injection'] === 'enabled'
  return (objects as Obj[])
    .filter((o) => o.kind === 'Deployment')
    .map((d) => {
      const template = (d.spec?.template ?? {}) as Template
      const containers = template.spec?.containers ?? []
      const proxy = injected && !(learner.noProxy ?? []).includes(d.metadata?.name ?? '')
      return {
        name: `${d.metadata?.name}-7d9c5b6f4-x2x9q`,
        namespace: NS,
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': '7d9c5b6f4' },
        containers: [...containers.map((c) => c.name), ...(proxy ? ['istio-proxy'] : [])],
        initContainers: proxy ? ['istio-init'] : [],
        env: Object.fromEntries(
          containers.map((c) => [
            c.name,
            Object.fromEntries(
              (c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
            ),
          ]),
        ),
        phase: 'Running',
        ready: true,
      }
    })
}

function servicesOf(objects: readonly KubernetesObject[]): ServiceFacts[] {
  return (objects as Obj[])
    .filter((o) => o.kind === 'Service')
    .map((s) => ({
      name: s.metadata?.name ?? '',
      namespace: NS,
      type: 'ClusterIP',
      selector: (s.spec?.selector as Record<string, string>) ?? {},
      labels: s.metadata?.labels ?? {},
      ports: ((s.spec?.ports as { name?: string; port: number; targetPort?: number }[]) ?? []).map((p) => ({
        ...p,
      })),
    }))
}

const INGRESS_POD = (labels: Readonly<Record<string, string>>): PodFacts => ({
  name: 'istio-ingressgateway-5d8f7c9b8-abcde',
  namespace: 'istio-system',
  labels,
  containers: ['istio-proxy'],
  initContainers: [],
  env: { 'istio-proxy': {} },
  phase: 'Running',
  ready: true,
})

const INGRESS_SERVICE = (nodePort: number): ServiceFacts => ({
  name: 'istio-ingressgateway',
  namespace: 'istio-system',
  type: 'NodePort',
  selector: INGRESS_LABELS,
  labels: INGRESS_LABELS,
  ports: [
    { name: 'status-port', port: 15021, targetPort: 15021, nodePort: 31021 },
    { name: 'http2', port: 80, targetPort: 8080, nodePort },
    { name: 'https', port: 443, targetPort: 8443, nodePort: 30005 },
  ],
})

/** What `check` would read from this lab, built directly (for the pure side's tests). */
export function learnerSnapshot(learner: Learner): LabSnapshot {
  const objects = learnerObjects(learner)
  const ingressPods = [INGRESS_POD(learner.gatewayLabels ?? INGRESS_LABELS)]
  const istio = objects.filter((o) => ISTIO_KINDS.has(o.kind ?? '')) as unknown as LiveObject[]
  const gatewayPods: Record<string, PodFacts[]> = {}
  for (const selector of new Set([
    'istio=ingressgateway',
    ...istio
      .filter((o) => o.kind === 'Gateway')
      .map((g) =>
        Object.entries((g.spec as { selector?: Record<string, string> }).selector ?? {})
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      ),
  ])) {
    const wanted = Object.fromEntries(
      selector
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string]),
    )
    gatewayPods[selector] = ingressPods.filter((p) => matchesLabels(p.labels, wanted))
  }
  return {
    namespace: NS,
    namespaceLabels:
      learner.namespaceLabels === null
        ? undefined
        : (learner.namespaceLabels ?? { 'istio-injection': 'enabled' }),
    objects: istio,
    pods: podsOf(learner, objects),
    services: servicesOf(objects),
    gatewayPods,
    ingressServices: [INGRESS_SERVICE(learner.nodePort ?? 30000)],
    meshOutboundPolicy: learner.meshPolicy ?? 'ALLOW_ANY',
    istioVersion: learner.istio ?? '1.17.8',
  }
}

const PLURALS: Record<string, string> = {
  gateways: 'Gateway',
  virtualservices: 'VirtualService',
  destinationrules: 'DestinationRule',
  serviceentries: 'ServiceEntry',
  sidecars: 'Sidecar',
  telemetries: 'Telemetry',
  canaries: 'Canary',
}

const podObject = (p: PodFacts) => ({
  metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
  spec: {
    containers: p.containers.map((name) => ({
      name,
      env: Object.entries(p.env[name] ?? {}).map(([k, v]) => ({ name: k, value: v })),
    })),
    initContainers: p.initContainers.map((name) => ({ name })),
  },
  status: { phase: p.phase, conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
})

const serviceObject = (s: ServiceFacts) => ({
  metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
  spec: { type: s.type, selector: s.selector, ports: s.ports },
})

const selectorOf = (url: string) =>
  Object.fromEntries(
    (new URL(url, 'http://x').searchParams.get('labelSelector') ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  )

/**
 * A fake API server holding the learner's lab: discovery of the Istio, Telemetry and Flagger
 * groups, the namespace, istiod, the mesh config, pods, Services and the Istio objects, as
 * GETs; it records every request, so a test can prove `check` sent nothing else.
 */
export async function startLearnerApiServer(learner: Learner, options: { flagger?: boolean } = {}) {
  const snapshot = learnerSnapshot(learner)
  const objects = learnerObjects(learner)
  const istioObjects = objects.filter((o) => ISTIO_KINDS.has(o.kind ?? ''))
  const ingressPods = Object.values(snapshot.gatewayPods).flat()
  const allPods = [...snapshot.pods, ...new Map(ingressPods.map((p) => [p.name, p])).values()]
  const answer = (req: RecordedRequest, res: Parameters<typeof json>[0]): boolean => {
    if (req.method !== 'GET') return false
    const path = req.url.split('?')[0] ?? ''
    const reply = (body: unknown) => {
      json(res, 200, body)
      return true
    }
    if (path === '/version') return reply({ gitVersion: 'v1.26.15' })
    if (path === `/api/v1/namespaces/${NS}`) {
      if (snapshot.namespaceLabels === undefined) return false
      return reply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NS, labels: snapshot.namespaceLabels },
      })
    }
    if (path === '/apis/apps/v1/namespaces/istio-system/deployments/istiod')
      return reply({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'istiod', namespace: 'istio-system' },
        spec: {
          selector: { matchLabels: { app: 'istiod' } },
          template: {
            spec: {
              containers: [{ name: 'discovery', image: `docker.io/istio/pilot:${snapshot.istioVersion}` }],
            },
          },
        },
      })
    if (path === '/api/v1/namespaces/istio-system/configmaps/istio')
      return reply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: {
          mesh: stringify({
            accessLogFile: '/dev/stdout',
            outboundTrafficPolicy: { mode: snapshot.meshOutboundPolicy },
          }),
        },
      })
    if (path === `/api/v1/namespaces/${NS}/pods`)
      return reply({ kind: 'PodList', items: snapshot.pods.map(podObject) })
    if (path === `/api/v1/namespaces/${NS}/services`)
      return reply({ kind: 'ServiceList', items: snapshot.services.map(serviceObject) })
    if (path === '/api/v1/pods') {
      const wanted = selectorOf(req.url)
      return reply({
        kind: 'PodList',
        items: allPods.filter((p) => matchesLabels(p.labels, wanted)).map(podObject),
      })
    }
    if (path === '/api/v1/services') {
      const wanted = selectorOf(req.url)
      return reply({
        kind: 'ServiceList',
        items: snapshot.ingressServices.filter((s) => matchesLabels(s.labels, wanted)).map(serviceObject),
      })
    }
    const list = /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/istioinaction\/([a-z]+)$/.exec(path)
    if (list) {
      const kind = PLURALS[list[3] as string]
      if (!kind || (kind === 'Canary' && !options.flagger)) return false
      return reply({
        kind: `${kind}List`,
        items: istioObjects
          .filter((o) => o.kind === kind)
          .map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
      })
    }
    return false
  }
  const resource = (name: string, kind: string) => ({ name, kind, namespaced: true })
  return startFakeApiServer(answer, {
    '/apis/telemetry.istio.io/v1alpha1': [resource('telemetries', 'Telemetry')],
    ...(options.flagger ? { '/apis/flagger.app/v1beta1': [resource('canaries', 'Canary')] } : {}),
  })
}

/** The refs of the learner's objects (for assertions). */
export const refsOf = (objects: readonly KubernetesObject[]) => objects.map((o) => refOf(o))
