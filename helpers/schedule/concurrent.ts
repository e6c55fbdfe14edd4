/**
 * Which scenarios may run at the same time, and when each starts. Pure.
 *
 * A scenario in its own namespace cannot disturb another's objects; what it can disturb is
 * what the whole mesh shares. Each scenario declares the mesh-wide things it changes
 * (`touches`) and those whose state its evidence depends on (`observes`). Two scenarios
 * interfere when one touches something the other touches or observes; interfering scenarios
 * never overlap in a schedule. What they share besides is the ingress and the node: those
 * running at once never send more requests together than the budget allows (budget.ts).
 */

import { type Budget, type Demand, NO_DEMAND, overBudget, totalDemand, withinBudget } from './budget.js'

/**
 * Mesh-wide state a scenario can change:
 * - `outbound-policy`: meshConfig.outboundTrafficPolicy (REGISTRY_ONLY while the egress
 *   scenarios run), read by every sidecar's outbound listener;
 * - `cluster-dns`: the CoreDNS hosts entry the hermetic service-entry adds for its stand-in.
 */
export type MeshWide = 'outbound-policy' | 'cluster-dns'

export interface Footprint {
  readonly touches: readonly MeshWide[]
  readonly observes: readonly MeshWide[]
}

export const NO_FOOTPRINT: Footprint = { touches: [], observes: [] }

export interface Job {
  readonly id: string
  readonly seconds: number
  readonly footprint: Footprint
  /** What it sends through the ingress at its peak; nothing when absent. */
  readonly demand?: Demand
}

/** How much may run at once: scenarios, and the requests they send together. */
export interface Limits {
  readonly maxConcurrent: number
  readonly budget: Budget
}

const demandOf = (job: Job): Demand => job.demand ?? NO_DEMAND

export interface Placement {
  readonly id: string
  readonly startS: number
  readonly endS: number
}

export type ScheduleMode = { readonly mode: 'serial' } | ({ readonly mode: 'concurrent' } & Limits)

export interface Schedule {
  readonly mode: ScheduleMode['mode']
  /** Every job, by start time (serial: in the order given). */
  readonly placements: readonly Placement[]
  readonly makespanS: number
  /** The jobs that decide the makespan, first to last: each starts when the one before it ends. */
  readonly criticalPath: readonly string[]
}

/** Whether two footprints may not overlap in time: one changes what the other changes or reads. */
export function interferes(a: Footprint, b: Footprint): boolean {
  const hits = (changes: readonly MeshWide[], other: Footprint) =>
    changes.some((m) => other.touches.includes(m) || other.observes.includes(m))
  return hits(a.touches, b) || hits(b.touches, a)
}

const overlaps = (a: Placement, startS: number, endS: number) => a.startS < endS && startS < a.endS

/**
 * The pending jobs to start now, beside those running: in the order given (the caller puts the
 * longest first), each that interferes with nothing running or already chosen and whose demand
 * fits in the budget beside theirs, while fewer than `maxConcurrent` run. A job that does not
 * fit is passed over, not waited for: a shorter one behind it may fit now. What `run` calls
 * whenever a scenario ends; `schedule` simulates it.
 */
export function startable<J extends Job>(
  pending: readonly J[],
  running: readonly Job[],
  limits: Limits,
): J[] {
  const chosen: J[] = []
  for (const job of pending) {
    const beside = [...running, ...chosen]
    if (beside.length >= limits.maxConcurrent) break
    if (beside.some((r) => interferes(job.footprint, r.footprint))) continue
    if (!withinBudget(totalDemand([...beside, job].map(demandOf)), limits.budget)) continue
    chosen.push(job)
  }
  return chosen
}

/**
 * The jobs that could never start, each with why: its demand alone exceeds the budget. Empty
 * when every job fits on its own (then each starts at the latest once all before it have
 * ended). `schedule` and `run` refuse such jobs up front rather than wait for them forever.
 */
export function neverStartable(jobs: readonly Job[], budget: Budget): string[] {
  return jobs.flatMap((j) => {
    const over = overBudget(demandOf(j), budget)
    return over.length ? [`${j.id} alone needs ${over.join(' and ')}: it could never start`] : []
  })
}

/** Longest first; ties keep the order given. */
export const longestFirst = <J extends Job>(jobs: readonly J[]): J[] =>
  jobs
    .map((j, i) => ({ j, i }))
    .sort((a, b) => b.j.seconds - a.j.seconds || a.i - b.i)
    .map(({ j }) => j)

/**
 * Serial: one after another, in the order given. Concurrent: what `run` does, simulated with
 * the jobs' expected durations: at the start and whenever a job ends, `startable` picks from
 * the pending ones, longest first. Greedy, so not always the shortest possible; `validate`
 * proves each schedule keeps the rules.
 */
export function schedule(jobs: readonly Job[], mode: ScheduleMode): Schedule {
  if (new Set(jobs.map((j) => j.id)).size !== jobs.length) throw new Error('schedule: job ids must be unique')
  const placements: Placement[] = []
  if (mode.mode === 'serial') {
    let t = 0
    for (const j of jobs) {
      placements.push({ id: j.id, startS: t, endS: t + j.seconds })
      t += j.seconds
    }
  } else {
    if (!(mode.maxConcurrent >= 1)) throw new Error('schedule: maxConcurrent must be at least 1')
    const never = neverStartable(jobs, mode.budget)
    if (never.length) throw new Error(`schedule: ${never.join('; ')}`)
    let pending = longestFirst(jobs)
    let running: { job: Job; endS: number }[] = []
    let now = 0
    while (pending.length > 0 || running.length > 0) {
      const start = startable(
        pending,
        running.map((r) => r.job),
        mode,
      )
      for (const job of start) {
        placements.push({ id: job.id, startS: now, endS: now + job.seconds })
        running.push({ job, endS: now + job.seconds })
      }
      pending = pending.filter((j) => !start.includes(j))
      if (running.length === 0) throw new Error('schedule: a pending job can never start')
      now = Math.min(...running.map((r) => r.endS))
      running = running.filter((r) => r.endS > now)
    }
    placements.sort((a, b) => a.startS - b.startS || a.endS - b.endS)
  }
  const makespanS = Math.max(0, ...placements.map((p) => p.endS))
  return { mode: mode.mode, placements, makespanS, criticalPath: criticalPathOf(placements) }
}

/** Back from the job that ends last, through a job that ended just as it started. */
function criticalPathOf(placements: readonly Placement[]): string[] {
  const path: string[] = []
  const makespan = Math.max(0, ...placements.map((p) => p.endS))
  let current = [...placements].reverse().find((p) => p.endS === makespan)
  while (current) {
    path.unshift(current.id)
    const { startS } = current
    current = startS > 0 ? placements.find((p) => p.endS === startS && p !== current) : undefined
  }
  return path
}

/**
 * What is wrong with a schedule, if anything: a job that could never start, a job missing or
 * doubled, interfering jobs overlapping, more than `maxConcurrent` at once, more requests at
 * once than the budget. Empty when it keeps every rule.
 */
export function validate(jobs: readonly Job[], s: Schedule, limits: Limits): string[] {
  const problems: string[] = [...neverStartable(jobs, limits.budget)]
  const footprintOf = new Map(jobs.map((j) => [j.id, j.footprint]))
  const demandById = new Map(jobs.map((j) => [j.id, demandOf(j)]))
  for (const j of jobs) {
    const placed = s.placements.filter((p) => p.id === j.id)
    const [only] = placed
    if (placed.length !== 1 || !only) problems.push(`${j.id} is placed ${placed.length} times`)
    else if (Math.abs(only.endS - only.startS - j.seconds) > 1e-9)
      problems.push(`${j.id} lasts ${only.endS - only.startS} s, not ${j.seconds} s`)
  }
  for (const [i, a] of s.placements.entries())
    for (const b of s.placements.slice(i + 1)) {
      const fa = footprintOf.get(a.id)
      const fb = footprintOf.get(b.id)
      if (fa && fb && overlaps(a, b.startS, b.endS) && interferes(fa, fb))
        problems.push(`${a.id} and ${b.id} interfere and overlap`)
    }
  // What runs at once changes only when a job starts: checking every start checks every instant.
  for (const p of s.placements) {
    const running = s.placements.filter((q) => q.startS <= p.startS && p.startS < q.endS)
    if (running.length > limits.maxConcurrent)
      problems.push(`${running.length} jobs run at ${p.startS} s (at most ${limits.maxConcurrent})`)
    const over = overBudget(totalDemand(running.map((q) => demandById.get(q.id) ?? NO_DEMAND)), limits.budget)
    if (over.length) problems.push(`at ${p.startS} s: ${over.join(', ')}`)
  }
  // Jobs starting together would each report the same instant.
  return [...new Set(problems)]
}
