import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadManifest } from '../helpers/manifests/load.js'
import { DEFAULT_OPTIONS, manifestFiles } from '../helpers/runner/define.js'
import { runScenario } from '../helpers/runner/scenario.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'
import { SCENARIOS } from './index.js'

/**
 * The registry is the one list of scenarios. Each registered scenario must be complete: a
 * folder of its own with its offline test, manifest sets that exist, checks with words a
 * learner can act on; and its body must apply exactly what it declares (in one of the modes:
 * the suite's cluster, or an existing one, where egress uses a namespace Sidecar and the real
 * outside host).
 */
describe('scenario registry', () => {
  it('holds the twelve chapter scenarios under their stable ids, in book order', () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual([
      'edge-routing',
      'subset-v1',
      'edge-header-routing',
      'edge-route-order',
      'mesh-routing',
      'mesh-header-routing',
      'weighted-shift',
      'flagger-canary',
      'flagger-rollback',
      'mirroring',
      'egress-registry-only',
      'service-entry',
    ])
  })

  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s is complete', (id, s) => {
    expect(existsSync(new URL(`./${id}/scenario.ts`, import.meta.url)), 'scenario.ts').toBe(true)
    expect(existsSync(new URL(`./${id}/scenario.test.ts`, import.meta.url)), 'its offline test').toBe(true)
    expect(s.section).toMatch(/^5\.\d(\.\d)?$/)
    expect(s.title.length).toBeGreaterThan(10)
    expect(s.observation.length).toBeGreaterThan(10)
    expect(s.manifestSets.length, 'manifest sets').toBeGreaterThan(0)
    for (const set of s.manifestSets) {
      expect(set.files.length, `set ${set.name}`).toBeGreaterThan(0)
      for (const f of set.files) expect(loadManifest(f).length, f).toBeGreaterThan(0)
    }
    expect(s.checks.length, 'checks').toBeGreaterThan(0)
    for (const c of s.checks) {
      expect(c.proves.length, `${c.id} proves`).toBeGreaterThan(10)
      expect(c.hint.length, `${c.id} hint`).toBeGreaterThan(40)
    }
  })

  it('has unique scenario ids', () => {
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length)
  })

  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s applies exactly the manifests it declares',
    async (id, definition) => {
      const declared = manifestFiles(definition)
      const applied = new Set<string>()
      for (const options of [
        DEFAULT_OPTIONS,
        { ...DEFAULT_OPTIONS, existingCluster: true, egress: 'internet' as const },
      ]) {
        const fake = new FakeLab(CLUSTER_CONFIG)
        fake.internet = true
        const result = await runScenario(definition, fake.adapters(), options)
        for (const f of result.manifests) applied.add(f)
      }
      for (const f of applied) expect(declared, `${id} applies ${f} without declaring it`).toContain(f)
      for (const f of declared) expect([...applied], `${id} declares ${f} but never applies it`).toContain(f)
    },
    30_000,
  )
})
