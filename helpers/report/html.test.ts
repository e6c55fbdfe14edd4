import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { REPORTS_DIR } from '../runner/paths.js'
import { BREAKAGE, buildRun } from '../testing/run-fixtures.js'
import { toHtml } from './html.js'
import type { RunRecord } from './model.js'

const CHROMIUM = '/usr/bin/chromium'
// CI installs Debian's chromium (see .ci/run); elsewhere this test needs it too, or is skipped.
const available = existsSync(CHROMIUM)
if (!available && process.env.CI)
  throw new Error(`${CHROMIUM} is missing: .ci/run installs the Debian package chromium`)

let run: RunRecord
beforeAll(async () => {
  run = await buildRun({ breakage: BREAKAGE })
}, 60_000)

describe('index.html', () => {
  it('is self-contained: no script, no external reference', () => {
    const html = toHtml(run)
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i)
    expect(html.startsWith('<!doctype html>')).toBe(true)
  })

  it.skipIf(!available)(
    'renders in headless Chromium with every scenario, result and chart, and no console error',
    async () => {
      const dir = join(REPORTS_DIR, 'ci')
      mkdirSync(dir, { recursive: true })
      const file = join(dir, 'report-fixture.html')
      writeFileSync(file, toHtml(run))
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
        const problems: string[] = []
        const requests: string[] = []
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text())
        })
        page.on('pageerror', (e) => problems.push(e.message))
        page.on('request', (r) => requests.push(r.url()))
        await page.goto(pathToFileURL(file).href)
        expect(problems).toEqual([])
        expect(requests).toEqual([pathToFileURL(file).href])

        expect(await page.locator('#overall').textContent()).toBe('FAIL')
        for (const s of run.scenarios) {
          const section = page.locator(`section[data-scenario="${s.id}"]`)
          await expect(section.locator('h2').textContent()).resolves.toContain(s.id)
          expect(await section.getAttribute('data-result')).toBe(s.passed ? 'pass' : 'fail')
          expect(await section.locator('tr[data-check]').count()).toBe(s.checks.length)
          expect(await section.locator('tr[data-result="fail"] .hint').count()).toBe(
            s.checks.filter((c) => !c.passed).length,
          )
          for (const c of s.checks) {
            if (c.evidence.kind === 'ratio')
              expect(
                await section.locator(`svg.chart.ratio[data-check="${c.check}"] circle.observed`).count(),
              ).toBe(1)
            if (c.evidence.kind === 'mirror-count')
              expect(await section.locator('svg.chart.mirror-counts').count()).toBe(1)
            if (c.evidence.kind === 'access-log-match')
              expect(await section.locator(`tr[data-check="${c.check}"] pre.evidence-lines`).count()).toBe(1)
          }
        }
        const canary = page.locator('section[data-scenario="flagger-canary"] svg.chart.canary-timeline')
        expect(await canary.count()).toBe(1)
        expect(await canary.locator('path.weight').count()).toBe(1)
        expect(await canary.locator('line.phase-change').count()).toBeGreaterThan(2)
        expect(await page.locator('svg.chart.timings rect').count()).toBe(
          run.upTimings.length + run.scenarios.length,
        )
        await page.screenshot({ path: join(dir, 'report-screenshot.png'), fullPage: true })
      } finally {
        await browser.close()
      }
    },
    60_000,
  )
})
