import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { requireTool, XMLLINT } from '../testing/external-tools.js'
import { miniRecord } from '../testing/fake-rehearsal.js'
import { HOSTILE } from '../testing/hostile.js'

const EVIL = `${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.attributeBreakout}`

import { tempDir } from '../testing/temp-dir.js'
import { diffRuns } from './diff.js'
import { type RehearsalRecord, toRehearsalHtml, toRehearsalJUnit } from './rehearsal.js'

const XSD = fileURLToPath(new URL('../testing/junit.xsd', import.meta.url))

const from = miniRecord('1.27.9', { 'edge-routing/converged': true, 'mirroring/shadow-host': true })
const to = miniRecord('1.28.10', { 'edge-routing/converged': false, 'mirroring/shadow-host': true })
const fromAs = { ...from, versions: { ...from.versions, istioControlPlane: '1.27.9' } }
const toAs = { ...to, versions: { ...to.versions, istioControlPlane: '1.28.10' } }
const diff = diffRuns(fromAs, toAs)

const rehearsal: RehearsalRecord = {
  schema: 1,
  from: '1.27.9',
  to: '1.28.10',
  method: 'canary',
  rollback: false,
  steps: [{ from: '1.27.9', to: '1.28.10', revision: '1-28-10' }],
  gateway: 'ingress gateway upgraded in place',
  changes: [
    {
      topic: 'mirror-shadow-suffix',
      from: 'appends -shadow',
      to: 'no -shadow',
      source: 'istio/istio release-1.28 x',
    },
  ],
  startedAt: '2026-11-27T08:00:00.000Z',
  endedAt: '2026-11-27T08:10:00.000Z',
  phases: [
    { phase: 'run-from', seconds: 60, outcome: 'ok' },
    { phase: 'install-1.28.10', seconds: 42.5, outcome: 'ok' },
  ],
  runs: [
    {
      label: 'from',
      version: '1.27.9',
      controlPlanes: [{ name: 'istiod', version: '1.27.9' }],
      proxies: [{ pod: 'a/b', version: '1.27.9' }],
      folder: 'from',
      passed: true,
    },
    {
      label: 'to',
      version: '1.28.10',
      controlPlanes: [
        { name: 'istiod', version: '1.27.9' },
        { name: 'istiod-1-28-10', version: '1.28.10' },
      ],
      proxies: [{ pod: 'a/b', version: '1.28.10' }],
      folder: 'to',
      passed: false,
    },
  ],
  diff,
  unexplained: diff.entries.filter((e) => e.status === 'newly failing'),
  exitCode: 1,
}

describe('the rehearsal report', () => {
  it('shows both runs side by side with the control-plane and proxy versions of each, and the status of every check', () => {
    const html = toRehearsalHtml(rehearsal, { from, to })
    expect(html).toContain(
      '<th>from: Istio 1.27.9<div class="versions">control planes: istiod 1.27.9<br>proxies: 1.27.9</div></th>',
    )
    expect(html).toContain('control planes: istiod 1.27.9, istiod-1-28-10 1.28.10<br>proxies: 1.28.10')
    expect(html).toMatch(
      /<td>edge-routing\/converged<\/td><td class="pass">pass.*<td class="fail">FAIL.*<td class="worse">newly failing/,
    )
    expect(html).toMatch(
      /mirroring\/shadow-host<\/td><td class="pass">.*<td class="design">changed by design<div class="note">by design: mirror-shadow-suffix/,
    )
    expect(html).toContain('1 check(s) newly fail without a documented reason')
    expect(html).toContain('<li><b>mirror-shadow-suffix</b>: appends -shadow → no -shadow')
    expect(html).toContain('<tr><td>install-1.28.10</td><td class="num">42.5</td><td>ok</td></tr>')
    expect(html).not.toMatch(/<script|https?:\/\//)
  })

  it('escapes what comes from a cluster', () => {
    const hostile = miniRecord('1.28.10', { 'edge-routing/converged': false })
    const evil = {
      ...hostile,
      scenarios: hostile.scenarios.map((s) => ({
        ...s,
        checks: s.checks.map((c) => ({ ...c, cause: EVIL })),
      })),
    }
    const html = toRehearsalHtml(
      {
        ...rehearsal,
        runs: [
          {
            ...(rehearsal.runs[1] as RehearsalRecord['runs'][number]),
            proxies: [{ pod: 'x', version: EVIL }],
          },
        ],
      },
      { to: evil },
    )
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
  })

  it('writes JUnit a CI reads: every check per run, and the upgrade regressions as failures', (ctx) => {
    const xml = toRehearsalJUnit(rehearsal, { from, to })
    expect(xml).toContain('<testsuite name="upgrade 1.27.9 to 1.28.10" tests="2" failures="1"')
    expect(xml).toContain('classname="to.edge-routing"')
    requireTool(ctx, XMLLINT)
    const dir = tempDir('junit')
    writeFileSync(join(dir, 'junit.xml'), xml)
    expect(() =>
      execFileSync('xmllint', ['--noout', '--schema', XSD, join(dir, 'junit.xml')], { stdio: 'pipe' }),
    ).not.toThrow()
  })
})
