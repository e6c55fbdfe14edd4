import { describe, expect, it } from 'vitest'
import { decideUp, type HealthObservations, judgeHealth, profileRecordOf } from './health.js'
import { PROFILES, type Profile } from './profiles.js'

const book = PROFILES.book as Profile
const current = PROFILES.current as Profile
const ready = { ready: true, state: 'ok' }
const healthy: HealthObservations = {
  deployments: { istiod: ready, 'istio-ingressgateway': ready, prometheus: ready, flagger: ready },
  ingressService: {
    type: 'NodePort',
    ports: [
      { name: 'status-port', nodePort: 31234 },
      { name: 'http2', nodePort: 30000 },
      { name: 'https', nodePort: 30005 },
    ],
  },
  namespaceLabels: { 'istio-injection': 'enabled' },
}

describe('judgeHealth', () => {
  it('finds nothing wrong with a complete cluster', () => {
    expect(judgeHealth(healthy)).toEqual([])
  })

  it('names every shortfall', () => {
    const problems = judgeHealth({
      deployments: {
        istiod: { ready: false, state: '0/1 available' },
        'istio-ingressgateway': ready,
        prometheus: ready,
      },
      ingressService: {
        type: 'LoadBalancer',
        ports: [
          { name: 'http2', nodePort: 31999 },
          { name: 'https', nodePort: 30005 },
        ],
      },
      namespaceLabels: {},
    })
    expect(problems).toEqual([
      'istiod is not ready (0/1 available)',
      'flagger is not installed',
      'istio-ingressgateway is type LoadBalancer, not NodePort',
      'istio-ingressgateway port http2 has nodePort 31999, not 30000',
      'istio-ingressgateway lost status-port 15021',
      'namespace istioinaction lacks label istio-injection=enabled',
    ])
  })
})

describe('decideUp', () => {
  const record = profileRecordOf(book, 'istio-conformance', '2026-11-27T00:00:00Z')

  it('creates an absent cluster', () => {
    expect(decideUp({ exists: false }, book)).toEqual({ action: 'create' })
  })

  it('only verifies a healthy cluster of the same profile', () => {
    expect(decideUp({ exists: true, record, serverVersion: 'v1.26.15', problems: [] }, book)).toEqual({
      action: 'verified',
    })
  })

  it('refuses a cluster of another profile, naming both', () => {
    const decision = decideUp({ exists: true, record, serverVersion: 'v1.26.15', problems: [] }, current)
    expect(decision).toEqual({
      action: 'refuse',
      reason: "was built with profile 'book' (Istio 1.17.8), not 'current'",
    })
  })

  it('refuses a same-named cluster running another Kubernetes version', () => {
    const decision = decideUp({ exists: true, serverVersion: 'v1.31.0', problems: [] }, book)
    expect(decision.action).toBe('refuse')
  })

  it('repairs an unhealthy cluster and resumes an interrupted bring-up', () => {
    expect(
      decideUp(
        { exists: true, record, serverVersion: 'v1.26.15', problems: ['flagger is not installed'] },
        book,
      ),
    ).toEqual({
      action: 'repair',
      reasons: ['flagger is not installed'],
    })
    const resumed = decideUp({ exists: true, serverVersion: 'v1.26.15', problems: [] }, book)
    expect(resumed.action === 'repair' && resumed.reasons[0]).toContain('no profile record')
  })
})
