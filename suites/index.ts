import type { ScenarioDefinition } from '../helpers/runner/define.js'
import { scenario as edgeHeaderRouting } from './edge-header-routing/scenario.js'
import { scenario as edgeRouteOrder } from './edge-route-order/scenario.js'
import { scenario as edgeRouting } from './edge-routing/scenario.js'
import { scenario as egressRegistryOnly } from './egress-registry-only/scenario.js'
import { scenario as flaggerCanary } from './flagger-canary/scenario.js'
import { scenario as flaggerRollback } from './flagger-rollback/scenario.js'
import { scenario as meshHeaderRouting } from './mesh-header-routing/scenario.js'
import { scenario as meshRouting } from './mesh-routing/scenario.js'
import { scenario as mirroring } from './mirroring/scenario.js'
import { scenario as serviceEntry } from './service-entry/scenario.js'
import { scenario as subsetV1 } from './subset-v1/scenario.js'
import { scenario as weightedShift } from './weighted-shift/scenario.js'

/**
 * The registry: every scenario, in book order. `plan`, `run`, the reports and the tests read
 * this list and nothing else. Adding a scenario: see ARCHITECTURE.md, "Adding a scenario".
 */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  edgeRouting,
  subsetV1,
  edgeHeaderRouting,
  edgeRouteOrder,
  meshRouting,
  meshHeaderRouting,
  weightedShift,
  flaggerCanary,
  flaggerRollback,
  mirroring,
  egressRegistryOnly,
  serviceEntry,
]

export const SCENARIO_IDS: readonly string[] = SCENARIOS.map((s) => s.id)

export function scenarioById(id: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((s) => s.id === id)
}
