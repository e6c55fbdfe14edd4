import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { REPORTS_DIR } from '../runner/paths.js'
import { CHROMIUM, CHROMIUM_PATH, requireTool } from '../testing/external-tools.js'
import { HOSTILE, hostileRun } from '../testing/hostile.js'
import { startRecordingServer } from '../testing/recording-server.js'
import { BREAKAGE, buildRun } from '../testing/run-fixtures.js'
import { toHtml } from './html.js'
import type { RunRecord } from './model.js'

let run: RunRecord
beforeAll(async () => {
  run = await buildRun({ breakage: BREAKAGE })
}, 60_000)

async function withChromium<T>(body: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
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
    return await body(browser)
  } finally {
    await browser.close()
  }
}

/** What a page did: requests beyond the page itself, dialogs, errors, its final title. */
interface PageActivity {
  readonly otherRequests: string[]
  readonly dialogs: string[]
  readonly problems: string[]
}

async function watch(page: Page, pageUrl: string): Promise<PageActivity> {
  const activity: PageActivity = { otherRequests: [], dialogs: [], problems: [] }
  page.on('request', (r) => {
    if (r.url() !== pageUrl) activity.otherRequests.push(r.url())
  })
  page.on('dialog', (d) => {
    activity.dialogs.push(d.message())
    void d.dismiss()
  })
  page.on('console', (m) => {
    if (m.type() === 'error') activity.problems.push(m.text())
  })
  page.on('pageerror', (e) => activity.problems.push(e.message))
  // Anything but the page itself is refused before it leaves the browser, and counted above.
  await page.route('**/*', (route) =>
    route.request().url() === pageUrl ? route.continue() : route.abort('blockedbyclient'),
  )
  return activity
}

describe('index.html', () => {
  it('is self-contained: no script, no external reference', () => {
    const html = toHtml(run)
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i)
    expect(html.startsWith('<!doctype html>')).toBe(true)
  })

  it('renders in headless Chromium with every scenario, result and chart, and no console error', async (ctx) => {
    requireTool(ctx, CHROMIUM)
    const dir = join(REPORTS_DIR, 'ci')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'report-fixture.html')
    writeFileSync(file, toHtml(run))
    await withChromium(async (browser) => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
      const url = pathToFileURL(file).href
      const activity = await watch(page, url)
      await page.goto(url)
      expect(activity).toEqual({ otherRequests: [], dialogs: [], problems: [] })

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
    })
  }, 60_000)

  it('shows hostile strings from the cluster as text: no script runs, nothing loads, no element or handler is added', async (ctx) => {
    requireTool(ctx, CHROMIUM)
    const hostile = hostileRun(run)
    const html = toHtml(hostile)
    // Served over HTTP so that any relative reference (src=x) would reach this server too.
    const server = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(html)
    })
    try {
      await withChromium(async (browser) => {
        const page = await browser.newPage()
        const url = `${server.url}/index.html`
        const activity = await watch(page, url)
        await page.goto(url, { waitUntil: 'networkidle' })
        await page.mouse.move(10, 10)
        await page.mouse.move(500, 400)
        expect(activity).toEqual({ otherRequests: [], dialogs: [], problems: [] })
        expect(server.requests.map((r) => r.url)).toEqual(['/index.html'])
        expect(await page.title()).toBe('istio-traffic-conformance: FAIL')
        const dom = {
          active: await page
            .locator(
              'script, img, iframe, object, embed, link, a, form, input, base, meta[http-equiv], audio, video, foreignObject',
            )
            .count(),
          styles: await page.locator('style').count(),
          // A string, so the test needs no DOM typings: every on* attribute on any element.
          handlers: await page.evaluate<string[]>(
            '[...document.querySelectorAll("*")].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => e.tagName + " " + a.name))',
          ),
          svgs: await page.locator('svg').count(),
        }
        expect(dom).toEqual({ active: 0, styles: 1, handlers: [], svgs: expect.any(Number) })
        // Only the suite's own charts: the hostile </svg><svg ...> stayed text.
        expect(dom.svgs).toBe(toHtml(run).match(/<svg /g)?.length)
        const body = (await page.locator('body').textContent()) ?? ''
        expect(body).toContain(HOSTILE.script)
        expect(body).toContain(HOSTILE.img)
        expect(body).not.toContain('\u001b')
        expect(await page.locator('section[data-result="fail"]').count()).toBe(
          hostile.scenarios.length + hostile.missingResults.length,
        )
      })
    } finally {
      await server.close()
    }
  }, 60_000)
})
