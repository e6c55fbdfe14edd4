import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node'
import { istiodFacts, istioVersionOfImage } from '../helpers/istiod.js'
import type { KubeClient } from '../helpers/kube/client.js'
import { type ExecResult, execTool } from '../helpers/system/exec.js'
import { istioOperatorYaml } from './istio-operator.js'
import type { ControlPlane, ProxyVersion, RehearsalCluster } from './rehearsal.js'

const MINUTE = 60_000

function must(result: ExecResult, command: string): string {
  if (result.exitCode === 0) return result.stdout
  const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ')
  throw new Error(`${command} exited ${result.exitCode}: ${tail}`)
}

/** The istio-proxy container of a pod, a regular one or a native sidecar (init, restartPolicy Always). Pure. */
export function proxyImage(pod: V1Pod): string | undefined {
  const spec = pod.spec
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].find((c) => c.name === 'istio-proxy')
    ?.image
}

/** Running proxies: pods that are not being deleted, with the version their proxy image names. Pure. */
export function proxiesOf(pods: readonly V1Pod[]): ProxyVersion[] {
  return pods
    .filter((p) => !p.metadata?.deletionTimestamp && proxyImage(p) !== undefined)
    .map((p) => ({
      pod: `${p.metadata?.namespace}/${p.metadata?.name}`,
      version: istioVersionOfImage(proxyImage(p)),
    }))
}

export interface RehearsalAdapterOptions {
  /** istioctl of a version (downloaded and checksummed like `up` does). */
  readonly istioctl: (version: string) => Promise<string>
  readonly client: KubeClient
  readonly context: string
  readonly kubeconfig?: string | undefined
  readonly now?: () => Date
}

/**
 * The real mesh side of a rehearsal: istioctl of each version with the same IstioOperator
 * overlay `up` installs with (so the gateway keeps NodePort 30000), and the Kubernetes API for
 * restarts and for what the proxies run.
 */
export function createRehearsalCluster(options: RehearsalAdapterOptions): RehearsalCluster {
  const { client } = options
  const target = [
    '--context',
    options.context,
    ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
  ]
  const istioctl = async (version: string, args: readonly string[], what: string) => {
    const path = await options.istioctl(version)
    must(
      await execTool(path, [...args, ...target], { timeoutMs: 15 * MINUTE }),
      `istioctl ${version} ${what}`,
    )
  }
  const withOverlay = async (body: (file: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'itc-'))
    try {
      const file = join(dir, 'istio-operator.yaml')
      await writeFile(file, istioOperatorYaml())
      await body(file)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  const pods = async (namespace: string) => (await client.core.listNamespacedPod({ namespace })).items
  return {
    installRevision: (version, revision) =>
      withOverlay((file) =>
        istioctl(
          version,
          ['install', '-y', '-f', file, '--revision', revision],
          `install --revision ${revision}`,
        ),
      ),
    installDefault: (version) =>
      withOverlay((file) => istioctl(version, ['install', '-y', '-f', file], 'install')),
    uninstallRevision: (version, revision) =>
      istioctl(version, ['uninstall', '--revision', revision, '-y'], `uninstall --revision ${revision}`),
    async restartWorkloads(namespace) {
      const deployments = (await client.list('apps/v1', 'Deployment', namespace)) as V1Deployment[]
      const names = deployments.map((d) => d.metadata?.name).filter((n): n is string => n !== undefined)
      const at = (options.now?.() ?? new Date()).toISOString()
      // What `kubectl rollout restart` does: a new pod-template annotation (a strategic merge
      // patch, not an apply: an apply by the suite's field manager would drop the fields the
      // scenarios applied), so every pod is replaced and injected again.
      for (const name of names) {
        await client.apps.patchNamespacedDeployment(
          {
            name,
            namespace,
            body: {
              spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
            },
          },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        )
      }
      if (names.length) await client.waitForDeployments(namespace, names, 10 * MINUTE)
      return names
    },
    async proxies(namespace) {
      const gateway = (await pods('istio-system')).filter(
        (p) => p.metadata?.labels?.app === 'istio-ingressgateway',
      )
      return [...proxiesOf(gateway), ...proxiesOf(await pods(namespace))]
    },
    async controlPlanes(): Promise<ControlPlane[]> {
      const deployments = (await client.list('apps/v1', 'Deployment', 'istio-system')) as V1Deployment[]
      return deployments
        .filter((d) => d.metadata?.labels?.app === 'istiod')
        .map((d) => ({ name: d.metadata?.name ?? 'istiod', version: istiodFacts(d).version }))
    },
  }
}
