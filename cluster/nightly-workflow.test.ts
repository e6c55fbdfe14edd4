import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { newestIstio, previousLineNewest, resolveIstio } from './istio-releases.js'
import { PROFILE_NAMES } from './profiles.js'

/** The workflow schema validator from npm (@action-validator/core: the SchemaStore schema, in WebAssembly). */
const { validateWorkflow } = createRequire(import.meta.url)('@action-validator/core') as {
  validateWorkflow: (src: string) => {
    errors: { code: string; title: string; path?: string; detail?: string }[]
  }
}

const WORKFLOW = new URL('../.github/workflows/nightly.yml', import.meta.url)
const text = readFileSync(WORKFLOW, 'utf8')

interface Step {
  readonly name?: string
  readonly uses?: string
  readonly run?: string
  readonly if?: string
  readonly with?: Record<string, string>
}
interface Job {
  readonly strategy: { readonly matrix: { readonly include: readonly Record<string, string>[] } }
  readonly steps: readonly Step[]
}

const job = (parse(text) as { jobs: { conformance: Job } }).jobs.conformance
const include = job.strategy.matrix.include
const runs = job.steps.map((s) => s.run ?? '').join('\n')

/** A GitHub expression as the workflow writes it (not a template string). */
const expr = (inner: string) => ['$', '{{ ', inner, ' }}'].join('')

describe('.github/workflows/nightly.yml', () => {
  it('is a valid GitHub Actions workflow (validated offline against the workflow schema)', () => {
    expect(validateWorkflow(text).errors).toEqual([])
  })

  it('the validator rejects a broken workflow, so the check above can fail', () => {
    const broken = text.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04')
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0)
  })

  it('runs book, current and a rehearsal from the previous Istio line to the newest', () => {
    expect(include.map((m) => m.name)).toEqual(['book', 'current', 'rehearsal'])
    const profiles = include.flatMap((m) => (m.profile ? [m.profile] : []))
    expect(profiles).toEqual(['book', 'current'])
    for (const p of profiles) expect(PROFILE_NAMES).toContain(p)
    const rehearsal = include.find((m) => m.name === 'rehearsal')
    expect(rehearsal).toMatchObject({ from: previousLineNewest(), to: newestIstio() })
    for (const v of [rehearsal?.from, rehearsal?.to]) expect(resolveIstio(v ?? '').ok).toBe(true)
  })

  it('caches .tools/ and the images, uploads each report folder, publishes JUnit', () => {
    const uses = (action: string) => job.steps.filter((s) => s.uses?.startsWith(action))
    expect(uses('actions/cache@').map((s) => s.with?.path)).toEqual(['.tools', '.images'])
    expect(uses('actions/upload-artifact@')[0]?.with?.path).toBe(expr('env.OUT'))
    expect(uses('actions/upload-artifact@')[0]?.if).toBe('always()')
    expect(uses('mikepenz/action-junit-report@')[0]?.with?.report_paths).toBe(expr('env.JUNIT'))
    expect(runs).toContain('--report-dir "$OUT" --junit "$JUNIT"')
    expect(runs).toContain('docker load -i .images/images.tar')
  })

  it('fails on a newly failing check: report diff against the last good night, the rehearsal by its own diff', () => {
    expect(runs).toContain('report diff baseline "$OUT"')
    expect(runs).toMatch(/rehearse --from \$\{\{ matrix\.from \}\} --to \$\{\{ matrix\.to \}\}\s+--rollback/)
    // Only a successful night becomes the next baseline.
    expect(job.steps.filter((s) => s.name?.includes('baseline') && s.if).map((s) => s.if)).toEqual([
      'matrix.profile',
      'success() && matrix.profile',
      'success() && matrix.profile',
    ])
  })
})
