import { describe, expect, it } from 'vitest'
import { CATALOGUE, SCENARIO_IDS } from './catalogue.js'

describe('scenario catalogue', () => {
  it('holds the eleven chapter scenarios under their stable ids, in book order', () => {
    expect(SCENARIO_IDS).toEqual([
      'edge-routing',
      'subset-v1',
      'edge-header-routing',
      'edge-route-order',
      'mesh-routing',
      'mesh-header-routing',
      'weighted-shift',
      'flagger-canary',
      'mirroring',
      'egress-registry-only',
      'service-entry',
    ])
  })

  it('gives every scenario a chapter-5 section, an observation, manifests and uniquely named checks', () => {
    for (const s of CATALOGUE) {
      expect(s.section, s.id).toMatch(/^5\.\d(\.\d)?$/)
      expect(s.observation.length, s.id).toBeGreaterThan(10)
      expect(s.manifests.length, s.id).toBeGreaterThan(0)
      expect(s.checks.length, s.id).toBeGreaterThan(0)
      expect(new Set(s.checks.map((c) => c.id)).size, s.id).toBe(s.checks.length)
      for (const c of s.checks) expect(c.hint.length, `${s.id}/${c.id} hint`).toBeGreaterThan(40)
    }
  })
})
