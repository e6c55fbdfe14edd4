import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { loadManifest } from '../manifests/load.js'
import {
  committedSteps,
  deriveSteps,
  GOLDEN_NAMESPACES,
  goldenLineFor,
  goldenLines,
  loadStepManifest,
  meshState,
  ownNamespaceKey,
  stepInForce,
} from './istio-goldens.js'

/** Synthetic manifests: a file name -> its objects. */
const obj = (
  kind: string,
  name: string,
  spec: unknown = {},
  apiVersion = 'networking.istio.io/v1',
): KubernetesObject => ({ apiVersion, kind, metadata: { name, namespace: 'lab' }, spec }) as KubernetesObject
const FILES: Record<string, KubernetesObject[]> = {
  'apps/a.yaml': [obj('Service', 'a', {}, 'v1'), obj('Deployment', 'a', {}, 'apps/v1')],
  'ch5/dr.yaml': [obj('DestinationRule', 'a')],
  'ch5/vs-1.yaml': [obj('VirtualService', 'a', { n: 1 })],
  'ch5/vs-2.yaml': [obj('VirtualService', 'a', { n: 2 })],
  'ch5/sidecar.yaml': [obj('Sidecar', 'default')],
  'ch5/canary.yaml': [obj('Canary', 'a', {}, 'flagger.app/v1beta1')],
}
const load = (f: string) => {
  const found = FILES[f]
  if (!found) throw new Error(`no ${f}`)
  return found
}
const ALLOW = { outboundTrafficPolicy: 'ALLOW_ANY' }
const LOCKED = { outboundTrafficPolicy: 'REGISTRY_ONLY' }

describe('deriveSteps: the oracle\u2019s steps from the registry', () => {
  it('one step per set, named by its last manifest; a replaced manifest leaves the list', () => {
    const steps = deriveSteps(
      [
        {
          id: 's',
          manifestSets: [
            { name: 'base', files: ['apps/a.yaml', 'ch5/dr.yaml'] },
            { name: 'one', files: ['ch5/vs-1.yaml'] },
            { name: 'two', files: ['ch5/vs-2.yaml'] },
          ],
        },
      ],
      load,
    )
    expect(steps.scenarios.s).toEqual([
      { name: 'dr', manifests: ['apps/a.yaml', 'ch5/dr.yaml'], mesh: ALLOW },
      { name: 'vs-1', manifests: ['apps/a.yaml', 'ch5/dr.yaml', 'ch5/vs-1.yaml'], mesh: ALLOW },
      { name: 'vs-2', manifests: ['apps/a.yaml', 'ch5/dr.yaml', 'ch5/vs-2.yaml'], mesh: ALLOW },
    ])
  })

  it('every scenario again in each namespace with goldens of its own, its files moved there', () => {
    const steps = deriveSteps(
      [{ id: 's', manifestSets: [{ name: 'base', files: ['apps/a.yaml', 'ch5/dr.yaml'] }] }],
      load,
    )
    expect(Object.keys(steps.scenarios)).toEqual([
      's',
      ...GOLDEN_NAMESPACES.map((ns) => `s@${ns}`),
      ownNamespaceKey('s'),
    ])
    expect(steps.scenarios['s@itc-staging']).toEqual([
      { name: 'dr', manifests: ['@itc-staging/apps/a.yaml', '@itc-staging/ch5/dr.yaml'], mesh: ALLOW },
    ])
  })

  it('each scenario again in its own namespace itc-<id>, on the suite’s own cluster only', () => {
    const steps = deriveSteps(
      [
        { id: 's', manifestSets: [{ name: 'base', files: ['apps/a.yaml', 'ch5/dr.yaml'] }] },
        {
          id: 'e',
          manifestSets: [
            { name: 'apps', files: ['apps/a.yaml'] },
            { name: 'lock', files: ['ch5/sidecar.yaml'], outboundPolicy: 'REGISTRY_ONLY' },
          ],
        },
        { id: 'f', manifestSets: [{ name: 'c', files: ['apps/a.yaml', 'ch5/canary.yaml'] }] },
      ],
      load,
    )
    expect(ownNamespaceKey('s')).toBe('s@itc-s')
    expect(Object.keys(steps.scenarios).filter((k) => !k.endsWith('@itc-staging'))).toEqual([
      's',
      'e',
      'e@existing-cluster',
      's@itc-s',
      'e@itc-e',
    ])
    expect(steps.scenarios['s@itc-s']).toEqual([
      { name: 'dr', manifests: ['@itc-s/apps/a.yaml', '@itc-s/ch5/dr.yaml'], mesh: ALLOW },
    ])
    // The lock-down is the mesh config's, as on the suite's own cluster.
    expect(steps.scenarios['e@itc-e']).toEqual([
      { name: 'a', manifests: ['@itc-e/apps/a.yaml'], mesh: ALLOW },
      { name: 'mesh-registry-only', manifests: ['@itc-e/apps/a.yaml'], mesh: LOCKED },
    ])
  })

  it('the committed steps: every scenario with steps has them in its own namespace, the same but for the files’ namespace', () => {
    const { scenarios } = committedSteps()
    const own = Object.keys(scenarios).filter((k) => !k.includes('@'))
    expect(own.length).toBeGreaterThan(0)
    for (const id of own) {
      const moved = scenarios[ownNamespaceKey(id)]
      expect(
        moved?.map((s) => ({ ...s, manifests: s.manifests.map((m) => m.replace(`@itc-${id}/`, '')) })),
      ).toEqual(scenarios[id])
      for (const m of moved?.flatMap((s) => s.manifests) ?? []) expect(m.startsWith(`@itc-${id}/`)).toBe(true)
    }
    expect(Object.keys(scenarios).filter((k) => /@existing-cluster@itc-(?!staging)/.test(k))).toEqual([])
  })

  it('a step manifest @<namespace>/<file> is the file moved into that namespace', () => {
    const moved = loadStepManifest('@itc-staging/ch5/catalog-dr.yaml')
    expect(moved.map((o) => o.metadata?.namespace)).toEqual(['itc-staging'])
    expect(JSON.stringify(moved)).toContain('catalog.itc-staging.svc.cluster.local')
    expect(loadStepManifest('ch5/catalog-dr.yaml')).toEqual(loadManifest('ch5/catalog-dr.yaml'))
  })

  it('translates the sets before a Flagger Canary, and none from it on', () => {
    const steps = deriveSteps(
      [
        {
          id: 'f',
          manifestSets: [
            { name: 'apps', files: ['apps/a.yaml'] },
            { name: 'canary', files: ['ch5/canary.yaml'] },
            { name: 'after', files: ['ch5/vs-1.yaml'] },
          ],
        },
      ],
      load,
    )
    expect(steps.scenarios.f).toEqual([{ name: 'a', manifests: ['apps/a.yaml'], mesh: ALLOW }])
  })

  it('a lock-down set: the mesh config on the suite\u2019s cluster, its Sidecar on an existing one, kept apart', () => {
    const steps = deriveSteps(
      [
        {
          id: 'e',
          manifestSets: [
            { name: 'apps', files: ['apps/a.yaml'] },
            { name: 'lock', files: ['ch5/sidecar.yaml'], outboundPolicy: 'REGISTRY_ONLY' },
            { name: 'se', files: ['ch5/dr.yaml'] },
          ],
        },
      ],
      load,
    )
    expect(steps.scenarios.e).toEqual([
      { name: 'a', manifests: ['apps/a.yaml'], mesh: ALLOW },
      { name: 'mesh-registry-only', manifests: ['apps/a.yaml'], mesh: LOCKED },
      { name: 'dr', manifests: ['apps/a.yaml', 'ch5/dr.yaml'], mesh: LOCKED },
    ])
    expect(steps.scenarios['e@existing-cluster']).toEqual([
      { name: 'a', manifests: ['apps/a.yaml'], mesh: ALLOW },
      { name: 'sidecar', manifests: ['apps/a.yaml', 'ch5/sidecar.yaml'], mesh: ALLOW },
      { name: 'dr', manifests: ['apps/a.yaml', 'ch5/sidecar.yaml', 'ch5/dr.yaml'], mesh: ALLOW },
    ])
  })

  it('leaves out a scenario Flagger routes, and refuses two steps of one name', () => {
    expect(
      deriveSteps(
        [{ id: 'f', manifestSets: [{ name: 'c', files: ['apps/a.yaml', 'ch5/canary.yaml'] }] }],
        load,
      ),
    ).toEqual({ scenarios: {} })
    expect(() =>
      deriveSteps(
        [
          {
            id: 'd',
            manifestSets: [
              { name: 'x', files: ['ch5/vs-1.yaml'] },
              { name: 'y', files: ['ch5/vs-1.yaml'] },
            ],
          },
        ],
        load,
      ),
    ).toThrow('d: two steps would be named vs-1')
  })
})

describe('the step in force', () => {
  const edge = ['apps/catalog.yaml', 'apps/catalog-v2.yaml', 'ch5/edge-gateway.yaml', 'ch5/catalog-dr.yaml']
  const objects = (...files: string[]) => files.flatMap(loadManifest)

  it('is found by kind, namespace, name and spec, whatever else the cluster holds or the key order', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'y' },
      data: {},
    }
    // Every object's keys in reverse order, at every depth.
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v
    const reordered = objects(...edge, 'ch5/edge-vs-catalog-v1.yaml').map(
      (o) => reverse(o) as KubernetesObject,
    )
    const found = stepInForce(meshState([configMap, ...reordered], 'ALLOW_ANY'))
    expect(found.scenario).toBe('subset-v1')
    expect(found.step.name).toBe('edge-vs-catalog-v1')
    // The same objects under REGISTRY_ONLY are no step.
    expect(() => stepInForce(meshState(reordered, 'REGISTRY_ONLY'))).toThrow(
      /nearest: subset-v1\/edge-vs-catalog-v1, which differs by: outboundTrafficPolicy REGISTRY_ONLY \(the step has ALLOW_ANY\)\./,
    )
  })

  it('the golden line: the lab\u2019s own where it has goldens, otherwise the newest', () => {
    const lines = goldenLines()
    const newest = lines.at(-1)
    expect(goldenLineFor('1.17.8')).toBe(lines.includes('1.17') ? '1.17' : newest)
    expect(goldenLineFor('9.99.0')).toBe(newest)
    for (const line of lines) expect(goldenLineFor(`${line}.3`)).toBe(line)
  })
})
