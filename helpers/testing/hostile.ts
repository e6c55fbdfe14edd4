import type { Evidence } from '../evidence/index.js'
import type { RunRecord } from '../report/model.js'

/**
 * Strings a hostile or broken cluster could put into evidence (pod names, log lines, messages,
 * versions): markup, script, links, terminal escapes, control characters. For output tests.
 */
export const HOSTILE = {
  script: '<script>document.title="PWNED-script"</script>',
  img: '<img src=x onerror="document.title=\'PWNED-img\'">',
  svgBreakout: '</text></svg><svg onload="document.title=\'PWNED-svg\'"><text>',
  javascriptUrl: '<a href="javascript:document.title=\'PWNED-link\'">click</a> javascript:alert(1)',
  attributeBreakout: '" onmouseover="document.title=\'PWNED-attr\'" x=\'',
  styleImport: '<style>@import url(http://127.0.0.1:9/x.css)</style>',
  iframe: '<iframe src="http://127.0.0.1:9/"></iframe>',
  markdown:
    '| col | `code` **bold** [link](http://127.0.0.1:9/) ![img](http://127.0.0.1:9/i.png) www.example.invalid $x$ # &lt;',
  ansiColour: '\u001b[31mred\u001b[0m \u001b[2J\u001b[H cleared',
  osc8: '\u001b]8;;http://127.0.0.1:9/\u001b\\hyperlink\u001b]8;;\u001b\\',
  oscTitle: '\u001b]0;owned title\u0007after title',
  controls: 'nul\u0000 bel\u0007 bs\u0008 cr\r del\u007f c1\u0085 csi8\u009b31m bidi\u202e txt',
  newlineForgery: 'fine\nPASS forged-scenario: every check passed',
} as const

export const HOSTILE_TEXT: string = Object.values(HOSTILE).join(' ')

/** Terminal control characters and escapes that must never reach a terminal or a Markdown file. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point.
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] }

/**
 * A copy of `run` with hostile strings wherever a cluster or a kubeconfig can put text: names,
 * versions, causes, errors, log lines, exec output, canary phases, verdict details; and a
 * mirror-count `calls` that is a string (a record's types are no guarantee). Every scenario
 * fails, so hints are shown too.
 */
export function hostileRun(run: RunRecord): RunRecord {
  const r = structuredClone(run) as Mutable<RunRecord>
  const h = HOSTILE_TEXT
  r.context = `${HOSTILE.attributeBreakout}${HOSTILE.osc8}`
  r.server = HOSTILE.javascriptUrl
  r.versions.kubernetes = HOSTILE.script
  r.versions.istioControlPlane = HOSTILE.img
  r.versions.istioProxies = [HOSTILE.svgBreakout, HOSTILE.ansiColour]
  r.versions.flagger = HOSTILE.markdown
  r.versions.nodeImage = HOSTILE.iframe
  r.startedAt = HOSTILE.styleImport
  r.upTimings[0] = { phase: h, seconds: 1, outcome: 'failed', detail: h }
  r.missingResults = [HOSTILE.script]
  for (const s of r.scenarios) {
    s.title = h
    s.section = HOSTILE.attributeBreakout
    s.error = h
    s.passed = false
    s.cleanup.errors = [h, HOSTILE.newlineForgery]
    for (const c of s.checks) {
      c.passed = false
      c.cause = h
      c.title = h
      c.hint = `${h} \`${HOSTILE.script}\``
      const ev = c.evidence as Mutable<Evidence>
      if (ev.kind === 'access-log-match') {
        ev.lines = [`BlackHoleCluster ${h}`, `outbound|${HOSTILE.svgBreakout}`]
        ev.exec = { command: [HOSTILE.script, h], exitCode: 7, stderr: h, expectFailure: true }
      }
      if (ev.kind === 'mirror-count') (ev as { calls: unknown }).calls = HOSTILE.img
      if (ev.kind === 'canary-timeline') ev.samples = ev.samples.map((x) => ({ ...x, phase: h }))
      const verdict = c.verdict as { details?: Record<string, unknown> }
      verdict.details = { ...verdict.details, mirrored: HOSTILE.svgBreakout, note: h }
    }
  }
  return r as RunRecord
}
