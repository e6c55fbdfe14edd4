import { describe, expect, it } from 'vitest'
import { Interrupts } from './interrupt.js'

function harness() {
  const said: string[] = []
  const exits: number[] = []
  const installs: boolean[] = []
  const interrupts = new Interrupts({ write: (l) => said.push(l), exit: (c) => exits.push(c) }, (handler) =>
    installs.push(handler !== undefined),
  )
  return { interrupts, said, exits, installs }
}

describe('Ctrl-C handling', () => {
  it('first press: stops new work, undoes, then exits 130; second: says what is left; the cleanup is not killed', async () => {
    const { interrupts, said, exits } = harness()
    let finish!: () => void
    const left = ['delete Deployment/istioinaction/forum (egress-registry-only)']
    interrupts.register({
      what: 'egress-registry-only: undo its changes',
      run: () =>
        new Promise<void>((resolve) => {
          finish = resolve
        }),
      remaining: () => left,
    })
    interrupts.press('SIGINT')
    expect(interrupts.signal.aborted).toBe(true)
    expect(said[0]).toBe(
      'SIGINT: stopping; undoing delete Deployment/istioinaction/forum (egress-registry-only). Ctrl-C again shows what is left; a third time abandons the cleanup',
    )
    interrupts.press('SIGINT')
    expect(said[1]).toBe(
      'cleanup still running, left: delete Deployment/istioinaction/forum (egress-registry-only). Press Ctrl-C once more to abandon it',
    )
    expect(exits).toEqual([])
    finish()
    await interrupts.settled()
    expect(said[2]).toBe('SIGINT: cleanup finished')
    expect(exits).toEqual([130])
  })

  it('third press: abandons the cleanup at once, naming what is left and the journal', () => {
    const { interrupts, said, exits } = harness()
    interrupts.journalLocation = '/repo/.journal/kind-istio-conformance.json'
    interrupts.register({
      what: 'x',
      run: () => new Promise<void>(() => undefined),
      remaining: () => ['restore ConfigMap/istio-system/istio (egress-registry-only)'],
    })
    interrupts.press('SIGTERM')
    interrupts.press('SIGTERM')
    interrupts.press('SIGTERM')
    expect(said[2]).toBe(
      "cleanup abandoned; left in the journal /repo/.journal/kind-istio-conformance.json: restore ConfigMap/istio-system/istio (egress-registry-only). Undo it with 'npm run conformance -- restore'",
    )
    expect(exits).toEqual([143])
  })

  it('installs the process handlers only while something is registered', () => {
    const { interrupts, installs } = harness()
    const off = interrupts.register({ what: 'a', run: async () => undefined })
    const off2 = interrupts.register({ what: 'b', run: async () => undefined })
    off()
    expect(installs).toEqual([true])
    off2()
    expect(installs).toEqual([true, false])
  })
})
