import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Interrupts } from '../../system/interrupt.js'
import { type startFakeApiServer, startOwnedCluster } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { CLUSTER_CONFIG } from '../../testing/run-fixtures.js'
import { tempDir } from '../../testing/temp-dir.js'
import { parseArgv } from '../args.js'
import { type RunDeps, runCommand } from './run.js'

/** `run --lang ko`: the terminal and the reports in Korean, run.json exactly as in English. */
const OWN = 'kind-istio-conformance'
let api: Awaited<ReturnType<typeof startFakeApiServer>>
beforeAll(async () => {
  api = await startOwnedCluster({ gitVersion: 'v1.26.15', profile: 'book' })
})
afterAll(() => api.close())

async function run(extra: string[], env: Record<string, string | undefined> = {}) {
  const deps: RunDeps = {
    adapters: (_client, _ingress, log) => ({ ...new FakeLab(CLUSTER_CONFIG).adapters(), log }),
    now: () => new Date('2026-11-27T08:00:00Z'),
    reportsDir: tempDir('reports'),
    journalDir: tempDir('journal'),
    interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
  }
  const parsed = parseArgv([
    'run',
    'edge-routing',
    '--kubeconfig',
    writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url }),
    ...extra,
  ])
  if (parsed.kind !== 'command') throw new Error('expected a command')
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  const set = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
  set(env)
  try {
    const out: string[] = []
    const code = await runCommand(parsed.args, (l) => out.push(l), deps)
    const dir = join(deps.reportsDir, '2026-11-27T08-00-00Z-book')
    const read = (f: string) => readFileSync(join(dir, f), 'utf8')
    return {
      code,
      out,
      html: read('index.html'),
      md: read('summary.md'),
      record: JSON.parse(read('run.json')),
    }
  } finally {
    set(saved)
  }
}

describe('run --lang ko', () => {
  it('prints and reports in Korean; run.json keeps the English causes rejudge compares', async () => {
    const ko = await run(['--lang', 'ko'], { LC_ALL: undefined, LC_MESSAGES: undefined, LANG: undefined })
    const en = await run([], { LC_ALL: undefined, LC_MESSAGES: undefined, LANG: undefined })
    expect(ko.code).toBe(0)
    expect(ko.out.join('\n')).toContain(
      '통과 edge-routing [5.2.2] ingress gateway를 통해 엣지 트래픽을 catalog로 라우팅하기',
    )
    expect(ko.out.join('\n')).toContain('시나리오 1개: 통과 1, 실패 0; 검사: 통과 2, 실패 0')
    // The progress lines too: the connection, what was applied, each check, the cleanup.
    const progress = ko.out.join('\n')
    expect(progress).toMatch(
      /^컨텍스트 kind-istio-conformance: .*의 Kubernetes v1\.26\.15, 스위트의 클러스터 'istio-conformance' \(프로필 book\)$/m,
    )
    expect(progress).toMatch(/edge-routing: catalog-at-the-edge 적용함: /)
    expect(progress).toMatch(/edge-routing: 통과 all-ok: /)
    expect(progress).toMatch(/edge-routing: 정리: 삭제 \d+, 복원 \d+$/m)
    expect(progress).toMatch(/^보고서: /m)
    expect(progress).not.toMatch(/\b(applied|cleanup|running|reports):/)
    expect(ko.html).toContain('<html lang="ko">')
    expect(ko.md.split('\n')[0]).toMatch(/^\*\*통과\*\*/)
    expect(en.html).toContain('<html lang="en">')
    const causes = (r: typeof ko) =>
      (r.record.scenarios as { checks: { cause: string }[] }[]).flatMap((s) => s.checks.map((c) => c.cause))
    expect(causes(ko)).toEqual(causes(en))
    expect(causes(ko)[1]).toMatch(/^all \d+ responses were v1/)
  })

  it('follows LANG when --lang is not given', async () => {
    const r = await run([], { LC_ALL: undefined, LC_MESSAGES: undefined, LANG: 'ko_KR.UTF-8' })
    expect(r.out.join('\n')).toContain('통과 edge-routing')
  })
})
