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
import type { PhaseKind, PhaseSpan, RunRecord } from './model.js'

let run: RunRecord
beforeAll(async () => {
  run = await buildRun({ breakage: BREAKAGE })
}, 60_000)

const T0 = Date.parse('2026-11-27T08:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()
/** Each scenario's steps: kind and seconds (times 1, 2 or 3 by scenario), half a second apart. */
const STEPS: readonly (readonly [PhaseKind, number])[] = [
  ['apply', 2],
  ['rollout', 20],
  ['converge', 3],
  ['measure', 15],
  ['cleanup', 4],
]

/**
 * The fixture's scenarios one after another, as a real run has them (the in-memory lab gives
 * every scenario its own clock): the run starts 5 s before the first and ends 2 s after the last.
 */
function sequentialRun(base: RunRecord): RunRecord {
  let t = T0 + 5_000
  const scenarios = base.scenarios.map((s, i) => {
    const startedAt = t
    const phases: PhaseSpan[] = []
    let at = t + 500
    for (const [kind, seconds] of STEPS) {
      const durationMs = seconds * 1000 * (1 + (i % 3))
      phases.push({ kind, label: `${s.id} ${kind}`, startedAt: iso(at), durationMs })
      at += durationMs + 500
    }
    t = at
    return { ...s, startedAt: iso(startedAt), endedAt: iso(at), phases }
  })
  return { ...base, startedAt: iso(T0), endedAt: iso(t + 2_000), scenarios }
}

/** Numbers of an SVG element's attributes, found in the page source by its class. */
function rects(html: string, cls: string): { x: number; width: number; kind?: string }[] {
  return [
    ...html.matchAll(
      new RegExp(
        `<rect class="${cls}"(?: data-kind="([^"]*)")? x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"`,
        'g',
      ),
    ),
  ].map((m) => ({ x: Number(m[2]), width: Number(m[3]), ...(m[1] !== undefined ? { kind: m[1] } : {}) }))
}

describe('the timeline', () => {
  it('draws one bar per scenario from its start to its end, in order, segmented by phase kind', () => {
    const seq = sequentialRun(run)
    const html = toHtml(seq)
    expect(html.match(/<svg class="chart timeline"/g)).toHaveLength(1)
    const bars = rects(html, 'bar')
    expect(bars).toHaveLength(seq.scenarios.length)
    expect([...html.matchAll(/<g class="scenario-row" data-scenario="([^"]+)"/g)].map((m) => m[1])).toEqual(
      seq.scenarios.map((s) => s.id),
    )
    // The first bar starts 5 s in, each next bar where the one before ended; the axis spans the run.
    const wall = Date.parse(seq.endedAt) - T0
    const scale = (bars[0]?.x ?? 0) - 170
    expect(scale / 450).toBeCloseTo(5_000 / wall, 3)
    for (const [i, bar] of bars.entries()) {
      const next = bars[i + 1]
      if (next) expect(next.x).toBeCloseTo(bar.x + bar.width, 0)
    }
    const last = bars.at(-1) as { x: number; width: number }
    expect((last.x + last.width - 170) / 450).toBeCloseTo((wall - 2_000) / wall, 3)
    // Every span is a segment inside its scenario's bar, coloured by kind.
    const segments = rects(html, 'phase')
    expect(segments).toHaveLength(seq.scenarios.length * STEPS.length)
    expect(new Set(segments.map((s) => s.kind))).toEqual(new Set(STEPS.map(([k]) => k)))
    for (const [i, bar] of bars.entries()) {
      const inBar = segments.slice(i * STEPS.length, (i + 1) * STEPS.length)
      for (const seg of inBar) {
        expect(seg.x).toBeGreaterThanOrEqual(bar.x)
        expect(seg.x + seg.width).toBeLessThanOrEqual(bar.x + bar.width + 0.2)
      }
      // The steps take all but the half seconds between them.
      const covered = inBar.reduce((sum, seg) => sum + seg.width, 0) / bar.width
      const seconds = STEPS.reduce((sum, [, s]) => sum + s, 0) * (1 + (i % 3))
      expect(covered).toBeCloseTo(seconds / (seconds + 0.5 * (STEPS.length + 1)), 2)
    }
  })

  it("states the run's wall time, labels the axis in minutes for a long run, and has a legend of the kinds drawn", () => {
    const seq = sequentialRun(run)
    const wall = Date.parse(seq.endedAt) - T0
    const html = toHtml(seq)
    const minutes = Math.floor(Math.round(wall / 1000) / 60)
    expect(html).toContain(
      `The run took ${minutes} min ${String(Math.round(wall / 1000) % 60).padStart(2, '0')} s from start to end.`,
    )
    expect([...html.matchAll(/<text class="tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      '0 min',
      '5 min',
      '10 min',
      '15 min',
    ])
    expect([...html.matchAll(/<g class="legend-item" data-kind="([^"]+)"/g)].map((m) => m[1])).toEqual([
      ...STEPS.map(([k]) => k),
      'other',
    ])
    expect(html).toContain('<title>rollout: edge-routing rollout (20.0 s)</title>')
    const ko = toHtml(seq, 'ko')
    expect(ko).toContain('<h2>타임라인</h2>')
    expect(ko).toContain('>롤아웃</text>')
    expect(ko).toContain('>15분</text>')
    expect(ko).toMatch(/실행은 처음부터 끝까지 \d+분 \d\d초 걸렸습니다\./)
  })

  it('a short run has an axis in seconds', () => {
    const seq = sequentialRun(run)
    const one = { ...seq, scenarios: seq.scenarios.slice(0, 1), endedAt: seq.scenarios[0]?.endedAt ?? '' }
    expect([...toHtml(one).matchAll(/<text class="tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      '0 s',
      '10 s',
      '20 s',
      '30 s',
      '40 s',
      '50 s',
    ])
  })

  it('is absent for a record of schema 2, whose timings still show each scenario', () => {
    const old = { ...run, scenarios: run.scenarios.map(({ phases: _phases, ...s }) => s) }
    const html = toHtml(old)
    expect(html).not.toContain('class="chart timeline"')
    expect(html).not.toContain('<h2>Timeline</h2>')
    expect(html.match(/<svg class="chart timings"[\s\S]*?<\/svg>/)?.[0].match(/<rect /g)).toHaveLength(
      run.upTimings.length + run.scenarios.length,
    )
    // With a timeline, the timings keep up's phases only.
    expect(
      toHtml(run)
        .match(/<svg class="chart timings"[\s\S]*?<\/svg>/)?.[0]
        .match(/<rect /g),
    ).toHaveLength(run.upTimings.length)
  })

  it('shows a hostile scenario id, phase label and kind as text', () => {
    const html = toHtml(hostilePhases(sequentialRun(run)))
    expect(html).not.toContain(HOSTILE.svgBreakout)
    expect(html).not.toContain(HOSTILE.script)
    expect(html.match(/<svg /g)).toHaveLength(toHtml(sequentialRun(run)).match(/<svg /g)?.length ?? -1)
    expect(html).toContain('&lt;/text&gt;&lt;/svg&gt;&lt;svg onload=')
    expect(html).toContain(`data-scenario="${'&quot; onmouseover=&quot;'}`)
  })
})

/** Hostile words where a record holds a scenario's id and its phases' labels and kinds. */
function hostilePhases(base: RunRecord): RunRecord {
  const r = structuredClone(base) as unknown as {
    scenarios: { id: string; phases: { kind: string; label: string }[] }[]
  }
  const [first, second] = r.scenarios
  if (!first || !second) throw new Error('the fixture has scenarios')
  first.id = HOSTILE.svgBreakout
  second.id = HOSTILE.attributeBreakout
  for (const s of r.scenarios)
    for (const p of s.phases) {
      p.label = `${HOSTILE.script} ${HOSTILE.svgBreakout}`
    }
  if (first.phases[0]) first.phases[0].kind = HOSTILE.svgBreakout
  return r as unknown as RunRecord
}

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
    const shown = sequentialRun(run)
    writeFileSync(file, toHtml(shown))
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
      expect(await page.locator('svg.chart.timings rect').count()).toBe(run.upTimings.length)
      // The timeline: one row per scenario, its bar where it ran, its steps inside it.
      const rows = page.locator('svg.chart.timeline g.scenario-row')
      expect(await rows.count()).toBe(shown.scenarios.length)
      let previousEnd = Number.NEGATIVE_INFINITY
      for (const [i, s] of shown.scenarios.entries()) {
        const row = rows.nth(i)
        expect(await row.getAttribute('data-scenario')).toBe(s.id)
        expect(await row.locator('text').textContent()).toBe(s.id)
        const bar = await row.locator('rect.bar').boundingBox()
        if (!bar) throw new Error(`no bar drawn for ${s.id}`)
        expect(bar.width).toBeGreaterThan(10)
        // A failed scenario's bar has a 1-unit outline, which its box includes.
        expect(bar.x).toBeGreaterThanOrEqual(previousEnd - 2)
        previousEnd = bar.x + bar.width
        const phases = row.locator('rect.phase')
        expect(await phases.count()).toBe(STEPS.length)
        for (let j = 0; j < STEPS.length; j++) {
          const box = await phases.nth(j).boundingBox()
          if (!box) throw new Error(`no segment drawn for ${s.id}`)
          expect(box.x).toBeGreaterThanOrEqual(bar.x - 1)
          expect(box.x + box.width).toBeLessThanOrEqual(bar.x + bar.width + 1)
        }
      }
      expect(await page.locator('svg.chart.timeline g.legend-item').count()).toBe(STEPS.length + 1)
      expect(await page.locator('section.timeline p.wall-time').textContent()).toMatch(
        /^The run took \d+ min \d\d s from start to end\./,
      )
      await page.screenshot({ path: join(dir, 'report-screenshot.png'), fullPage: true })
    })
  }, 60_000)

  it('shows hostile strings from the cluster as text: no script runs, nothing loads, no element or handler is added', async (ctx) => {
    requireTool(ctx, CHROMIUM)
    const hostile = hostilePhases(hostileRun(sequentialRun(run)))
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
