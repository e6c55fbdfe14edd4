import type { TestContext } from 'vitest'
import { describe, expect, it, vi } from 'vitest'
import { type ExternalTool, missingToolMessage, requireTool, strictTools } from './external-tools.js'

const absent: ExternalTool = { name: 'frobtool', available: () => false, install: 'apt-get install frobtool' }
const present: ExternalTool = { ...absent, available: () => true }

function fakeContext() {
  const skip = vi.fn((note?: string) => {
    throw new Error(`skipped: ${note}`)
  })
  return { ctx: { task: { name: 'a test' }, skip } as unknown as TestContext, skip }
}

describe('requireTool', () => {
  it('does nothing when the tool is there', () => {
    const { ctx, skip } = fakeContext()
    requireTool(ctx, present, { CI: 'true' })
    expect(skip).not.toHaveBeenCalled()
  })

  it('fails the test under CI=true, saying how to install the tool', () => {
    const { ctx, skip } = fakeContext()
    expect(() => requireTool(ctx, absent, { CI: 'true' })).toThrow(
      'frobtool is not installed: apt-get install frobtool (Debian), or see README "Tests"',
    )
    expect(skip).not.toHaveBeenCalled()
  })

  it('skips locally with the reason, printed and recorded', () => {
    const { ctx, skip } = fakeContext()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      expect(() => requireTool(ctx, absent, {})).toThrow('skipped:')
      expect(skip).toHaveBeenCalledWith(missingToolMessage(absent))
      expect(warn).toHaveBeenCalledWith(`skipped "a test": ${missingToolMessage(absent)}`)
    } finally {
      warn.mockRestore()
    }
  })

  it('reads CI as CI systems set it', () => {
    expect([undefined, '', 'false', '0'].map((CI) => strictTools({ CI }))).toEqual([
      false,
      false,
      false,
      false,
    ])
    expect(['true', '1', 'yes'].map((CI) => strictTools({ CI }))).toEqual([true, true, true])
  })
})
