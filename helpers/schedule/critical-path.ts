/**
 * The earliest schedule of steps that wait for each other (a DAG) and its critical path: the
 * chain of steps whose durations add up to the whole. `up` plans its phases with it. Pure.
 */

export interface Step {
  readonly id: string
  readonly seconds: number
  /** Steps that must end before this one starts. */
  readonly after: readonly string[]
}

export interface Timed {
  readonly id: string
  readonly startS: number
  readonly endS: number
}

export interface DagSchedule {
  /** Every step at its earliest start, in the order given. */
  readonly steps: readonly Timed[]
  readonly makespanS: number
  /** The steps that decide the makespan, first to last. */
  readonly criticalPath: readonly string[]
}

/** Earliest starts and the critical path. Throws on an unknown step or a cycle (a planning bug). */
export function scheduleDag(steps: readonly Step[]): DagSchedule {
  const byId = new Map(steps.map((s) => [s.id, s]))
  if (byId.size !== steps.length) throw new Error('scheduleDag: step ids must be unique')
  for (const s of steps)
    for (const d of s.after)
      if (!byId.has(d)) throw new Error(`scheduleDag: ${s.id} waits for unknown step ${d}`)
  const end = new Map<string, number>()
  const visiting = new Set<string>()
  const endOf = (id: string): number => {
    const known = end.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) throw new Error(`scheduleDag: ${id} waits for itself (a cycle)`)
    visiting.add(id)
    const step = byId.get(id) as Step
    const start = Math.max(0, ...step.after.map(endOf))
    visiting.delete(id)
    const value = start + step.seconds
    end.set(id, value)
    return value
  }
  const timed = steps.map((s) => {
    const endS = endOf(s.id)
    return { id: s.id, startS: endS - s.seconds, endS }
  })
  const makespanS = Math.max(0, ...timed.map((t) => t.endS))
  const path: string[] = []
  // From the last step to end, back through the predecessor that ended last (ties: first given).
  let current = timed.find((t) => t.endS === makespanS)
  while (current) {
    path.unshift(current.id)
    const { startS } = current
    const deps = (byId.get(current.id) as Step).after
    current = timed.find((t) => deps.includes(t.id) && t.endS === startS && startS > 0)
  }
  return { steps: timed, makespanS, criticalPath: path }
}
