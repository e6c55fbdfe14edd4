import { afterEach, describe, expect, it, vi } from 'vitest'
import { recordingTools } from '../../testing/recording-tools.js'
import { main } from '../main.js'
import { findCommand } from '../spec.js'

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/** A docker that records its calls: a refusal must come before any tool runs. */
function stubDocker() {
  const fake = recordingTools({ docker: { stderr: 'no daemon\n', exit: 1 } })
  vi.stubEnv('PATH', `${fake.dir}:${process.env.PATH}`)
  return fake
}
afterEach(() => vi.unstubAllEnvs())

describe('rehearse, refused before anything runs (exit 2)', () => {
  it('--help documents every flag', async () => {
    const { code, out } = await cli(['rehearse', '--help'])
    expect(code).toBe(0)
    for (const flag of findCommand('rehearse')?.flags ?? []) expect(out).toContain(`--${flag.name}`)
    expect(out).toContain('one of canary|in-place')
  })

  it('a jump longer than Istio supports names the chain to give as --via', async () => {
    const fake = stubDocker()
    const { code, err } = await cli(['rehearse', '--from', '1.28.10', '--to', '1.31.1'])
    expect(code).toBe(2)
    expect(err).toContain('Istio supports 2 per canary upgrade')
    expect(err).toContain('fix: rehearse it as that chain: --via 1.30.5')
    expect(fake.calls()).toEqual([])
  })

  it.each([
    [['rehearse', '--to', '1.31.1'], 'rehearse needs --from and --to'],
    [['rehearse', '--from', '1.31.5', '--to', '1.31.1'], 'nearest valid versions: 1.31.4, 1.30.5'],
    [
      ['rehearse', '--from', '1.30.5', '--to', '1.31.1', 'no-such-scenario'],
      "unknown scenario 'no-such-scenario'",
    ],
    [
      ['rehearse', '--from', '1.30.5', '--to', '1.31.1', '--method', 'yolo'],
      "unknown value 'yolo' for --method",
    ],
  ])('%j', async (argv, message) => {
    const fake = stubDocker()
    const { code, err } = await cli(argv)
    expect(code).toBe(2)
    expect(err).toContain(message)
    expect(fake.calls()).toEqual([])
  })
})

describe('plan --istio', () => {
  it('prints one JSON document naming the version and its node image', async () => {
    const { code, out, err } = await cli(['plan', '--istio', '1.30.5', '--json'])
    expect(code).toBe(0)
    expect(err).toBe('')
    const plan = JSON.parse(out)
    expect(plan.profile).toBe('istio-1.30.5')
    expect(plan.versions.istio.version).toBe('1.30.5')
    expect(plan.cluster.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/)
  })

  it('a line gives its newest known patch', async () => {
    expect(JSON.parse((await cli(['plan', '--istio', '1.29', '--json'])).out).versions.istio.version).toBe(
      '1.29.8',
    )
  })

  it('refuses a release it cannot confirm with exit 2 and the nearest valid versions', async () => {
    const { code, err } = await cli(['plan', '--istio', '1.31.5', '--json'])
    expect(code).toBe(2)
    expect(err).toContain('Istio 1.31.5 is not a release the suite can confirm')
    expect(err).toContain('fix: nearest valid versions: 1.31.4, 1.30.5')
  })

  it('up --istio refuses the same way before Docker is asked anything', async () => {
    const fake = stubDocker()
    const { code } = await cli(['up', '--istio', '1.40'])
    expect(code).toBe(2)
    expect(fake.calls()).toEqual([])
  })
})

describe('the runs a rehearsal makes', () => {
  it('are serial in the lab namespace (the one moved to the new revision), keeping --book-timing', async () => {
    const { rehearsalRunSwitches } = await import('./rehearse.js')
    expect([...rehearsalRunSwitches(new Set())]).toEqual(['serial'])
    expect([...rehearsalRunSwitches(new Set(['book-timing', 'rollback']))]).toEqual(['serial', 'book-timing'])
  })
})
