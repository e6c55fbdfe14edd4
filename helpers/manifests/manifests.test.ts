import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule'
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway'
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry'
import { Sidecar } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Sidecar'
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService'
import { Telemetry } from '@kubernetes-models/istio/telemetry.istio.io/v1alpha1/Telemetry'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { describe, expect, it } from 'vitest'
import { SCENARIOS } from '../../suites/index.js'
import { manifestFiles } from '../runner/define.js'
import { loadManifest, MANIFESTS_DIR } from './load.js'
import { crossReferenceProblems, fqdn } from './xrefs.js'

/** Schema validators (kubernetes-models, @kubernetes-models/istio) by apiVersion and kind. */
const VALIDATORS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.istio.io/v1beta1/Gateway': Gateway,
  'networking.istio.io/v1beta1/VirtualService': VirtualService,
  'networking.istio.io/v1beta1/DestinationRule': DestinationRule,
  'networking.istio.io/v1beta1/ServiceEntry': ServiceEntry,
  'networking.istio.io/v1beta1/Sidecar': Sidecar,
  'telemetry.istio.io/v1alpha1/Telemetry': Telemetry,
}

/** Kinds without a schema package that runs on Node 20; checked structurally in their own tests. */
const NO_VALIDATOR = new Set(['flagger.app/v1beta1/Canary'])

const files = ['apps', 'ch5'].flatMap((dir) =>
  readdirSync(join(MANIFESTS_DIR, dir)).map((f) => `${dir}/${f}`),
)

describe.each(files)('manifest %s', (file) => {
  const objects = loadManifest(file)

  it('parses to Kubernetes objects in namespace istioinaction', () => {
    expect(objects.length).toBeGreaterThan(0)
    for (const o of objects)
      expect(o.metadata?.namespace, `${o.kind}/${o.metadata?.name}`).toBe('istioinaction')
  })

  it('validates against its Kubernetes or Istio schema', () => {
    for (const o of objects) {
      const key = `${o.apiVersion}/${o.kind}`
      if (NO_VALIDATOR.has(key)) continue
      const Model = VALIDATORS[key]
      expect(Model, `no validator for ${key}`).toBeDefined()
      expect(
        () => new (Model as new (data: KubernetesObject) => { validate(): void })(o).validate(),
        `${key} ${o.metadata?.name}`,
      ).not.toThrow()
    }
  })
})

describe('manifest set of each scenario', () => {
  it('lists only files that exist', () => {
    for (const s of SCENARIOS) for (const m of manifestFiles(s)) expect(files, `${s.id}: ${m}`).toContain(m)
  })

  it.each(SCENARIOS.map((s) => [s.id, manifestFiles(s)] as const))(
    '%s: cross-references hold',
    (_id, manifests) => {
      expect(crossReferenceProblems(manifests.flatMap(loadManifest))).toEqual([])
    },
  )
})

describe('crossReferenceProblems catches broken sets', () => {
  const base = [
    'apps/catalog.yaml',
    'apps/catalog-v2.yaml',
    'ch5/edge-gateway.yaml',
    'ch5/catalog-dr.yaml',
    'ch5/edge-vs-catalog-cohort.yaml',
  ].flatMap(loadManifest)

  it('a subset missing from the DestinationRule', () => {
    const noDr = base.filter((o) => o.kind !== 'DestinationRule')
    expect(crossReferenceProblems(noDr)).toContain(
      'VirtualService catalog-vs-from-gw: subset version-v2 of catalog.istioinaction.svc.cluster.local is defined by no DestinationRule',
    )
  })

  it('a subset that selects no Deployment, and a Gateway host without a VirtualService', () => {
    const noV2 = base.filter((o) => o.metadata?.name !== 'catalog-v2' && o.kind !== 'VirtualService')
    const problems = crossReferenceProblems(noV2)
    expect(problems).toContain(
      'DestinationRule catalog: subset version-v2 selects 0 Deployments (none), expected exactly one',
    )
    expect(problems).toContain(
      'Gateway catalog-gateway: host catalog.istioinaction.io is served by no VirtualService bound to it',
    )
  })

  it('resolves short names the way the mesh does', () => {
    expect(fqdn('catalog', 'istioinaction')).toBe('catalog.istioinaction.svc.cluster.local')
    expect(fqdn('catalog.istioinaction', 'x')).toBe('catalog.istioinaction.svc.cluster.local')
    expect(fqdn('jsonplaceholder.typicode.com', 'x')).toBe('jsonplaceholder.typicode.com')
  })
})

describe('Canary catalog-release (no schema package on Node 20: checked field by field)', () => {
  it('matches the lab: target, ports, mesh routing, steps, match and metrics', () => {
    const [canary] = loadManifest('ch5/catalog-canary.yaml') as (KubernetesObject & {
      spec: Record<string, unknown>
    })[]
    expect(canary?.apiVersion).toBe('flagger.app/v1beta1')
    expect(canary?.spec).toMatchObject({
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'catalog' },
      service: { port: 80, targetPort: 3000, gateways: ['mesh'], hosts: ['catalog'] },
      analysis: {
        interval: '20s',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 10,
        match: [{ sourceLabels: { app: 'webapp' } }],
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
          { name: 'request-duration', thresholdRange: { max: 500 }, interval: '1m' },
        ],
      },
    })
  })
})
