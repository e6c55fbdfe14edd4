import { type Demand, SAMPLER_CONNECTIONS } from '../schedule/budget.js'
import type { CheckDesign } from '../stats/run-budget.js'
import type { ScenarioDefinition } from './define.js'

/**
 * Designs the Lab measures with the sampler (lab.expectOnly, lab.expectShare). The canary's
 * steps are measured on its steady load instead; the other kinds send nothing of their own.
 */
const SAMPLED: ReadonlySet<CheckDesign['kind']> = new Set(['ratio', 'zero-tolerance'])

/**
 * What a scenario sends through the ingress at its peak, from what it declares. Sampler
 * connections: one sampler's when any check is measured by sampling, as the Lab measures one
 * check at a time (its convergence gate's single connection comes before, never beside, it).
 * Load: the rate its declaration states. suites/demand.test.ts holds both to what each body
 * does in the in-memory lab. Pure.
 */
export function demandOf(definition: Pick<ScenarioDefinition, 'checks' | 'loadRps'>): Demand {
  return {
    samplerConnections: definition.checks.some((c) => SAMPLED.has(c.design.kind)) ? SAMPLER_CONNECTIONS : 0,
    loadRps: definition.loadRps,
  }
}
