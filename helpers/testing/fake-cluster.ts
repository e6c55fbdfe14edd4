import type { HealthObservations, ProfileRecord } from '../../cluster/health.js'
import type { Profile } from '../../cluster/profiles.js'
import { type ClusterApi, type ClusterCli, normalizeImage } from '../../cluster/up.js'

/** A promise the test settles: a body that waits on it ends when the test decides. */
export class Gate {
  readonly promise: Promise<void>
  private settle: { open: () => void; fail: (e: Error) => void } = { open: () => {}, fail: () => {} }
  constructor() {
    this.promise = new Promise<void>((open, fail) => {
      this.settle = { open, fail }
    })
  }
  open(): void {
    this.settle.open()
  }
  fail(error: Error): void {
    this.settle.fail(error)
  }
}

/** A call held by the test: `reached` resolves when the call arrives; it returns once released. */
export interface Held {
  readonly reached: Promise<void>
  release(): void
  fail(error: Error): void
}

/** The calls that start containers in the node, and so need their images there. */
export type Starter = 'istioInstall' | 'applyYaml prometheus' | 'flaggerInstall' | 'writeRecord'

/**
 * The images each starter runs in a profile, told apart by repository, independently of the
 * `pulledBy` records `up` reads: Istio's install runs pilot and proxyv2, the Prometheus addon
 * its server and reloader, the chart Flagger; the record says the cluster is ready for `run`,
 * which starts the book's apps.
 */
export function startersOf(profile: Profile): Readonly<Record<Starter, readonly string[]>> {
  const images = profile.images.map((i) => i.image)
  return {
    istioInstall: images.filter((i) => /\/istio\/(pilot|proxyv2):/.test(i)),
    'applyYaml prometheus': images.filter((i) => /prometheus|configmap-reload/.test(i)),
    flaggerInstall: images.filter((i) => /\/fluxcd\/flagger:/.test(i)),
    writeRecord: images.filter((i) => /\/istioinaction\//.test(i)),
  }
}

/**
 * An in-memory stand-in for kind, docker, istioctl, helm and the cluster API. It records
 * every call in order and simulates their effects, so `up`/`down` can be tested offline.
 * A test can hold any call (`hold`) to decide when it ends, and, given the images each
 * install runs (`starts`), the fake records every image the node would have had to pull
 * itself because it was not loaded yet (`nodePulled`).
 */
export class FakeCluster implements ClusterCli {
  readonly calls: string[] = []
  clusters: string[] = []
  hostImages = new Set<string>()
  nodeImages = new Set<string>()
  record: ProfileRecord | undefined
  serverVersion = 'v1.26.15'
  installed = new Set<string>()
  namespaces = new Set<string>()
  namespaceLabelled = false
  crds = false
  applied: string[] = []
  /** Make a step fail: the call name, e.g. 'istioInstall', or name and detail, e.g. 'kindLoadImage <image>'. */
  failOn: string | undefined
  /** Images each starter runs; empty unless the test says (see `startersOf`). */
  starts: Partial<Record<Starter, readonly string[]>> = {}
  /** Images a starter ran before they were in the node: the node would have pulled them from the internet. */
  readonly nodePulled: string[] = []
  /** Calls under way (arrived, not yet returned). */
  readonly inFlight = new Set<string>()
  private readonly holds = new Map<string, { reached: Gate; gate: Gate }>()

  constructor(profile?: Profile) {
    if (profile) this.starts = startersOf(profile)
  }

  /** Holds the next call named `call` ('istioInstall') or named with its detail ('kindLoadImage <image>'). */
  hold(call: string): Held {
    const h = { reached: new Gate(), gate: new Gate() }
    this.holds.set(call, h)
    return {
      reached: h.reached.promise,
      release: () => h.gate.open(),
      fail: (e) => h.gate.fail(e),
    }
  }

  private async call(name: string, detail = ''): Promise<void> {
    const full = detail ? `${name} ${detail}` : name
    this.calls.push(full)
    if (this.failOn === name || this.failOn === full) throw new Error(`${full} failed (simulated)`)
    const h = this.holds.get(full) ?? this.holds.get(name)
    if (!h) return
    this.holds.delete(this.holds.get(full) ? full : name)
    this.inFlight.add(full)
    h.reached.open()
    try {
      await h.gate.promise
    } finally {
      this.inFlight.delete(full)
    }
  }

  private start(starter: Starter): void {
    for (const image of this.starts[starter] ?? [])
      if (!this.nodeImages.has(normalizeImage(image))) this.nodePulled.push(`${starter}: ${image}`)
  }

  async kindClusters() {
    await this.call('kindClusters')
    return [...this.clusters]
  }
  async kindCreate(name: string, configYaml: string) {
    await this.call('kindCreate', name)
    this.applied.push(configYaml)
    this.clusters.push(name)
  }
  async kindDelete(name: string) {
    await this.call('kindDelete', name)
    this.clusters = this.clusters.filter((c) => c !== name)
  }
  async kindExportKubeconfig(name: string) {
    await this.call('kindExportKubeconfig', name)
  }
  async kindNodeImages(_name: string) {
    await this.call('kindNodeImages')
    return [...this.nodeImages]
  }
  async kindLoadImage(_name: string, image: string) {
    await this.call('kindLoadImage', image)
    if (!this.hostImages.has(image)) throw new Error(`kind load: image ${image} not present locally`)
    this.nodeImages.add(normalizeImage(image))
  }
  async dockerHasImage(image: string) {
    return this.hostImages.has(image)
  }
  async dockerPull(image: string) {
    await this.call('dockerPull', image)
    this.hostImages.add(image)
  }
  async istioInstall(overlayYaml: string) {
    await this.call('istioInstall')
    this.start('istioInstall')
    this.applied.push(overlayYaml)
    this.namespaces.add('istio-system')
    this.installed.add('istiod').add('istio-ingressgateway')
  }
  async flaggerCrds() {
    await this.call('flaggerCrds')
    return 'kind: CustomResourceDefinition # canaries.flagger.app\n'
  }
  async flaggerInstall() {
    await this.call('flaggerInstall')
    // helm --namespace istio-system, without --create-namespace
    if (!this.namespaces.has('istio-system'))
      throw new Error('helm: create: failed to create: namespaces "istio-system" not found')
    this.start('flaggerInstall')
    // Flagger exits at start without its CRDs, so its Deployment never becomes ready.
    if (this.crds) this.installed.add('flagger')
  }
  async prometheusAddon() {
    await this.call('prometheusAddon')
    return 'kind: Deployment # prometheus\n'
  }

  /** The API side of the same fake cluster. */
  api(): ClusterApi {
    return {
      serverVersion: async () => this.serverVersion,
      readRecord: async () => this.record,
      writeRecord: async (record) => {
        await this.call('writeRecord', record.profile)
        this.start('writeRecord')
        this.record = record
      },
      applyYaml: async (text) => {
        const namespace = /kind: Namespace\nmetadata:\n {2}name: (\S+)/.exec(text)?.[1]
        await this.call(
          'applyYaml',
          namespace ? `namespace ${namespace}` : (/# (\S+)/.exec(text)?.[1] ?? 'yaml'),
        )
        this.applied.push(text)
        if (namespace) {
          this.namespaces.add(namespace)
          if (namespace === 'istioinaction' && text.includes('istio-injection: enabled'))
            this.namespaceLabelled = true
        }
        if (text.includes('# canaries.flagger.app')) this.crds = true
        if (text.includes('# prometheus')) {
          if (!this.namespaces.has('istio-system'))
            throw new Error('Kubernetes API answered 404: namespaces "istio-system" not found')
          this.start('applyYaml prometheus')
          this.installed.add('prometheus')
        }
      },
      waitForDeployments: async (namespace, names) => {
        await this.call('waitForDeployments', `${namespace}/${names.join(',')}`)
        const missing = names.filter((n) => !this.installed.has(n))
        if (missing.length) throw new Error(`never ready: ${missing.join(', ')}`)
      },
      observeHealth: async (): Promise<HealthObservations> => ({
        deployments: Object.fromEntries(
          ['istiod', 'istio-ingressgateway', 'prometheus', 'flagger'].map((n) => [
            n,
            this.installed.has(n) ? { ready: true, state: 'ok' } : undefined,
          ]),
        ),
        ...(this.installed.has('istio-ingressgateway')
          ? {
              ingressService: {
                type: 'NodePort',
                ports: [
                  { name: 'status-port', nodePort: 31000 },
                  { name: 'http2', nodePort: 30000 },
                  { name: 'https', nodePort: 30005 },
                ],
              },
            }
          : {}),
        ...(this.namespaceLabelled ? { namespaceLabels: { 'istio-injection': 'enabled' } } : {}),
      }),
    }
  }
}
