import { describe, expect, it } from 'vitest'
import { chooseApiVersion, type ServedKinds, withServedApiVersions } from './api-versions.js'

// What each Istio serves (ch5-lab.md, "API versions served"): 1.17 has networking v1alpha3 and
// v1beta1 and Telemetry v1alpha1 only; 1.22+ also serves v1 for networking and telemetry.
const ISTIO_1_17: ServedKinds = {
  'networking.istio.io': {
    v1alpha3: ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'EnvoyFilter'],
    v1beta1: ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar'],
  },
  'telemetry.istio.io': { v1alpha1: ['Telemetry'] },
}
const ISTIO_1_30: ServedKinds = {
  'networking.istio.io': {
    v1alpha3: ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'EnvoyFilter'],
    v1beta1: ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar'],
    v1: ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar'],
  },
  'telemetry.istio.io': { v1alpha1: ['Telemetry'], v1: ['Telemetry'] },
}

const vs = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  metadata: { name: 'catalog' },
}
const telemetry = {
  apiVersion: 'telemetry.istio.io/v1alpha1',
  kind: 'Telemetry',
  metadata: { name: 'webapp' },
}
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'catalog' } }

describe('apiVersion choice from discovery', () => {
  it('uses v1beta1 and Telemetry v1alpha1 on Istio 1.17', () => {
    expect(withServedApiVersions([vs, telemetry, deployment], ISTIO_1_17).map((o) => o.apiVersion)).toEqual([
      'networking.istio.io/v1beta1',
      'telemetry.istio.io/v1alpha1',
      'apps/v1',
    ])
  })

  it('upgrades the same manifests to v1 on current Istio', () => {
    expect(withServedApiVersions([vs, telemetry], ISTIO_1_30).map((o) => o.apiVersion)).toEqual([
      'networking.istio.io/v1',
      'telemetry.istio.io/v1',
    ])
  })

  it('picks only versions that serve the kind (EnvoyFilter stays v1alpha3)', () => {
    expect(chooseApiVersion(ISTIO_1_30, 'networking.istio.io', 'EnvoyFilter')).toBe(
      'networking.istio.io/v1alpha3',
    )
  })

  it('refuses a kind the cluster does not serve, saying what it does serve', () => {
    expect(() =>
      withServedApiVersions([telemetry], { 'networking.istio.io': ISTIO_1_17['networking.istio.io'] ?? {} }),
    ).toThrow(
      'Telemetry webapp cannot be applied: this cluster serves no telemetry.istio.io version with kind Telemetry (group not served)',
    )
  })
})
