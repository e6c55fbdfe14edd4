import { UsageError } from '../helpers/errors.js'
import type { Phases } from '../helpers/progress.js'
import {
  APPS_NAMESPACE,
  decideUp,
  type HealthObservations,
  judgeHealth,
  type ProfileRecord,
  profileRecordOf,
  type UpDecision,
} from './health.js'
import { istioOperatorYaml } from './istio-operator.js'
import { kindConfigYaml } from './kind-config.js'
import { hostOnlyImages, nodePreloadImages, type Profile } from './profiles.js'

/** The external CLIs `up` and `down` drive (kind, docker, istioctl, helm). */
export interface ClusterCli {
  kindClusters(): Promise<string[]>
  kindCreate(name: string, configYaml: string): Promise<void>
  kindDelete(name: string): Promise<void>
  /** Writes the cluster's context into the kubeconfig (kind-<name>). */
  kindExportKubeconfig(name: string): Promise<void>
  /** Images already in the kind node's containerd. */
  kindNodeImages(name: string): Promise<string[]>
  kindLoadImage(name: string, image: string): Promise<void>
  dockerHasImage(image: string): Promise<boolean>
  dockerPull(image: string): Promise<void>
  istioInstall(overlayYaml: string): Promise<void>
  flaggerCrds(): Promise<string>
  flaggerInstall(): Promise<void>
  prometheusAddon(): Promise<string>
}

/** What `up` reads and writes through the Kubernetes API of the suite's cluster. */
export interface ClusterApi {
  serverVersion(): Promise<string>
  readRecord(): Promise<ProfileRecord | undefined>
  writeRecord(record: ProfileRecord): Promise<void>
  applyYaml(text: string): Promise<void>
  waitForDeployments(namespace: string, names: readonly string[], timeoutMs: number): Promise<void>
  observeHealth(): Promise<HealthObservations>
}

export interface UpDeps {
  readonly cli: ClusterCli
  /** Connects to the cluster's API; only called once the cluster exists. */
  readonly api: () => Promise<ClusterApi>
  readonly phases: Phases
  readonly now?: () => Date
  /**
   * Runs once the existing cluster is connected, before it is judged: undoes what an
   * interrupted run left in the change journal.
   */
  readonly recover?: () => Promise<void>
  /** Runs when the cluster is created anew: an old journal no longer applies. */
  readonly created?: () => void
}

export interface UpResult {
  readonly decision: UpDecision
  readonly record: ProfileRecord
}

const MINUTES = 60_000

export const NAMESPACE_YAML = `apiVersion: v1
kind: Namespace
metadata:
  name: ${APPS_NAMESPACE}
  labels:
    istio-injection: enabled
`

/**
 * Brings the suite's cluster to the profile's state: creates it when absent, verifies it in
 * seconds when healthy, repairs it when a component is missing, and refuses (exit 2, naming
 * `down`) a cluster built with another profile. Every install step is idempotent, so a
 * repair simply runs them again.
 */
export async function up(profile: Profile, clusterName: string, deps: UpDeps): Promise<UpResult> {
  const { cli, phases } = deps
  const exists = await phases.run('inspect', `looking for kind cluster '${clusterName}'`, async () =>
    (await cli.kindClusters()).includes(clusterName),
  )
  let api: ClusterApi | undefined
  let decision: UpDecision = { action: 'create' }
  if (exists) {
    api = await phases.run('connect', `reading the cluster's state`, async () => {
      await cli.kindExportKubeconfig(clusterName)
      return deps.api()
    })
    const connected = api
    await deps.recover?.()
    const [record, serverVersion, health] = await Promise.all([
      connected.readRecord(),
      connected.serverVersion(),
      connected.observeHealth(),
    ])
    decision = decideUp({ exists, record, serverVersion, problems: judgeHealth(health) }, profile)
    if (decision.action === 'refuse') {
      throw new UsageError(
        `kind cluster '${clusterName}' ${decision.reason}`,
        `remove it with 'npm run conformance -- down --name ${clusterName}', or use another --name`,
      )
    }
    if (decision.action === 'verified' && record) {
      if (record.cluster === clusterName) return { decision, record }
      // A record written before records named their cluster: name it, so run can prove ownership.
      const named = { ...record, cluster: clusterName }
      await connected.writeRecord(named)
      return { decision, record: named }
    }
  }
  if (decision.action === 'create') {
    await phases.run(
      'cluster',
      `creating kind cluster '${clusterName}' (${profile.kind.nodeImage.split('@')[0]})`,
      () => cli.kindCreate(clusterName, kindConfigYaml(profile, clusterName)),
    )
    await cli.kindExportKubeconfig(clusterName)
    deps.created?.()
    api = await deps.api()
  }
  const cluster = api as ClusterApi
  // Every image the profile runs is pulled once on the host and loaded into the node before
  // anything is installed, so the node never pulls one itself: a recreated cluster pulls nothing
  // from the internet, and a registry outage shows here, named, rather than as a pod that never
  // starts.
  const preload = nodePreloadImages(profile)
  await phases.run(
    'images',
    `pulling (once, on the host) and loading ${preload.length} images into the node`,
    () => loadImages(cli, clusterName, preload, hostOnlyImages(profile)),
  )
  await phases.run(
    'istio',
    `istioctl install (Istio ${profile.istio.version}, ingress NodePort 30000)`,
    async () => {
      await cli.istioInstall(istioOperatorYaml())
      await cluster.waitForDeployments('istio-system', ['istiod', 'istio-ingressgateway'], 10 * MINUTES)
    },
  )
  await phases.run('namespace', `namespace ${APPS_NAMESPACE} with istio-injection=enabled`, () =>
    cluster.applyYaml(NAMESPACE_YAML),
  )
  await phases.run('prometheus', 'Prometheus from the release addons', async () => {
    await cluster.applyYaml(await cli.prometheusAddon())
    await cluster.waitForDeployments('istio-system', ['prometheus'], 10 * MINUTES)
  })
  await phases.run('flagger', `Flagger chart ${profile.flagger.chartVersion}, CRDs first`, async () => {
    await cluster.applyYaml(await cli.flaggerCrds())
    await cli.flaggerInstall()
    await cluster.waitForDeployments('istio-system', ['flagger'], 5 * MINUTES)
  })
  const record = profileRecordOf(profile, clusterName, (deps.now?.() ?? new Date()).toISOString())
  await phases.run('verify', 'checking every component and recording the profile', async () => {
    const problems = judgeHealth(await cluster.observeHealth())
    if (problems.length) throw new Error(`cluster not healthy after install: ${problems.join('; ')}`)
    await cluster.writeRecord(record)
  })
  return { decision, record }
}

/**
 * Pulls on the host what it lacks, and loads into the node what the node lacks, in parallel:
 * an image already in the node is neither pulled nor loaded again.
 */
async function loadImages(
  cli: ClusterCli,
  clusterName: string,
  images: readonly string[],
  hostOnly: readonly string[],
): Promise<void> {
  const inNode = new Set(await cli.kindNodeImages(clusterName))
  const pull = async (image: string) => {
    if (!(await cli.dockerHasImage(image))) await cli.dockerPull(image)
  }
  await Promise.all([
    ...images
      .filter((image) => !inNode.has(normalizeImage(image)))
      .map(async (image) => {
        await pull(image)
        await cli.kindLoadImage(clusterName, image)
      }),
    ...hostOnly.map(pull),
  ])
}

/** containerd lists Docker Hub images fully qualified: docker.io/istioinaction/catalog:latest. Pure. */
export function normalizeImage(image: string): string {
  const first = image.split('/')[0] ?? ''
  const hasRegistry =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  const qualified = hasRegistry ? image : `docker.io/${image.includes('/') ? image : `library/${image}`}`
  return qualified.includes(':') && qualified.lastIndexOf(':') > qualified.lastIndexOf('/')
    ? qualified
    : `${qualified}:latest`
}

/** Deletes the suite's kind cluster, and only that one. Returns whether one was deleted. */
export async function down(clusterName: string, cli: ClusterCli): Promise<boolean> {
  if (!(await cli.kindClusters()).includes(clusterName)) return false
  await cli.kindDelete(clusterName)
  return true
}
