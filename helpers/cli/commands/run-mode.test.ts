import { describe, expect, it } from 'vitest'
import { UsageError } from '../../errors.js'
import { decideRunMode } from './run-mode.js'

type Input = Parameters<typeof decideRunMode>[0]
const base: Input = {
  serial: false,
  parallel: undefined,
  namespace: undefined,
  existingCluster: false,
  scenarios: 11,
}

describe('decideRunMode', () => {
  it("runs concurrently by default on the suite's own cluster, four at a time", () => {
    expect(decideRunMode(base)).toEqual({ mode: 'concurrent', maxConcurrent: 4 })
    expect(decideRunMode({ ...base, parallel: '2' })).toEqual({ mode: 'concurrent', maxConcurrent: 2 })
  })

  it('runs one after another with --serial, --namespace, on an existing cluster, or for one scenario', () => {
    expect(decideRunMode({ ...base, serial: true })).toMatchObject({ mode: 'serial', why: '--serial' })
    expect(decideRunMode({ ...base, namespace: 'itc-staging' })).toMatchObject({
      mode: 'serial',
      namespace: 'itc-staging',
    })
    expect(decideRunMode({ ...base, existingCluster: true })).toMatchObject({ mode: 'serial' })
    // Given, even as the book's namespace: the lab in one namespace.
    expect(decideRunMode({ ...base, namespace: 'istioinaction' })).toMatchObject({
      mode: 'serial',
      namespace: 'istioinaction',
    })
    expect(decideRunMode({ ...base, scenarios: 1 })).toMatchObject({ mode: 'serial' })
    expect(decideRunMode({ ...base, parallel: '1' })).toMatchObject({ mode: 'serial' })
  })

  it('refuses a --parallel that cannot apply, naming the fix', () => {
    const refused = (input: Partial<Input> & { parallel: string }) => {
      try {
        decideRunMode({ ...base, ...input })
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError)
        return (e as UsageError).message
      }
      throw new Error('not refused')
    }
    expect(refused({ parallel: 'four' })).toMatch(/not a whole number/)
    expect(refused({ parallel: '0' })).toMatch(/not a whole number/)
    expect(refused({ parallel: '2', serial: true })).toMatch(/contradict/)
    expect(refused({ parallel: '2', existingCluster: true })).toMatch(/needs the suite's own cluster/)
    expect(refused({ parallel: '2', namespace: 'team-a' })).toMatch(/--namespace team-a contradict/)
  })
})
