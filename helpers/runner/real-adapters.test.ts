import { KubeConfig } from '@kubernetes/client-node'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { KubeClient } from '../kube/client.js'
import { clusterDiagnostics } from '../report/diagnostics-source.js'
import { detectVersions, imageTag } from '../report/versions.js'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { answered } from '../testing/recording-server.js'
import { executableMissing, ingressTarget, realLabAdapters } from './real-lab.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

type Handler = Parameters<typeof startFakeApiServer>[0]
async function client(handler: Handler, discovery?: Parameters<typeof startFakeApiServer>[1]) {
  const api = await startFakeApiServer(handler, discovery)
  cleanups.push(api.close)
  const kc = new KubeConfig()
  kc.loadFromFile(writeKubeconfig({ currentContext: 'kind-t', contexts: ['kind-t'], server: api.url }))
  return { api, client: new KubeClient(kc, 'kind-t') }
}

const deployment = (name: string, image: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { template: { spec: { containers: [{ name: 'main', image }] } } },
})
const running = (name: string) => ({
  metadata: { name },
  status: { phase: 'Running' },
  spec: { containers: [] },
})

const PROFILE = { namespace: 'kube-system', name: 'istio-traffic-conformance' }

describe('version detection', () => {
  it.each([
    ['docker.io/istio/proxyv2:1.17.8', '1.17.8'],
    ['ghcr.io/fluxcd/flagger:1.44.0', '1.44.0'],
    ['localhost:5000/istio/pilot', 'latest'],
    ['istio/pilot:1.30.5@sha256:abc', '1.30.5'],
    [undefined, 'unknown'],
  ])('imageTag(%s) = %s', (image, tag) => {
    expect(imageTag(image)).toBe(tag)
  })

  it('reads istiod, the gateway, the sidecars, Flagger and the node image from the cluster', async () => {
    const { client: c } = await client((req, res) => {
      const path = req.url.split('?')[0] ?? ''
      const d = /^\/apis\/apps\/v1\/namespaces\/istio-system\/deployments\/(.+)$/.exec(path)?.[1]
      const images: Record<string, string> = {
        istiod: 'docker.io/istio/pilot:1.17.8',
        'istio-ingressgateway': 'docker.io/istio/proxyv2:1.17.8',
        flagger: 'ghcr.io/fluxcd/flagger:1.36.1',
      }
      if (d && images[d]) return answered(res, 200, deployment(d, images[d]))
      if (path === '/api/v1/namespaces/istioinaction/pods') {
        return answered(res, 200, {
          items: [
            {
              metadata: { name: 'webapp-1' },
              spec: {
                containers: [
                  { name: 'webapp', image: 'istioinaction/webapp:latest' },
                  { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.17.7' },
                ],
              },
            },
          ],
        })
      }
      if (path === '/api/v1/namespaces/kube-system/configmaps/istio-traffic-conformance') {
        return answered(res, 200, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'istio-traffic-conformance' },
          data: { nodeImage: 'kindest/node:v1.26.15@sha256:c796' },
        })
      }
      return false
    })
    expect(await detectVersions(c, 'v1.26.15', PROFILE)).toEqual({
      kubernetes: 'v1.26.15',
      istioControlPlane: '1.17.8',
      istioProxies: ['1.17.7', '1.17.8'],
      flagger: '1.36.1',
      nodeImage: 'kindest/node:v1.26.15@sha256:c796',
    })
  })

  it('says absent for components a cluster does not have', async () => {
    const { client: c } = await client(() => false)
    expect(await detectVersions(c, 'v1.31.0', PROFILE)).toMatchObject({
      istioControlPlane: 'absent',
      flagger: 'absent',
      nodeImage: 'unknown (not the suite cluster)',
    })
  })
})

/** A WebSocket exec peer: answers each command with the script's stdout/exit, protocol v4. */
function execPeer(
  server: Awaited<ReturnType<typeof startFakeApiServer>>,
  answer: (command: string[]) => { stdout?: string; exit: number },
) {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'v4.channel.k8s.io' })
  const seen: string[][] = []
  server.server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      const command = new URL(req.url ?? '', 'http://x').searchParams.getAll('command')
      seen.push(command)
      const a = answer(command)
      if (a.stdout) ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(a.stdout)]))
      const status =
        a.exit === 0
          ? { status: 'Success' }
          : {
              status: 'Failure',
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(a.exit) }] },
            }
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]))
      ws.close()
    }),
  )
  cleanups.push(async () => wss.close())
  return seen
}

describe('real lab adapters: exec, events', () => {
  it('tries curl, then wget when the image has no curl, and reports the exit code', async () => {
    const { api, client: c } = await client((req, res) => {
      if (req.url.startsWith('/api/v1/namespaces/istioinaction/pods?'))
        return answered(res, 200, { items: [running('webapp-1')] })
      return false
    })
    const seen = execPeer(api, (command) =>
      command[0] === 'curl'
        ? { stdout: 'exec: "curl": executable file not found in $PATH', exit: 126 }
        : { exit: 4 },
    )
    const adapters = realLabAdapters(c, ingressTarget('127.0.0.1:30000'), () => undefined)
    const outcome = await adapters.cluster.exec('istioinaction', 'app=webapp', 'webapp', [
      ['curl', 'https://x'],
      ['wget', 'https://x'],
    ])
    expect(seen.map((c) => c[0])).toEqual(['curl', 'wget'])
    expect(outcome).toMatchObject({ command: ['wget', 'https://x'], exitCode: 4 })
  })

  it('lists events about one object, oldest first', async () => {
    const { api, client: c } = await client((req, res) => {
      if (req.url.startsWith('/api/v1/namespaces/istioinaction/events')) {
        return answered(res, 200, {
          items: [
            {
              metadata: {},
              reason: 'Synced',
              message: 'second',
              lastTimestamp: '2026-11-27T08:00:02Z',
              involvedObject: { name: 'catalog-release' },
            },
            {
              metadata: {},
              reason: 'Synced',
              message: 'first',
              lastTimestamp: '2026-11-27T08:00:01Z',
              involvedObject: { name: 'catalog-release' },
            },
          ],
        })
      }
      return false
    })
    const events = await realLabAdapters(c, ingressTarget('127.0.0.1:30000'), () => undefined).cluster.events(
      'istioinaction',
      'catalog-release',
    )
    expect(events.map((e) => e.message)).toEqual(['first', 'second'])
    const request = api.requests.find((r) => r.url.includes('/events'))
    expect(new URL(request?.url ?? '', 'http://x').searchParams.get('fieldSelector')).toBe(
      'involvedObject.name=catalog-release',
    )
  })

  it('executableMissing recognises shells and runtimes that lack a command', () => {
    expect(executableMissing({ exitCode: 127, stdout: '', stderr: 'sh: curl: not found' })).toBe(true)
    expect(
      executableMissing({
        exitCode: 1,
        stdout: '',
        stderr: 'OCI runtime exec failed: exec: "curl": executable file not found in $PATH',
      }),
    ).toBe(true)
    expect(
      executableMissing({
        exitCode: 35,
        stdout: '',
        stderr: 'curl: (35) OpenSSL SSL_connect: Connection reset by peer',
      }),
    ).toBe(false)
  })
})

describe('diagnostics read from the cluster', () => {
  it('lists Istio and Flagger resources at their served versions, without managedFields', async () => {
    const { client: c } = await client(
      (req, res) => {
        const path = req.url.split('?')[0] ?? ''
        if (path === '/apis/networking.istio.io/v1beta1/namespaces/istioinaction/virtualservices') {
          return answered(res, 200, {
            items: [
              {
                metadata: { name: 'catalog', managedFields: [{ manager: 'x' }] },
                spec: { hosts: ['catalog'] },
              },
            ],
          })
        }
        if (/^\/apis\/[^/]+\/[^/]+\/namespaces\/istioinaction\/[a-z]+$/.test(path))
          return answered(res, 200, { items: [] })
        return false
      },
      {
        '/apis/networking.istio.io/v1beta1': [
          'VirtualService',
          'DestinationRule',
          'Gateway',
          'ServiceEntry',
          'Sidecar',
        ].map((kind) => ({ name: `${kind.toLowerCase()}s`, kind, namespaced: true })),
        '/apis/telemetry.istio.io/v1alpha1': [{ name: 'telemetries', kind: 'Telemetry', namespaced: true }],
        '/apis/flagger.app/v1beta1': [{ name: 'canaries', kind: 'Canary', namespaced: true }],
      },
    )
    const yaml = await clusterDiagnostics(c).istioResources('istioinaction')
    expect(yaml).toContain(
      'apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: catalog',
    )
    expect(yaml).not.toContain('managedFields')
  })

  it('tails each matching container with timestamps', async () => {
    const { api, client: c } = await client((req, res) => {
      if (req.url.startsWith('/api/v1/namespaces/istioinaction/pods?'))
        return answered(res, 200, { items: [running('forum-1')] })
      if (req.url.startsWith('/api/v1/namespaces/istioinaction/pods/forum-1/log')) {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('2026-11-27T08:00:00Z line\n')
        return true
      }
      return false
    })
    const tails = await clusterDiagnostics(c).tail(
      { namespace: 'istioinaction', labelSelector: 'app=forum', container: 'istio-proxy' },
      200,
    )
    expect(tails).toEqual([{ pod: 'forum-1', text: '2026-11-27T08:00:00Z line\n' }])
    const q = new URL(api.requests.find((r) => r.url.includes('/log?'))?.url ?? '', 'http://x').searchParams
    expect([q.get('container'), q.get('tailLines'), q.get('timestamps')]).toEqual([
      'istio-proxy',
      '200',
      'true',
    ])
  })
})
