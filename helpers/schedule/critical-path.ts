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
  const timing = new Map<string, Timed>()
  const visiting = new Set<string>()
  const timedOf = (id: string): Timed => {
    const known = timing.get(id)
    if (known) return known
    if (visiting.has(id)) throw new Error(`scheduleDag: ${id} waits for itself (a cycle)`)
    visiting.add(id)
    const step = byId.get(id) as Step
    const startS = Math.max(0, ...step.after.map((d) => timedOf(d).endS))
    visiting.delete(id)
    const value = { id, startS, endS: startS + step.seconds }
    timing.set(id, value)
    return value
  }
  const timed = steps.map((s) => timedOf(s.id))
  const makespanS = Math.max(0, ...timed.map((t) => t.endS))
  // Back from the step that ends last (the last given on a tie, so a zero-second step that ends
  // with it is on the path), through the predecessor whose end is its start: the one that
  // decided when it could start. A step whose start no predecessor decided starts the path.
  const path: string[] = []
  let current = [...timed].reverse().find((t) => t.endS === makespanS)
  while (current) {
    path.unshift(current.id)
    const { startS } = current
    const deps = (byId.get(current.id) as Step).after
    current = [...timed].reverse().find((t) => deps.includes(t.id) && t.endS === startS)
  }
  return { steps: timed, makespanS, criticalPath: path }
}
