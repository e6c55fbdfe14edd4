import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { recordingTools } from '../helpers/testing/recording-tools.js'
import { tempDir } from '../helpers/testing/temp-dir.js'
import { createClusterCli, parseCrictlImages } from './cli-adapter.js'
import { PROFILES, type Profile } from './profiles.js'

const book = PROFILES.book as Profile

function cliWith(answers: Parameters<typeof recordingTools>[0], kubeconfig?: string) {
  const tools = recordingTools({ kind: {}, istioctl: {}, helm: {}, docker: {}, ...answers })
  const istioDir = tempDir('istio')
  mkdirSync(join(istioDir, 'samples', 'addons'), { recursive: true })
  writeFileSync(join(istioDir, 'samples', 'addons', 'prometheus.yaml'), 'kind: Deployment\n')
  const cli = createClusterCli(
    {
      kind: tools.paths.kind as string,
      istioctl: tools.paths.istioctl as string,
      helm: tools.paths.helm as string,
      docker: tools.paths.docker as string,
      istioDir,
    },
    { profile: book, context: 'kind-lab', kubeconfig },
  )
  return { cli, calls: tools.calls }
}

describe('cluster CLI adapter with recording executables', () => {
  it('lists kind clusters from `kind get clusters`', async () => {
    const { cli, calls } = cliWith({ kind: { stdout: 'lab\nother\n' } })
    expect(await cli.kindClusters()).toEqual(['lab', 'other'])
    expect(calls()).toEqual([['kind', 'get', 'clusters']])
  })

  it('creates the cluster from a config file and passes the user kubeconfig on', async () => {
    const { cli, calls } = cliWith({}, '/tmp/my-kubeconfig')
    await cli.kindCreate('lab', 'kind: Cluster\n')
    const [call] = calls()
    expect(call?.slice(0, 5)).toEqual(['kind', 'create', 'cluster', '--name', 'lab'])
    expect(call?.[5]).toBe('--config')
    expect(call?.[6]).toMatch(/kind-config\.yaml$/)
    expect(call?.slice(7)).toEqual(['--wait', '3m', '--kubeconfig', '/tmp/my-kubeconfig'])
  })

  it('installs Istio with the overlay file against the suite context only', async () => {
    const { cli, calls } = cliWith({})
    await cli.istioInstall('apiVersion: install.istio.io/v1alpha1\n')
    const [call] = calls()
    expect(call?.slice(0, 4)).toEqual(['istioctl', 'install', '-y', '-f'])
    expect(call?.slice(5)).toEqual(['--context', 'kind-lab'])
  })

  it('installs Flagger with helm: CRDs shown first, then upgrade --install skipping CRDs', async () => {
    const { cli, calls } = cliWith({ helm: { stdout: 'kind: CustomResourceDefinition\n' } })
    expect(await cli.flaggerCrds()).toContain('CustomResourceDefinition')
    await cli.flaggerInstall()
    expect(calls()).toEqual([
      ['helm', 'show', 'crds', 'flagger', '--repo', 'https://flagger.app', '--version', '1.36.1'],
      [
        'helm',
        'upgrade',
        '--install',
        'flagger',
        'flagger',
        '--repo',
        'https://flagger.app',
        '--version',
        '1.36.1',
        '--namespace',
        'istio-system',
        '--skip-crds',
        '--set',
        'meshProvider=istio',
        '--set',
        'metricsServer=http://prometheus:9090',
        '--kube-context',
        'kind-lab',
      ],
    ])
  })

  it('pulls and loads images with one argument per image reference', async () => {
    const { cli, calls } = cliWith({})
    await cli.dockerPull('istioinaction/catalog:latest')
    await cli.kindLoadImage('lab', 'istioinaction/catalog:latest')
    expect(calls()).toEqual([
      ['docker', 'pull', 'istioinaction/catalog:latest'],
      ['kind', 'load', 'docker-image', '--name', 'lab', 'istioinaction/catalog:latest'],
    ])
  })

  it('reports a failing tool with its command, exit code and stderr tail', async () => {
    const { cli } = cliWith({ kind: { stdout: 'ERROR: failed to create cluster: port 30000 busy', exit: 1 } })
    await expect(cli.kindCreate('lab', 'kind: Cluster\n')).rejects.toThrow(
      'kind create cluster exited 1: ERROR: failed to create cluster: port 30000 busy',
    )
  })

  it('reads the Prometheus addon from the unpacked Istio release', async () => {
    const { cli } = cliWith({})
    expect(await cli.prometheusAddon()).toBe('kind: Deployment\n')
  })

  it('lists node images through crictl in the node container', async () => {
    // Shape of `crictl images -o json` (cri-api ListImagesResponse).
    const { cli, calls } = cliWith({
      docker: {
        stdout: JSON.stringify({
          images: [{ repoTags: ['docker.io/istioinaction/catalog:latest'] }, { repoTags: null }],
        }),
      },
    })
    expect(await cli.kindNodeImages('lab')).toEqual(['docker.io/istioinaction/catalog:latest'])
    expect(calls()).toEqual([['docker', 'exec', 'lab-control-plane', 'crictl', 'images', '-o', 'json']])
  })
})

describe('parseCrictlImages', () => {
  it('tolerates an empty image list', () => {
    expect(parseCrictlImages('{}')).toEqual([])
  })
})
