import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { makeTempDir, tempDir } from './temp-dir.js'

describe('tempDir', () => {
  let made = ''
  it('makes an itc- folder in the OS temp directory inside a test', () => {
    made = tempDir('probe')
    expect(made).toMatch(/itc-probe-[^/]+$/)
    expect(existsSync(made)).toBe(true)
  })
  it('removed it when that test finished', () => {
    expect(made).not.toBe('')
    expect(existsSync(made)).toBe(false)
  })
})

let collected = ''
describe('a folder made while collecting', () => {
  collected = tempDir('collected')
  it('exists during the block', () => expect(existsSync(collected)).toBe(true))
})
describe('after that block', () => {
  it('is gone', () => expect(existsSync(collected)).toBe(false))
})

describe('makeTempDir', () => {
  it('returns the folder and its removal, for beforeAll hooks', () => {
    const dir = makeTempDir('hook')
    expect(existsSync(dir.path)).toBe(true)
    dir.remove()
    expect(existsSync(dir.path)).toBe(false)
  })
})
