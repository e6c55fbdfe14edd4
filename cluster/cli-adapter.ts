import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ExecResult, execTool } from '../helpers/system/exec.js'
import type { Profile } from './profiles.js'
import type { ClusterCli } from './up.js'

export interface CliPaths {
  readonly kind: string
  readonly istioctl: string
  readonly helm: string
  readonly docker: string
  /** The unpacked Istio release, for samples/addons. */
  readonly istioDir: string
}

export interface CliTarget {
  readonly profile: Profile
  readonly context: string
  /** The user's --kubeconfig, passed on to every tool so they all write and read the same file. */
  readonly kubeconfig?: string | undefined
}

const MINUTE = 60_000

/** Fails with the command and the tail of its stderr, which is where these tools explain. */
function must(result: ExecResult, command: string): string {
  if (result.exitCode === 0) return result.stdout
  const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' | ')
  throw new Error(`${command} exited ${result.exitCode}: ${tail}`)
}

/** Image references in `crictl images -o json` output (repoTags of each image). Pure. */
export function parseCrictlImages(json: string): string[] {
  const parsed = JSON.parse(json) as { images?: { repoTags?: string[] | null }[] }
  return (parsed.images ?? []).flatMap((i) => i.repoTags ?? [])
}

async function withTempFile<T>(
  name: string,
  content: string,
  body: (path: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'itc-'))
  const path = join(dir, name)
  try {
    await writeFile(path, content)
    return await body(path)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The real kind, docker, istioctl and helm, with arguments as arrays. */
export function createClusterCli(paths: CliPaths, target: CliTarget): ClusterCli {
  const kubeconfigArgs = target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []
  const chart = [
    'flagger',
    '--repo',
    target.profile.flagger.chartRepo,
    '--version',
    target.profile.flagger.chartVersion,
  ]
  return {
    async kindClusters() {
      const out = must(
        await execTool(paths.kind, ['get', 'clusters'], { timeoutMs: MINUTE }),
        'kind get clusters',
      )
      return out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    },
    async kindCreate(name, configYaml) {
      await withTempFile('kind-config.yaml', configYaml, async (config) => {
        const args = [
          'create',
          'cluster',
          '--name',
          name,
          '--config',
          config,
          '--wait',
          '3m',
          ...kubeconfigArgs,
        ]
        must(await execTool(paths.kind, args, { timeoutMs: 15 * MINUTE }), 'kind create cluster')
      })
    },
    async kindDelete(name) {
      const args = ['delete', 'cluster', '--name', name, ...kubeconfigArgs]
      must(await execTool(paths.kind, args, { timeoutMs: 5 * MINUTE }), 'kind delete cluster')
    },
    async kindExportKubeconfig(name) {
      const args = ['export', 'kubeconfig', '--name', name, ...kubeconfigArgs]
      must(await execTool(paths.kind, args, { timeoutMs: MINUTE }), 'kind export kubeconfig')
    },
    async kindNodeImages(name) {
      // kind names the node container <cluster>-control-plane; crictl lists containerd's images.
      const args = ['exec', `${name}-control-plane`, 'crictl', 'images', '-o', 'json']
      return parseCrictlImages(
        must(await execTool(paths.docker, args, { timeoutMs: MINUTE }), 'crictl images'),
      )
    },
    async kindLoadImage(name, image) {
      const args = ['load', 'docker-image', '--name', name, image]
      must(await execTool(paths.kind, args, { timeoutMs: 10 * MINUTE }), `kind load docker-image ${image}`)
    },
    async dockerHasImage(image) {
      const result = await execTool(paths.docker, ['image', 'inspect', '--format', '{{.Id}}', image], {
        timeoutMs: MINUTE,
      })
      return result.exitCode === 0
    },
    async dockerPull(image) {
      must(await execTool(paths.docker, ['pull', image], { timeoutMs: 15 * MINUTE }), `docker pull ${image}`)
    },
    async istioInstall(overlayYaml) {
      await withTempFile('istio-operator.yaml', overlayYaml, async (overlay) => {
        const args = ['install', '-y', '-f', overlay, '--context', target.context, ...kubeconfigArgs]
        must(await execTool(paths.istioctl, args, { timeoutMs: 15 * MINUTE }), 'istioctl install')
      })
    },
    async flaggerCrds() {
      return must(
        await execTool(paths.helm, ['show', 'crds', ...chart], { timeoutMs: 5 * MINUTE }),
        'helm show crds',
      )
    },
    async flaggerInstall() {
      const args = [
        'upgrade',
        '--install',
        'flagger', // the release name; the chart reference follows
        ...chart,
        '--namespace',
        'istio-system',
        // CRDs were applied just before, server-side, so they also upgrade on a re-run.
        '--skip-crds',
        '--set',
        'meshProvider=istio',
        '--set',
        'metricsServer=http://prometheus:9090',
        '--kube-context',
        target.context,
        ...kubeconfigArgs,
      ]
      must(await execTool(paths.helm, args, { timeoutMs: 10 * MINUTE }), 'helm upgrade --install flagger')
    },
    async prometheusAddon() {
      return readFile(join(paths.istioDir, target.profile.prometheusAddon), 'utf8')
    },
  }
}
