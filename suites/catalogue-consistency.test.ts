import { describe, expect, it } from 'vitest'
import { CATALOGUE } from '../helpers/catalogue.js'
import { DEFAULT_OPTIONS, runScenario } from '../helpers/runner/scenario.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { ALL_SCENARIOS, CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'

/**
 * `plan` shows each scenario's manifests from the catalogue; the scenarios apply files
 * themselves. This keeps the two from drifting: every file a scenario applies is declared,
 * and every declared file is applied in one of the modes (the suite's cluster, or an existing
 * one, where egress uses a namespace Sidecar and the real outside host).
 */
describe('catalogue and scenarios agree on manifests', () => {
  it.each(ALL_SCENARIOS.map((s) => [s.id, s] as const))(
    '%s',
    async (id, definition) => {
      const declared = CATALOGUE.find((c) => c.id === id)?.manifests ?? []
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
