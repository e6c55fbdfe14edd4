import { xmlAttribute, xmlText } from '../text/escape.js'
import type { RunRecord } from './model.js'
import { keyNumbers } from './numbers.js'

const hintOf = (hint: string) => (hint ? `hint: ${hint}` : '')

const seconds = (ms: number) => (Number.isFinite(ms) ? Math.max(0, ms) / 1000 : 0).toFixed(3)
const span = (from: string, to: string) => Date.parse(to) - Date.parse(from)

/**
 * JUnit XML: one <testsuite> per scenario, one <testcase> per check; a failure's message is the
 * cause, its body the key numbers. Scenarios without a result and cleanup errors (a
 * scenario's, or the serial run's base lab's) are failures too. Pure.
 */
export function toJUnit(run: RunRecord): string {
  const suites: string[] = []
  let tests = 0
  let failures = 0
  for (const s of run.scenarios) {
    const cases = s.checks.map((c) => {
      const body = c.passed
        ? ''
        : `\n      <failure message="${xmlAttribute(c.cause)}" type="CheckFailed">${xmlText([c.cause, keyNumbers(c), hintOf(c.hint)].filter(Boolean).join('\n'))}</failure>\n    `
      return `    <testcase name="${xmlAttribute(c.check)}" classname="${xmlAttribute(s.id)}" time="${seconds(c.durationMs)}">${body}</testcase>`
    })
    if (s.cleanup.errors.length) {
      cases.push(
        `    <testcase name="cleanup" classname="${xmlAttribute(s.id)}" time="0.000">\n      <failure message="${xmlAttribute(`cleanup left ${s.cleanup.errors.length} object(s)`)}" type="CleanupFailed">${xmlText(s.cleanup.errors.join('\n'))}</failure>\n    </testcase>`,
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
      .map(
        ([k, v]) =>
          `      <property name="${xmlAttribute(k as string)}" value="${xmlAttribute(v as string)}"/>`,
      )
      .join('\n')
    suites.push(
      `  <testsuite name="${xmlAttribute(s.id)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0" time="${seconds(span(s.startedAt, s.endedAt))}" timestamp="${xmlAttribute(s.startedAt.replace(/\.\d+Z$/, ''))}">\n    <properties>\n${props}\n    </properties>\n${cases.join('\n')}\n  </testsuite>`,
    )
  }
  for (const id of run.missingResults) {
    tests++
    failures++
    suites.push(
      `  <testsuite name="${xmlAttribute(id)}" tests="1" failures="1" errors="0" skipped="0" time="0.000" timestamp="${xmlAttribute(run.startedAt.replace(/\.\d+Z$/, ''))}">\n    <testcase name="result" classname="${xmlAttribute(id)}" time="0.000">\n      <failure message="no result was recorded" type="NoResult">the e2e run stopped before this scenario finished</failure>\n    </testcase>\n  </testsuite>`,
    )
  }
  // A serial run's base lab: one test, failed when removing it at the end left something.
  const base = run.baseLab
  if (base) {
    const failed = base.cleanup.errors.length > 0
    tests++
    if (failed) failures++
    const body = failed
      ? `\n      <failure message="${xmlAttribute(`removing the base lab left ${base.cleanup.errors.length} object(s)`)}" type="CleanupFailed">${xmlText(base.cleanup.errors.join('\n'))}</failure>\n    `
      : ''
    suites.push(
      `  <testsuite name="base-lab" tests="1" failures="${failed ? 1 : 0}" errors="0" skipped="0" time="${seconds(span(base.startedAt, base.endedAt))}" timestamp="${xmlAttribute(base.startedAt.replace(/\.\d+Z$/, ''))}">\n    <testcase name="cleanup" classname="base-lab" time="0.000">${body}</testcase>\n  </testsuite>`,
    )
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="istio-traffic-conformance" tests="${tests}" failures="${failures}" errors="0" time="${seconds(span(run.startedAt, run.endedAt))}">\n${suites.join('\n')}\n</testsuites>\n`
}
