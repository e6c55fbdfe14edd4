import type { HealthObservations, ProfileRecord } from '../../cluster/health.js'
import { type ClusterApi, type ClusterCli, normalizeImage } from '../../cluster/up.js'

/**
 * An in-memory stand-in for kind, docker, istioctl, helm and the cluster API. It records
 * every call in order and simulates their effects, so `up`/`down` can be tested offline.
 */
export class FakeCluster implements ClusterCli {
  readonly calls: string[] = []
  clusters: string[] = []
  hostImages = new Set<string>()
  nodeImages = new Set<string>()
  record: ProfileRecord | undefined
  serverVersion = 'v1.26.15'
  installed = new Set<string>()
  namespaceLabelled = false
  applied: string[] = []
  /** Make a step fail: the call name, e.g. 'istioInstall'. */
  failOn: string | undefined

  private call(name: string, detail = ''): void {
    this.calls.push(detail ? `${name} ${detail}` : name)
    if (this.failOn === name) throw new Error(`${name} failed (simulated)`)
  }

  async kindClusters() {
    this.call('kindClusters')
    return [...this.clusters]
  }
  async kindCreate(name: string, configYaml: string) {
    this.call('kindCreate', name)
    this.applied.push(configYaml)
    this.clusters.push(name)
  }
  async kindDelete(name: string) {
    this.call('kindDelete', name)
    this.clusters = this.clusters.filter((c) => c !== name)
  }
  async kindExportKubeconfig(name: string) {
    this.call('kindExportKubeconfig', name)
  }
  async kindNodeImages(_name: string) {
    this.call('kindNodeImages')
    return [...this.nodeImages]
  }
  async kindLoadImage(_name: string, image: string) {
    this.call('kindLoadImage', image)
    this.nodeImages.add(normalizeImage(image))
  }
  async dockerHasImage(image: string) {
    return this.hostImages.has(image)
  }
  async dockerPull(image: string) {
    this.call('dockerPull', image)
    this.hostImages.add(image)
  }
  async istioInstall(overlayYaml: string) {
    this.call('istioInstall')
    this.applied.push(overlayYaml)
    this.installed.add('istiod').add('istio-ingressgateway')
  }
  async flaggerCrds() {
    this.call('flaggerCrds')
    return 'kind: CustomResourceDefinition # canaries.flagger.app\n'
  }
  async flaggerInstall() {
    this.call('flaggerInstall')
    this.installed.add('flagger')
  }
  async prometheusAddon() {
    this.call('prometheusAddon')
    return 'kind: Deployment # prometheus\n'
  }

  /** The API side of the same fake cluster. */
  api(): ClusterApi {
    return {
      serverVersion: async () => this.serverVersion,
      readRecord: async () => this.record,
      writeRecord: async (record) => {
        this.call('writeRecord', record.profile)
        this.record = record
      },
      applyYaml: async (text) => {
        this.call(
          'applyYaml',
          text.includes('Namespace') ? 'namespace' : (/# (\S+)/.exec(text)?.[1] ?? 'yaml'),
        )
        this.applied.push(text)
        if (text.includes('kind: Namespace')) this.namespaceLabelled = true
        if (text.includes('# prometheus')) this.installed.add('prometheus')
      },
      waitForDeployments: async (namespace, names) => {
        this.call('waitForDeployments', `${namespace}/${names.join(',')}`)
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
