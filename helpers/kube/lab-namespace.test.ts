import type { KubernetesObject } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json } from '../testing/recording-server.js'
import { makeTempDir } from '../testing/temp-dir.js'
import { KubeClient } from './client.js'
import { readLabNamespace } from './inventory.js'
import { loadKubeConfig } from './kubeconfig.js'
import {
  foreignObjects,
  injectsSidecars,
  judgeLabNamespace,
  type LabNamespaceFacts,
  type NamespaceObject,
  ownNamespaceState,
  ownNamespacesTaken,
} from './lab-namespace.js'

const facts = (over: Partial<LabNamespaceFacts> = {}): LabNamespaceFacts => ({
  namespace: 'itc-staging',
  labels: { 'istio-injection': 'enabled' },
  objects: [],
  unlisted: [],
  ...over,
})
const EXISTING = { existingCluster: true, adopt: false, context: 'staging' }
const obj = (kind: string, name: string, extra: Partial<NamespaceObject> = {}): NamespaceObject => ({
  kind,
  name,
  owners: [],
  ...extra,
})

describe('judgeLabNamespace', () => {
  it('an empty namespace with injection: go', () => {
    expect(judgeLabNamespace(facts(), EXISTING)).toEqual({ adopted: [] })
  })

  it('what Kubernetes and Istio put in every namespace, and what controllers made from listed objects, are nobody\u2019s', () => {
    const objects = [
      obj('ServiceAccount', 'default'),
      obj('ConfigMap', 'kube-root-ca.crt'),
      obj('ConfigMap', 'istio-ca-root-cert', { labels: { 'istio.io/config': 'true' } }),
      // Istio >= 1.27 publishes its CRL bundle in every namespace (PILOT_ENABLE_CA_CRL, on by default).
      obj('ConfigMap', 'istio-ca-crl', { labels: { 'istio.io/config': 'true' } }),
      // Renamed with PILOT_CA_CERT_CONFIGMAP: still istiod's, by its label.
      obj('ConfigMap', 'mesh-ca-root', { labels: { 'istio.io/config': 'true' } }),
      obj('Secret', 'default-token-x7k2p', {
        type: 'kubernetes.io/service-account-token',
        serviceAccount: 'default',
      }),
      obj('Deployment', 'catalog-primary', { owners: [{ kind: 'Canary', name: 'catalog-release' }] }),
      obj('Canary', 'catalog-release'),
    ]
    expect(foreignObjects(objects).map((o) => `${o.kind}/${o.name}`)).toEqual(['Canary/catalog-release'])
    const defaults = objects.slice(0, 6)
    expect(foreignObjects(defaults)).toEqual([])
    expect(judgeLabNamespace(facts({ objects: defaults }), EXISTING)).toEqual({ adopted: [] })
  })

  it('an object made from something the inventory does not list stands for its owner, which is someone\u2019s', () => {
    const objects = [
      obj('ReplicaSet', 'checkout-7f9c', { owners: [{ kind: 'Rollout', name: 'checkout' }] }),
      obj('Pod', 'checkout-7f9c-abcde', { owners: [{ kind: 'ReplicaSet', name: 'checkout-7f9c' }] }),
      obj('Secret', 'checkout-tls', { owners: [{ kind: 'Certificate', name: 'checkout' }] }),
      obj('Secret', 'builder-token-x', {
        type: 'kubernetes.io/service-account-token',
        serviceAccount: 'builder',
      }),
    ]
    expect(judgeLabNamespace(facts({ objects }), EXISTING).refusal?.cause).toBe(
      'namespace itc-staging holds 3 objects the suite did not create: Rollout/checkout, Certificate/checkout, Secret/builder-token-x',
    )
  })

  it('a namespace it may not read: refused, saying what to grant', () => {
    const verdict = judgeLabNamespace(
      facts({ labels: undefined, unreadable: 'forbidden (HTTP 403)' }),
      EXISTING,
    )
    expect(verdict.refusal?.cause).toBe(
      'cannot read namespace itc-staging on context staging: forbidden (HTTP 403)',
    )
    expect(verdict.refusal?.fix).toContain('grant get on namespaces/itc-staging')
  })

  it('anything else is someone\u2019s: refused, naming up to eight and counting the rest', () => {
    const objects = [
      obj('ServiceAccount', 'payments'),
      obj('Secret', 'db-password', { type: 'Opaque' }),
      ...Array.from({ length: 8 }, (_, i) => obj('ConfigMap', `settings-${i}`)),
    ]
    const verdict = judgeLabNamespace(facts({ objects }), EXISTING)
    expect(verdict.refusal?.cause).toBe(
      'namespace itc-staging holds 10 objects the suite did not create: ServiceAccount/payments, Secret/db-password, ConfigMap/settings-0, ConfigMap/settings-1, ConfigMap/settings-2, ConfigMap/settings-3, ConfigMap/settings-4, ConfigMap/settings-5 and 2 more',
    )
    expect(verdict.refusal?.fix).toContain('--adopt-namespace')
  })

  it('adopted: no refusal, and the objects listed for the run to say so', () => {
    const verdict = judgeLabNamespace(facts({ objects: [obj('Deployment', 'payments')] }), {
      ...EXISTING,
      adopt: true,
    })
    expect(verdict).toEqual({ adopted: ['Deployment/payments'] })
  })

  it('a kind it could not list means it cannot tell: refused unless adopted', () => {
    const unlisted = ['listing Secret failed (HTTP 403): forbidden']
    expect(judgeLabNamespace(facts({ unlisted }), EXISTING).refusal?.cause).toBe(
      'cannot tell whether namespace itc-staging holds objects of others: listing Secret failed (HTTP 403): forbidden',
    )
    expect(judgeLabNamespace(facts({ unlisted }), { ...EXISTING, adopt: true }).refusal).toBeUndefined()
  })

  it("on the suite's own cluster the namespace's objects are the suite's business (journaled, restored)", () => {
    const verdict = judgeLabNamespace(facts({ objects: [obj('Deployment', 'leftover')] }), {
      ...EXISTING,
      existingCluster: false,
    })
    expect(verdict).toEqual({ adopted: [] })
  })

  it('absent, or without injection: refused on any cluster, with the command that fixes it', () => {
    for (const existingCluster of [true, false]) {
      const absent = judgeLabNamespace(facts({ labels: undefined }), { ...EXISTING, existingCluster })
      expect(absent.refusal?.cause).toBe('namespace itc-staging does not exist on context staging')
      expect(absent.refusal?.fix).toContain('kubectl --context staging create namespace itc-staging')
      const bare = judgeLabNamespace(facts({ labels: {} }), { ...EXISTING, existingCluster })
      expect(bare.refusal?.cause).toContain('has no sidecar injection')
    }
  })

  it.each([
    [{ 'istio-injection': 'enabled' }, true],
    [{ 'istio.io/rev': 'canary' }, true],
    [{ 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }, false],
    // The revision's webhook wants istio-injection absent; the default's wants it 'enabled'.
    [{ 'istio-injection': 'false', 'istio.io/rev': 'canary' }, false],
    [{ 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }, true],
    [{}, false],
  ])('injection %j: %s (Istio\u2019s namespace selectors)', (labels, expected) => {
    expect(injectsSidecars(labels)).toBe(expected)
  })
})

describe('readLabNamespace against an API server', () => {
  let api: Awaited<ReturnType<typeof startFakeApiServer>>
  let client: KubeClient
  beforeAll(async () => {
    api = await startFakeApiServer((req, res) => {
      const path = req.url.split('?')[0] ?? ''
      const list = (kind: string, items: unknown[]) => json(res, 200, { kind: `${kind}List`, items })
      if (path === '/api/v1/namespaces/locked')
        json(res, 403, {
          kind: 'Status',
          code: 403,
          reason: 'Forbidden',
          message: 'namespaces "locked" is forbidden',
        })
      else if (path === '/api/v1/namespaces/itc-staging')
        json(res, 200, {
          kind: 'Namespace',
          metadata: { name: 'itc-staging', labels: { 'istio-injection': 'enabled' } },
        })
      else if (path === '/apis/apps/v1/namespaces/itc-staging/deployments')
        list('Deployment', [{ metadata: { name: 'payments', namespace: 'itc-staging' } }])
      else if (path === '/api/v1/namespaces/itc-staging/pods')
        list('Pod', [
          {
            metadata: {
              name: 'payments-5d9c-abcde',
              namespace: 'itc-staging',
              ownerReferences: [{ kind: 'ReplicaSet', name: 'payments-5d9c' }],
            },
          },
        ])
      else if (path === '/api/v1/namespaces/itc-staging/configmaps')
        list('ConfigMap', [{ metadata: { name: 'kube-root-ca.crt', namespace: 'itc-staging' } }])
      else if (path === '/api/v1/namespaces/itc-staging/services')
        json(res, 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'services is forbidden' })
      else if (/^\/apis?\/.*\/namespaces\/itc-staging\/[a-z]+$/.test(path)) list('', [])
      else return false
      return true
    })
    const dir = makeTempDir('kubeconfig')
    const { kubeConfig } = loadKubeConfig(
      writeKubeconfig({ currentContext: 'staging', contexts: ['staging'], server: api.url, dir: dir.path }),
    )
    client = new KubeClient(kubeConfig, 'staging')
    return dir.remove
  })
  afterAll(() => api.close())

  it('reads labels and objects with reads only; a kind not served is skipped, a forbidden one is reported', async () => {
    const before = api.requests.length
    const read = await readLabNamespace(client, 'itc-staging')
    expect(read.labels).toEqual({ 'istio-injection': 'enabled' })
    expect(read.objects).toEqual([
      { kind: 'Deployment', name: 'payments', owners: [] },
      { kind: 'Pod', name: 'payments-5d9c-abcde', owners: [{ kind: 'ReplicaSet', name: 'payments-5d9c' }] },
      { kind: 'ConfigMap', name: 'kube-root-ca.crt', owners: [] },
    ])
    expect(read.unlisted).toHaveLength(1)
    expect(read.unlisted[0]).toMatch(/^listing Service failed \(HTTP 403\)/)
    expect(api.requests.slice(before).every((r) => r.method === 'GET')).toBe(true)
    // The judge refuses it for the Deployment, whatever else it could or could not read.
    // The pod's ReplicaSet was not listed here: it stands for its owner. The Deployment is someone's.
    expect(
      judgeLabNamespace(read, { existingCluster: true, adopt: false, context: 'staging' }).refusal?.cause,
    ).toBe(
      'namespace itc-staging holds 2 objects the suite did not create: Deployment/payments, ReplicaSet/payments-5d9c',
    )
  })

  it('a namespace it may not read (namespace-scoped RBAC): unreadable, not a crash', async () => {
    expect(await readLabNamespace(client, 'locked')).toEqual({
      namespace: 'locked',
      labels: undefined,
      objects: [],
      unlisted: [],
      unreadable: 'forbidden (HTTP 403)',
    })
  })

  it('a namespace that does not exist: no labels, nothing listed', async () => {
    expect(await readLabNamespace(client, 'nowhere')).toEqual({
      namespace: 'nowhere',
      labels: undefined,
      objects: [],
      unlisted: [],
    })
  })
})

describe('ownNamespaceState', () => {
  const ns = (extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'itc-edge-routing', ...extra },
  })
  it("is absent, terminating (being deleted) or taken (someone else's)", () => {
    expect(ownNamespaceState(undefined)).toBe('absent')
    expect(ownNamespaceState(ns({ deletionTimestamp: new Date('2026-11-27T08:00:00Z') }))).toBe('terminating')
    expect(ownNamespaceState({ ...ns(), status: { phase: 'Terminating' } } as KubernetesObject)).toBe(
      'terminating',
    )
    expect(ownNamespaceState({ ...ns(), status: { phase: 'Active' } } as KubernetesObject)).toBe('taken')
  })
  it('names every taken namespace and the two ways on', () => {
    expect(ownNamespacesTaken(['itc-a', 'itc-b'])).toEqual({
      cause:
        'namespace itc-a, itc-b already exists: scenarios running concurrently each create their own, and the suite never takes over one it did not create',
      fix: 'delete them if nothing of yours is there (kubectl delete namespace itc-a itc-b), or run --serial',
    })
  })
})
