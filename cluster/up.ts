import { UsageError } from '../helpers/errors.js'
import { type PhaseSpan, type Phases, renderTimings } from '../helpers/progress.js'
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
import { IMAGE_USERS, type ImageUser, imagesByUser, type Profile } from './profiles.js'
import { type CriticalPath, measuredCriticalPath, type UpPhase, upGraph } from './up-phases.js'

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

/** What a phase of `up` prints when it starts, and does. */
interface Work {
  readonly what: string
  readonly body: () => Promise<unknown>
}

/**
 * istio-system, created by up before istioctl install (which creates it only when absent, as
 * Istio's multicluster and Helm guides have it created first): Prometheus and Flagger install
 * into it without waiting for Istio.
 */
export const ISTIO_SYSTEM_YAML = `apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
`

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
  const action = decision.action === 'create' ? 'create' : 'repair'
  const record = profileRecordOf(profile, clusterName, (deps.now?.() ?? new Date()).toISOString())
  let cluster = api
  const clusterApi = (): ClusterApi => {
    if (!cluster) throw new Error('up: a phase talked to the cluster before it was connected')
    return cluster
  }
  const images = imagesByUser(profile)
  // What the node already holds, read once: in the node made by `cluster` when creating, at the
  // first pull when repairing (an image already in the node is neither pulled nor loaded again).
  let inNode: Promise<Set<string>> | undefined
  const nodeHolds = () => {
    inNode ??= cli.kindNodeImages(clusterName).then((list) => new Set(list))
    return inNode
  }
  const missingFromNode = async (list: readonly string[]) => {
    const held = await nodeHolds()
    return list.filter((image) => !held.has(normalizeImage(image)))
  }
  const pull = async (image: string) => {
    if (!(await cli.dockerHasImage(image))) await cli.dockerPull(image)
  }
  const imageWork = Object.fromEntries(
    IMAGE_USERS.flatMap((user) => {
      const { node, hostOnly } = images[user]
      const names = (list: readonly string[]) => list.map((i) => i.split('/').at(-1)).join(', ')
      return [
        [
          `pull:${user}`,
          {
            what: `pulling on the host what it lacks: ${names(node)}${hostOnly.length ? `; host only: ${names(hostOnly)}` : ''}`,
            body: async () => {
              const wanted = action === 'repair' ? await missingFromNode(node) : node
              await Promise.all([...wanted, ...hostOnly].map(pull))
            },
          },
        ],
        [
          `load:${user}`,
          {
            what: `kind load into the node what it lacks: ${names(node)}`,
            body: async () => {
              const wanted = await missingFromNode(node)
              await Promise.all(wanted.map((image) => cli.kindLoadImage(clusterName, image)))
            },
          },
        ],
      ]
    }),
  ) as Record<`pull:${ImageUser}` | `load:${ImageUser}`, Work>
  const work: Record<UpPhase, Work> = {
    ...imageWork,
    cluster: {
      what: `creating kind cluster '${clusterName}' (${profile.kind.nodeImage.split('@')[0]})`,
      body: async () => {
        await cli.kindCreate(clusterName, kindConfigYaml(profile, clusterName))
        await cli.kindExportKubeconfig(clusterName)
        deps.created?.()
        cluster = await deps.api()
      },
    },
    'istio-system': {
      what: 'namespace istio-system, so that Prometheus and Flagger need not wait for Istio',
      body: () => clusterApi().applyYaml(ISTIO_SYSTEM_YAML),
    },
    istio: {
      what: `istioctl install (Istio ${profile.istio.version}, ingress NodePort 30000)`,
      body: async () => {
        await cli.istioInstall(istioOperatorYaml())
        await clusterApi().waitForDeployments(
          'istio-system',
          ['istiod', 'istio-ingressgateway'],
          10 * MINUTES,
        )
      },
    },
    namespace: {
      what: `namespace ${APPS_NAMESPACE} with istio-injection=enabled`,
      body: () => clusterApi().applyYaml(NAMESPACE_YAML),
    },
    prometheus: {
      what: 'Prometheus from the release addons',
      body: async () => {
        await clusterApi().applyYaml(await cli.prometheusAddon())
        await clusterApi().waitForDeployments('istio-system', ['prometheus'], 10 * MINUTES)
      },
    },
    flagger: {
      what: `Flagger chart ${profile.flagger.chartVersion}, CRDs first`,
      body: async () => {
        await clusterApi().applyYaml(await cli.flaggerCrds())
        await cli.flaggerInstall()
        await clusterApi().waitForDeployments('istio-system', ['flagger'], 5 * MINUTES)
      },
    },
    verify: {
      what: 'checking every component and recording the profile',
      body: async () => {
        const problems = judgeHealth(await clusterApi().observeHealth())
        if (problems.length) throw new Error(`cluster not healthy after install: ${problems.join('; ')}`)
        await clusterApi().writeRecord(record)
      },
    },
  }
  // Each phase starts as soon as the phases it waits for have ended (cluster/up-phases.ts says
  // which, and why); a failure starts nothing new and fails up naming the phase.
  await phases.runGraph(upGraph(action).map((n) => ({ id: n.id, after: n.after, ...work[n.id] })))
  return { decision, record }
}

/**
 * The closing table of an `up`: every phase with its start and seconds, the critical path
 * (computed from the measured durations and the phase graph) marked and named.
 */
export function upTimingsReport(spans: readonly PhaseSpan[]): {
  readonly text: string
  readonly criticalPath: CriticalPath
} {
  const criticalPath = measuredCriticalPath(spans)
  return { text: renderTimings(spans, criticalPath), criticalPath }
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
