/**
 * The requests scenarios running at once may send through the ingress together. Pure.
 *
 * Concurrent scenarios share the ingress gateway, the node and the runner's own process. Each
 * check's evidence is judged against error bounds that stay as they are (at most 0.1% of its
 * responses), so the run plans what it sends at once rather than hoping the node copes: every
 * scenario's demand is data (helpers/runner/demand.ts derives it from what the scenario uses,
 * and suites/demand.test.ts holds it to what its body does), and the dispatcher never starts a
 * scenario whose demand, beside those running, would exceed the budget (concurrent.ts).
 */

/** Connections one sampler opens: one keep-alive connection per lane (helpers/http/sampler.ts). */
export const SAMPLER_CONNECTIONS = 8

/**
 * What a scenario sends through the ingress at its peak, each resource at its own peak (a
 * scenario that samples and drives load, one after the other, is charged both at once, for
 * its whole run: the dispatcher cannot know when each part falls).
 */
export interface Demand {
  /** Sampler connections open at once (closed-loop: each sends its next request on an answer). */
  readonly samplerConnections: number
  /** Requests per second of steady background load (open-loop: paced by the clock). */
  readonly loadRps: number
}

/** The most the runner may send at once: the same two quantities, summed over those running. */
export type Budget = Demand

export const NO_DEMAND: Demand = { samplerConnections: 0, loadRps: 0 }

/**
 * The request budget of a concurrent run, and where its numbers come from:
 * - 32 sampler connections: four scenarios at once (run's default --parallel, one per core of
 *   the 4-core machine issue #17 names), each measuring with one sampler of SAMPLER_CONNECTIONS.
 * - 186 requests per second of load: the two Flagger scenarios' loads side by side,
 *   flagger-canary's 161/s (the rate each weight step's exact test needs: canaryLoadPlan) and
 *   flagger-rollback's 25/s (what Flagger's success-rate query needs, its scenario has the
 *   arithmetic). They must fit together, or the run would be two Flagger scenarios long.
 * No more than this has been shown not to distort the evidence: suites/request-budget.test.ts
 * drives this whole budget at once through the real sampler and load generator against a local
 * server and finds no error of the client's making and each load within its rate tolerance.
 * Raise a number only with that test driving the new figure. What it cannot show is the
 * ingress gateway's side (no cluster there): a node too small for the budget shows as errors or
 * timeouts in the checks' own evidence, judged by the unchanged error bounds, never as a pass.
 */
export const REQUEST_BUDGET: Budget = {
  samplerConnections: 4 * SAMPLER_CONNECTIONS,
  loadRps: 186,
}

/** The demand of several scenarios running together. */
export function totalDemand(demands: readonly Demand[]): Demand {
  return demands.reduce(
    (sum, d) => ({
      samplerConnections: sum.samplerConnections + d.samplerConnections,
      loadRps: sum.loadRps + d.loadRps,
    }),
    NO_DEMAND,
  )
}

/** Whether `demand` fits within the budget (totals exactly at the budget fit). */
export function withinBudget(demand: Demand, budget: Budget): boolean {
  return demand.samplerConnections <= budget.samplerConnections && demand.loadRps <= budget.loadRps
}

/** What of `demand` exceeds the budget, in words; empty when it fits. */
export function overBudget(demand: Demand, budget: Budget): string[] {
  return [
    ...(demand.samplerConnections > budget.samplerConnections
      ? [`${demand.samplerConnections} sampler connections (budget ${budget.samplerConnections})`]
      : []),
    ...(demand.loadRps > budget.loadRps
      ? [`${demand.loadRps} req/s of load (budget ${budget.loadRps})`]
      : []),
  ]
}

/** The most a schedule sends at once, each quantity at its own peak, and when each is first reached. */
export interface PeakDemand extends Demand {
  readonly samplerConnectionsAtS: number
  readonly loadRpsAtS: number
}

/**
 * The peak demand of placed jobs: totals change only when one starts, so the peak is at some
 * start, counting the jobs running then (a job ending as another starts is no longer running).
 */
export function peakDemand(
  placements: readonly { readonly id: string; readonly startS: number; readonly endS: number }[],
  demandOf: (id: string) => Demand,
): PeakDemand {
  let peak: PeakDemand = { ...NO_DEMAND, samplerConnectionsAtS: 0, loadRpsAtS: 0 }
  for (const p of [...placements].sort((a, b) => a.startS - b.startS)) {
    const at = totalDemand(
      placements.filter((q) => q.startS <= p.startS && p.startS < q.endS).map((q) => demandOf(q.id)),
    )
    if (at.samplerConnections > peak.samplerConnections)
      peak = { ...peak, samplerConnections: at.samplerConnections, samplerConnectionsAtS: p.startS }
    if (at.loadRps > peak.loadRps) peak = { ...peak, loadRps: at.loadRps, loadRpsAtS: p.startS }
  }
  return peak
}
