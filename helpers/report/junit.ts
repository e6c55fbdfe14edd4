import type { RunRecord } from './model.js'
import { keyNumbers } from './numbers.js'

/** Characters XML 1.0 allows: tab, newline, carriage return, and the rest of the printable range. */
function xmlAllowed(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  )
}

/** XML 1.0 text: escapes markup and drops characters XML cannot carry. Pure. */
export function xmlText(value: string): string {
  return Array.from(value)
    .filter((ch) => xmlAllowed(ch.codePointAt(0) ?? 0))
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const hintOf = (hint: string) => (hint ? `hint: ${hint}` : '')

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3)
const span = (from: string, to: string) => Date.parse(to) - Date.parse(from)

/**
 * JUnit XML: one <testsuite> per scenario, one <testcase> per check; a failure's message is the
 * cause, its body the key numbers. Scenarios without a result and cleanup errors are failures
 * too. Pure.
 */
export function toJUnit(run: RunRecord): string {
  const suites: string[] = []
  let tests = 0
  let failures = 0
  for (const s of run.scenarios) {
    const cases = s.checks.map((c) => {
      const body = c.passed
        ? ''
        : `\n      <failure message="${xmlText(c.cause)}" type="CheckFailed">${xmlText([c.cause, keyNumbers(c), hintOf(c.hint)].filter(Boolean).join('\n'))}</failure>\n    `
      return `    <testcase name="${xmlText(c.check)}" classname="${xmlText(s.id)}" time="${seconds(c.durationMs)}">${body}</testcase>`
    })
    if (s.cleanup.errors.length) {
      cases.push(
        `    <testcase name="cleanup" classname="${xmlText(s.id)}" time="0.000">\n      <failure message="${xmlText(`cleanup left ${s.cleanup.errors.length} object(s)`)}" type="CleanupFailed">${xmlText(s.cleanup.errors.join('\n'))}</failure>\n    </testcase>`,
      )
    }
    const failed = s.checks.filter((c) => !c.passed).length + (s.cleanup.errors.length ? 1 : 0)
    tests += cases.length
    failures += failed
    const props = [
      ['title', s.title],
      ['section', s.section],
      ['istio', s.istioVersion],
      ...(s.error ? [['stopped', s.error]] : []),
    ]
      .map(([k, v]) => `      <property name="${xmlText(k as string)}" value="${xmlText(v as string)}"/>`)
      .join('\n')
    suites.push(
      `  <testsuite name="${xmlText(s.id)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0" time="${seconds(span(s.startedAt, s.endedAt))}" timestamp="${xmlText(s.startedAt.replace(/\.\d+Z$/, ''))}">\n    <properties>\n${props}\n    </properties>\n${cases.join('\n')}\n  </testsuite>`,
    )
  }
  for (const id of run.missingResults) {
    tests++
    failures++
    suites.push(
      `  <testsuite name="${xmlText(id)}" tests="1" failures="1" errors="0" skipped="0" time="0.000" timestamp="${xmlText(run.startedAt.replace(/\.\d+Z$/, ''))}">\n    <testcase name="result" classname="${xmlText(id)}" time="0.000">\n      <failure message="no result was recorded" type="NoResult">the e2e run stopped before this scenario finished</failure>\n    </testcase>\n  </testsuite>`,
    )
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="istio-traffic-conformance" tests="${tests}" failures="${failures}" errors="0" time="${seconds(span(run.startedAt, run.endedAt))}">\n${suites.join('\n')}\n</testsuites>\n`
}
