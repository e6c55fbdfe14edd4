import { AppsV1Api, CoreV1Api, Exec, KubernetesObjectApi } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json } from '../testing/recording-server.js'
import { makeTempDir } from '../testing/temp-dir.js'
import { loadKubeConfig } from './kubeconfig.js'
import { execAllowed, ReadOnlyError, ReadOnlyKubeClient } from './read-only.js'

/**
 * `check` promises a learner that it never changes their cluster. The promise is kept in the
 * adapter, twice: the client's mutating methods refuse, and its KubeConfig refuses any request
 * that is not a GET before it is sent. Each verb is tried against a real HTTP server that
 * records every request; none of them may arrive.
 */
const CONTEXT = 'learner'
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const CONFIG_MAP = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'lab', namespace: 'istioinaction' },
  data: { a: 'b' },
}

let api: Awaited<ReturnType<typeof startFakeApiServer>>
let client: ReadOnlyKubeClient
beforeAll(async () => {
  api = await startFakeApiServer((req, res) => {
    if (req.url.startsWith('/api/v1/namespaces/istioinaction/configmaps/lab')) {
      json(res, 200, CONFIG_MAP)
      return true
    }
    if (req.url.startsWith('/api/v1/namespaces/istioinaction/pods')) {
      json(res, 200, { kind: 'PodList', items: [] })
      return true
    }
    return false
  })
  // A beforeAll cannot register an afterAll: the hook's teardown removes the folder.
  const dir = makeTempDir('kubeconfig')
  const loaded = loadKubeConfig(
    writeKubeconfig({ currentContext: CONTEXT, contexts: [CONTEXT], server: api.url, dir: dir.path }),
  )
  client = new ReadOnlyKubeClient(loaded.kubeConfig, CONTEXT)
  return dir.remove
})
afterAll(() => api.close())

const REF = { apiVersion: 'v1', kind: 'ConfigMap', name: 'lab', namespace: 'istioinaction' }

/** Runs a call that must be refused, and proves nothing reached the server meanwhile. */
async function refusedUnsent(call: () => Promise<unknown>): Promise<ReadOnlyError> {
  const before = api.requests.length
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ReadOnlyError)
  // Discovery (GET /api/v1) may precede the refusal; nothing else may be sent.
  const sent = api.requests.slice(before)
  expect(
    sent.filter((r) => r.method !== 'GET' || !/^\/apis?(\/v1)?$/.test(r.url.split('?')[0] ?? '')),
  ).toEqual([])
  return error as ReadOnlyError
}

describe('the read-only client refuses every mutating verb before sending it', () => {
  it('reads: a GET of one object and a list reach the server (so the refusals below can fail)', async () => {
    expect(await client.read(REF)).toMatchObject({ data: { a: 'b' } })
    await client.core.listNamespacedPod({ namespace: 'istioinaction' })
    expect(api.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2)
  })

  it('apply (server-side apply)', async () => {
    const e = await refusedUnsent(() => client.apply([CONFIG_MAP]))
    expect(e.message).toContain('apply')
    expect(e.exitCode).toBe(2)
  })

  it('applyYaml', async () => {
    await refusedUnsent(() => client.applyYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n'))
  })

  it('applyServed', async () => {
    await refusedUnsent(() => client.applyServed([CONFIG_MAP]))
  })

  it('delete', async () => {
    await refusedUnsent(() => client.delete(REF))
  })

  it('deleteAndWaitGone', async () => {
    await refusedUnsent(() => client.deleteAndWaitGone([REF], 1_000))
  })

  it.each([
    ['a shell', 'webapp', ['sh', '-c', 'kubectl delete ns istioinaction']],
    ['curl out of a pod', 'webapp', ['curl', '-sS', 'https://203.0.113.10/']],
    ["Envoy's admin POST", 'istio-proxy', ['pilot-agent', 'request', 'POST', 'quitquitquit']],
    ['the allowed read in another container', 'catalog', ['pilot-agent', 'request', 'GET', 'config_dump']],
    [
      'the allowed read with an extra argument',
      'istio-proxy',
      ['pilot-agent', 'request', 'GET', 'config_dump', '-x'],
    ],
  ])('exec of %s', async (_what, container, command) => {
    await refusedUnsent(() => client.exec('istioinaction', 'pod-1', container, command))
  })
})

describe('under the client, its KubeConfig refuses every request that is not a GET', () => {
  const core = () => client.kubeConfig.makeApiClient(CoreV1Api)

  it('create (POST)', async () => {
    await refusedUnsent(() =>
      core().createNamespacedConfigMap({ namespace: 'istioinaction', body: CONFIG_MAP }),
    )
  })

  it('update (PUT)', async () => {
    await refusedUnsent(() =>
      core().replaceNamespacedConfigMap({ name: 'lab', namespace: 'istioinaction', body: CONFIG_MAP }),
    )
  })

  it('patch (PATCH)', async () => {
    await refusedUnsent(() =>
      core().patchNamespacedConfigMap({
        name: 'lab',
        namespace: 'istioinaction',
        body: { data: { a: 'c' } },
      }),
    )
  })

  it('delete (DELETE)', async () => {
    await refusedUnsent(() => core().deleteNamespacedConfigMap({ name: 'lab', namespace: 'istioinaction' }))
  })

  it('deletecollection (DELETE)', async () => {
    await refusedUnsent(() => core().deleteCollectionNamespacedPod({ namespace: 'istioinaction' }))
  })

  it('eviction (POST to a subresource)', async () => {
    await refusedUnsent(() =>
      core().createNamespacedPodEviction({
        name: 'pod-1',
        namespace: 'istioinaction',
        body: { metadata: { name: 'pod-1', namespace: 'istioinaction' } },
      }),
    )
  })

  it("the client's own core and apps APIs: a scale (PATCH) and a Deployment delete", async () => {
    await refusedUnsent(() =>
      client.apps.patchNamespacedDeploymentScale({
        name: 'catalog',
        namespace: 'istioinaction',
        body: { spec: { replicas: 0 } },
      }),
    )
    await refusedUnsent(() =>
      client.kubeConfig
        .makeApiClient(AppsV1Api)
        .deleteNamespacedDeployment({ name: 'catalog', namespace: 'istioinaction' }),
    )
  })

  it('the generic object API: create, replace, patch, delete', async () => {
    const objects = KubernetesObjectApi.makeApiClient(client.kubeConfig)
    await refusedUnsent(() => objects.create(CONFIG_MAP))
    await refusedUnsent(() => objects.replace(CONFIG_MAP))
    await refusedUnsent(() => objects.patch(CONFIG_MAP))
    await refusedUnsent(() => objects.delete(CONFIG_MAP))
  })

  it('a WebSocket exec the client did not allow (straight through Exec)', async () => {
    await refusedUnsent(() =>
      new Exec(client.kubeConfig).exec('istioinaction', 'pod-1', 'webapp', ['sh'], null, null, null, false),
    )
  })

  it('lets the one allowed read through: its WebSocket is attempted, never refused', async () => {
    expect(execAllowed('istio-proxy', ['pilot-agent', 'request', 'GET', 'config_dump'])).toBe(true)
    const error = await client
      .exec('istioinaction', 'pod-1', 'istio-proxy', ['pilot-agent', 'request', 'GET', 'config_dump'], 2_000)
      .catch((e: unknown) => e)
    // The fake server speaks no WebSocket, so the exec fails, but not because it was refused.
    expect(error).not.toBeInstanceOf(ReadOnlyError)
    // And the permit is used up: a second, unvetted WebSocket is refused again.
    await refusedUnsent(() =>
      new Exec(client.kubeConfig).exec('istioinaction', 'pod-1', 'webapp', ['sh'], null, null, null, false),
    )
  })

  it('no mutating request reached the server in this whole file', () => {
    expect(api.requests.filter((r) => MUTATING.has(r.method))).toEqual([])
  })
})
