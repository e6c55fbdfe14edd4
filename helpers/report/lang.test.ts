import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { renderRunSummary } from '../cli/commands/run.js'
import { CHROMIUM, CHROMIUM_PATH, requireTool } from '../testing/external-tools.js'
import { CONTROL_CHARACTER, HOSTILE, hostileRun } from '../testing/hostile.js'
import { recordingTools } from '../testing/recording-tools.js'
import { BREAKAGE, buildRun } from '../testing/run-fixtures.js'
import { tempDir } from '../testing/temp-dir.js'
import { analyzeLines, type DiagnosticsSource, writeDiagnostics } from './diagnostics.js'
import { istioctlAnalyze } from './diagnostics-source.js'
import { toHtml } from './html.js'
import type { RunRecord } from './model.js'
import { rejudge } from './rejudge.js'
import { toMarkdown } from './summary.js'

/**
 * The reports in Korean: the same record rendered in another language at render time. English
 * stays the default and unchanged; the record (its causes) is never touched, so rejudge agrees.
 */
let failing: RunRecord
beforeAll(async () => {
  failing = await buildRun({ breakage: BREAKAGE })
}, 60_000)

describe('reports in Korean', () => {
  it('HTML: lang="ko", headings, scenario titles, causes and hints in Korean; hints name the run context', () => {
    const html = toHtml(failing, 'ko')
    expect(html).toContain('<html lang="ko">')
    expect(html).toContain('Istio in Action 5장 트래픽 제어')
    expect(html).toContain('DestinationRule subset으로 모든 엣지 트래픽을 catalog v1에 고정하기')
    expect(html).toContain('<th>결과</th><th>검사</th><th>원인과 증거</th>')
    expect(html).toMatch(/v2 비율 [\d.]+% \(\d+\/\d+\)이\(가\) 기대 비율 10\.0%와 맞지 않습니다/)
    expect(html).toContain(
      '<div class="hint">힌트: VirtualService의 weight (90/10)를 webapp sidecar의 라우트와 비교하세요 (<code>istioctl --context kind-istio-conformance proxy-config routes deploy/webapp -n istioinaction --name 80 -o json</code>)',
    )
    expect(html).toContain('Kubernetes v1.26.15 위의 Istio 1.17.8 (프로필 book, Flagger 1.36.1)')
  })

  it('English stays the default, and the record is untouched: rejudge finds nothing', () => {
    expect(toHtml(failing)).toBe(toHtml(failing, 'en'))
    expect(toHtml(failing)).toContain('<html lang="en">')
    expect(toHtml(failing)).toContain('Istio in Action, chapter 5 traffic control')
    const before = JSON.stringify(failing)
    toHtml(failing, 'ko')
    toMarkdown(failing, 'ko')
    expect(JSON.stringify(failing)).toBe(before)
    const expected = Object.fromEntries(failing.scenarios.map((s) => [s.id, s.checks.map((c) => c.check)]))
    expect(rejudge(failing, expected).differences).toEqual([])
  })

  it('Markdown in Korean keeps its table and escapes what the cluster said', () => {
    const md = toMarkdown(failing, 'ko')
    expect(md.split('\n')[0]).toMatch(
      /^\*\*실패\*\*: 검사 \d+개 통과, \d+개 실패; Kubernetes v1\.26\.15 위의 Istio 1\.17\.8/,
    )
    expect(md).toContain('| 검사 | 결과 | 원인과 증거 | 핵심 수치 |')
    expect(md).toContain('- `share-10` 힌트: ')
    const hostile = toMarkdown(hostileRun(failing), 'ko')
    expect(hostile).not.toMatch(CONTROL_CHARACTER)
    // As in English: outside code spans every '<' and '[' is escaped, and rows keep their columns.
    const prose = hostile.replace(/(`+)(?!`)[^\n]*?[^`]\1(?!`)/g, '')
    expect(prose).not.toMatch(/(^|[^\\])[<[]/m)
    // Every row has the cells of its table's header (the catalogue's own row).
    let header: number | undefined
    for (const line of hostile.split('\n')) {
      const pipes = line.startsWith('|') ? (line.replace(/\\\|/g, '').match(/\|/g)?.length ?? 0) : undefined
      header = pipes === undefined ? undefined : (header ?? pipes)
      expect(pipes, line).toBe(header)
    }
    expect(hostile).toContain('\\<script\\>document.title="PWNED-script"\\</script\\>')
  })

  it('the terminal summary in Korean', () => {
    const text = renderRunSummary(failing.scenarios, ['mirroring'], 'ko', {
      context: 'kind-istio-conformance',
    })
    expect(text).toContain('실패 weighted-shift [5.3] weight로 트래픽 옮기기: 90/10, 50/50, 0/100')
    expect(text).toContain('       힌트: VirtualService의 weight (90/10)를')
    expect(text).toContain('`istioctl --context kind-istio-conformance proxy-config routes deploy/webapp')
    expect(text).toContain('실패 mirroring: 실행되지 않음 (그 전에 실행이 멈췄습니다)')
    expect(text.split('\n').at(-1)).toMatch(/^시나리오 13개: 통과 \d+, 실패 \d+; 검사: 통과 \d+, 실패 \d+$/)
    expect(renderRunSummary(failing.scenarios, [])).toContain(
      'FAIL weighted-shift [5.3] Shift traffic by weight',
    )
  })

  it('the Korean page keeps hostile strings inert in a real browser', async (ctx) => {
    requireTool(ctx, CHROMIUM)
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu'],
    })
    try {
      const page = await browser.newPage()
      await page.route('**/*', (route) => route.abort())
      await page.setContent(toHtml(hostileRun(failing), 'ko'))
      expect(
        await page
          .locator('script, img, iframe, object, embed, link, a, form, input, base, foreignObject')
          .count(),
      ).toBe(0)
      expect(await page.locator('html').getAttribute('lang')).toBe('ko')
      // The script shows as text, and never ran.
      expect(await page.locator('body').textContent()).toContain(HOSTILE.script)
      expect(await page.title()).toBe('istio-traffic-conformance: FAIL')
    } finally {
      await browser.close()
    }
  }, 60_000)
})

describe('istioctl analyze beside the behaviour in a failed run', () => {
  const source = (analyze: DiagnosticsSource['analyze']): DiagnosticsSource => ({
    istioResources: async () => 'kind: VirtualService\n',
    proxyRoutes: async () => '{}',
    events: async () => '',
    tail: async () => [],
    ...(analyze ? { analyze } : {}),
  })

  it('runs istioctl analyze -n <ns> -o json on the run context as an argument array, and writes its messages worst first', async () => {
    const tools = recordingTools({
      istioctl: {
        stdout: JSON.stringify([
          {
            code: 'IST0102',
            level: 'Info',
            message: 'The namespace is not enabled for Istio injection.',
            origin: 'Namespace default',
          },
          {
            code: 'IST0101',
            level: 'Error',
            message: 'Referenced host not found: "catalogue"',
            origin: 'VirtualService istioinaction/catalog',
          },
        ]),
      },
    })
    const report = await istioctlAnalyze({
      istioctl: tools.paths.istioctl,
      namespace: 'istioinaction',
      context: 'kind-istio-conformance',
      kubeconfig: '/home/me/.kube/lab',
    })
    expect(tools.calls()).toEqual([
      [
        'istioctl',
        'analyze',
        '-n',
        'istioinaction',
        '-o',
        'json',
        '--context',
        'kind-istio-conformance',
        '--kubeconfig',
        '/home/me/.kube/lab',
      ],
    ])
    const dir = tempDir('diag')
    const files = await writeDiagnostics(
      dir,
      source(async () => report),
      'istioinaction',
      [],
    )
    expect(files).toContain('istioctl-analyze.txt')
    const text = readFileSync(join(dir, 'istioctl-analyze.txt'), 'utf8')
    expect(text.split('\n').slice(1, 3)).toEqual([
      'Error [IST0101] (VirtualService istioinaction/catalog) Referenced host not found: "catalogue"',
      'Info [IST0102] (Namespace default) The namespace is not enabled for Istio injection.',
    ])
  })

  it('says why when istioctl is absent, fails or prints something else, and still writes the rest', async () => {
    expect(analyzeLines(await istioctlAnalyze({ istioctl: undefined, namespace: 'n', context: 'c' }))).toBe(
      'istioctl analyze: not run (no istioctl on PATH or in .tools/)\n',
    )
    const failing = recordingTools({
      istioctl: { exit: 1, stderr: 'Error: context "c" does not exist\nmore' },
    })
    expect(await istioctlAnalyze({ istioctl: failing.paths.istioctl, namespace: 'n', context: 'c' })).toEqual(
      {
        kind: 'failed',
        reason: 'exit 1: Error: context "c" does not exist',
      },
    )
    const odd = recordingTools({ istioctl: { stdout: 'Warning [IST0130] ...', stderr: '' } })
    expect(
      await istioctlAnalyze({ istioctl: odd.paths.istioctl, namespace: 'n', context: 'c' }),
    ).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('not JSON'),
    })
    const dir = tempDir('diag')
    const files = await writeDiagnostics(dir, source(undefined), 'istioinaction', [])
    expect(files).not.toContain('istioctl-analyze.txt')
  })
})
