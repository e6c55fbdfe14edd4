import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../helpers/errors.js'
import { PhaseFailed, Phases, renderTimings } from '../helpers/progress.js'
import { FakeCluster } from '../helpers/testing/fake-cluster.js'
import { profileRecordOf } from './health.js'
import { hostOnlyImages, nodePreloadImages, PROFILES, type Profile } from './profiles.js'
import { down, normalizeImage, up, upTimingsReport } from './up.js'
import { expectedColdUp, UP_GRAPH, upGraph } from './up-phases.js'

const book = PROFILES.book as Profile
const current = PROFILES.current as Profile

/** A promise the test opens. */
class Signal {
  readonly promise: Promise<void>
  private fire: () => void = () => {}
  constructor() {
    this.promise = new Promise<void>((resolve) => {
      this.fire = resolve
    })
  }
  open(): void {
    this.fire()
  }
}

/**
 * Runs up against the fake. `now` is the phases' clock; by default every reading is one tick
 * later than the last, so the timings order every start and end as they happened.
 */
function run(fake: FakeCluster, profile = book, now?: () => number) {
  const lines: string[] = []
  const hooks: string[] = []
  const waiting: { pattern: RegExp; signal: Signal }[] = []
  let tick = 0
  const phases = new Phases(
    (l) => {
      lines.push(l)
      for (const w of waiting) if (w.pattern.test(l)) w.signal.open()
    },
    now ?? (() => ++tick),
  )
  const result = up(profile, 'lab', {
    cli: fake,
    api: async () => fake.api(),
    phases,
    now: () => new Date('2026-11-27T08:00:00Z'),
    recover: async () => {
      hooks.push(`recover after ${fake.calls.at(-1)}`)
    },
    created: () => hooks.push(`created after ${fake.calls.at(-1)}`),
  })
  /** Resolves when a progress line matching `pattern` is printed. */
  const line = (pattern: RegExp) => {
    const signal = new Signal()
    if (lines.some((l) => pattern.test(l))) signal.open()
    else waiting.push({ pattern, signal })
    return signal.promise
  }
  return { result, lines, phases, hooks, line }
}

/** Indexes in the fake's call log, to compare the order of calls within one chain of phases. */
const at = (fake: FakeCluster, call: string) => {
  const i = fake.calls.indexOf(call)
  expect(i, call).toBeGreaterThanOrEqual(0)
  return i
}

describe('up against the in-memory fake', () => {
  it('builds an absent cluster: kind, Istio, namespaces, Prometheus, Flagger (CRDs first), record', async () => {
    const fake = new FakeCluster(book)
    const { result, phases } = run(fake)
    const { decision, record } = await result
    expect(decision).toEqual({ action: 'create' })
    expect(record).toEqual(profileRecordOf(book, 'lab', '2026-11-27T08:00:00.000Z'))
    const images = /kindNodeImages|dockerPull|kindLoadImage/
    expect(fake.calls.filter((c) => !images.test(c)).sort()).toEqual(
      [
        'kindClusters',
        'kindCreate lab',
        'kindExportKubeconfig lab',
        'applyYaml namespace istio-system',
        'istioInstall',
        'waitForDeployments istio-system/istiod,istio-ingressgateway',
        'applyYaml namespace istioinaction',
        'prometheusAddon',
        'applyYaml prometheus',
        'waitForDeployments istio-system/prometheus',
        'flaggerCrds',
        'applyYaml canaries.flagger.app',
        'flaggerInstall',
        'waitForDeployments istio-system/flagger',
        'writeRecord book',
      ].sort(),
    )
    // Within each chain, in order; the chains themselves run side by side.
    const chain = (...calls: string[]) =>
      expect(calls.map((c) => at(fake, c))).toEqual(calls.map((c) => at(fake, c)).sort((a, b) => a - b))
    chain('kindClusters', 'kindCreate lab', 'kindExportKubeconfig lab', 'applyYaml namespace istio-system')
    chain(
      'applyYaml namespace istio-system',
      'istioInstall',
      'waitForDeployments istio-system/istiod,istio-ingressgateway',
    )
    chain('prometheusAddon', 'applyYaml prometheus', 'waitForDeployments istio-system/prometheus')
    chain(
      'flaggerCrds',
      'applyYaml canaries.flagger.app',
      'flaggerInstall',
      'waitForDeployments istio-system/flagger',
    )
    expect(fake.calls.at(-1)).toBe('writeRecord book')
    expect(fake.applied[0]).toContain('hostPort: 30000')
    expect(fake.applied.find((a) => a.includes('IstioOperator'))).toContain('nodePort: 30000')
    expect(phases.timings.map((t) => t.phase).sort()).toEqual(
      ['inspect', ...UP_GRAPH.map((n) => n.id)].sort(),
    )
    expect(phases.timings.every((t) => t.outcome === 'ok')).toBe(true)
  })

  it('pulls only images the host lacks and loads only images the node lacks', async () => {
    const fake = new FakeCluster(book)
    const preload = nodePreloadImages(book)
    // Everything is on the host already but webapp; forum is even in the node.
    for (const image of [...preload, ...hostOnlyImages(book)]) fake.hostImages.add(image)
    fake.hostImages.delete('docker.io/istioinaction/webapp:latest')
    fake.nodeImages.add('docker.io/istioinaction/forum:latest')
    await run(fake).result
    expect(fake.calls.filter((c) => c.startsWith('dockerPull')).sort()).toEqual([
      'dockerPull docker.io/istioinaction/webapp:latest',
    ])
    const loaded = fake.calls.filter((c) => c.startsWith('kindLoadImage')).map((c) => c.split(' ')[1])
    expect(loaded.sort()).toEqual(preload.filter((i) => i !== 'docker.io/istioinaction/forum:latest').sort())
    // The node is read once, not once per group of images.
    expect(fake.calls.filter((c) => c === 'kindNodeImages')).toHaveLength(1)
  })

  it.each([book, current])(
    '$name: starts no container before its image is in the node, so a recreated cluster pulls nothing',
    async (profile) => {
      const fake = new FakeCluster(profile)
      await run(fake, profile).result
      expect(fake.nodePulled).toEqual([])
      for (const image of nodePreloadImages(profile)) expect(fake.nodeImages.has(image), image).toBe(true)
      // Host-only images (the egress stand-in, the reaper) are pulled on the host, never loaded.
      for (const image of hostOnlyImages(profile)) {
        expect(fake.hostImages.has(image), image).toBe(true)
        expect(fake.nodeImages.has(image), image).toBe(false)
      }
      // Recreated: the host has everything, so nothing is pulled again.
      const again = new FakeCluster(profile)
      again.hostImages = fake.hostImages
      await run(again, profile).result
      expect(again.calls.filter((c) => c.startsWith('dockerPull'))).toEqual([])
      expect(again.nodePulled).toEqual([])
    },
  )

  it('does not install Istio while its images load, though everything else goes ahead', async () => {
    const fake = new FakeCluster(book)
    const pilot = fake.hold('kindLoadImage docker.io/istio/pilot:1.17.8')
    // Flagger's and Prometheus' waits come after their own images, the namespace and the CRDs.
    const flaggerWait = fake.hold('waitForDeployments istio-system/flagger')
    const prometheusWait = fake.hold('waitForDeployments istio-system/prometheus')
    const { result } = run(fake)
    await Promise.all([pilot.reached, flaggerWait.reached, prometheusWait.reached])
    expect(fake.calls).not.toContain('istioInstall')
    flaggerWait.release()
    prometheusWait.release()
    pilot.release()
    await result
    expect(fake.nodePulled).toEqual([])
    expect(at(fake, 'istioInstall')).toBeGreaterThan(at(fake, 'kindLoadImage docker.io/istio/pilot:1.17.8'))
  })

  it("loads the apps' images while Istio installs, and pulls them while kind creates the cluster", async () => {
    const fake = new FakeCluster(book)
    const create = fake.hold('kindCreate')
    const pullCatalog = fake.hold('dockerPull docker.io/istioinaction/catalog:latest')
    const loadCatalog = fake.hold('kindLoadImage docker.io/istioinaction/catalog:latest')
    const install = fake.hold('istioInstall')
    const { result, phases } = run(fake)
    await Promise.all([create.reached, pullCatalog.reached])
    expect([...fake.inFlight].sort()).toEqual([
      'dockerPull docker.io/istioinaction/catalog:latest',
      'kindCreate lab',
    ])
    pullCatalog.release()
    create.release()
    await Promise.all([loadCatalog.reached, install.reached])
    expect([...fake.inFlight].sort()).toEqual([
      'istioInstall',
      'kindLoadImage docker.io/istioinaction/catalog:latest',
    ])
    install.release()
    loadCatalog.release()
    await result
    const span = (phase: string) => phases.spans.find((s) => s.phase === phase)
    const overlap = (a: string, b: string) => {
      const [x, y] = [span(a), span(b)]
      return !!x && !!y && x.startS < y.startS + y.seconds && y.startS < x.startS + x.seconds
    }
    expect(overlap('load:apps', 'istio')).toBe(true)
    expect(overlap('pull:apps', 'cluster')).toBe(true)
  })

  it('installs Prometheus and Flagger while Istio installs', async () => {
    const fake = new FakeCluster(book)
    const install = fake.hold('istioInstall')
    const prometheus = fake.hold('waitForDeployments istio-system/prometheus')
    const flagger = fake.hold('waitForDeployments istio-system/flagger')
    const { result } = run(fake)
    await Promise.all([install.reached, prometheus.reached, flagger.reached])
    install.release()
    prometheus.release()
    flagger.release()
    await result
    expect(fake.nodePulled).toEqual([])
  })

  it.each(['create', 'repair'] as const)(
    '%s: starts no phase before every phase it waits for has ended',
    async (action) => {
      const fake = new FakeCluster(book)
      if (action === 'repair') {
        await run(fake).result
        fake.installed.delete('istiod')
        fake.nodeImages.clear()
      }
      const { result, phases } = run(fake)
      expect((await result).decision.action).toBe(action)
      const graph = upGraph(action)
      const span = (phase: string) => phases.spans.find((s) => s.phase === phase)
      expect(phases.spans.map((s) => s.phase).sort()).toEqual(
        [...(action === 'create' ? ['inspect'] : ['inspect', 'connect']), ...graph.map((n) => n.id)].sort(),
      )
      for (const node of graph) {
        const started = span(node.id)?.startS ?? -1
        for (const d of node.after) {
          const before = span(d)
          expect(before && before.startS + before.seconds, `${node.id} after ${d}`).toBeLessThan(started)
        }
      }
      expect(fake.nodePulled).toEqual([])
    },
  )

  it('only verifies a healthy cluster of the same profile: no install step runs', async () => {
    const fake = new FakeCluster(book)
    await run(fake).result
    fake.calls.length = 0
    const { decision } = await run(fake).result
    expect(decision).toEqual({ action: 'verified' })
    expect(fake.calls).toEqual(['kindClusters', 'kindExportKubeconfig lab'])
  })

  it('undoes what an interrupted run left (the journal) once connected, before judging the cluster', async () => {
    const fake = new FakeCluster(book)
    const first = run(fake)
    await first.result
    expect(first.hooks).toEqual(['created after kindExportKubeconfig lab'])
    const second = run(fake)
    await second.result
    expect(second.hooks).toEqual(['recover after kindExportKubeconfig lab'])
  })

  it('names the cluster in a record written before records did, so run can prove ownership', async () => {
    const fake = new FakeCluster(book)
    await run(fake).result
    const { cluster: _dropped, ...old } = fake.record ?? profileRecordOf(book, 'lab', '')
    fake.record = old
    fake.calls.length = 0
    const { decision, record } = await run(fake).result
    expect(decision).toEqual({ action: 'verified' })
    expect(record.cluster).toBe('lab')
    expect(fake.record?.cluster).toBe('lab')
    expect(fake.calls).toEqual(['kindClusters', 'kindExportKubeconfig lab', 'writeRecord book'])
  })

  it('refuses a cluster built with another profile with exit 2, naming down', async () => {
    const fake = new FakeCluster(book)
    await run(fake).result
    fake.serverVersion = 'v1.36.4'
    const error = await run(fake, current).result.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toContain("built with profile 'book'")
    expect((error as UsageError).fix).toContain('npm run conformance -- down --name lab')
  })

  it('repairs an unhealthy cluster without recreating it', async () => {
    const fake = new FakeCluster(book)
    await run(fake).result
    fake.installed.delete('flagger')
    fake.calls.length = 0
    const { decision } = await run(fake).result
    expect(decision).toEqual({ action: 'repair', reasons: ['flagger is not installed'] })
    expect(fake.calls).not.toContain('kindCreate lab')
    expect(fake.calls).toContain('flaggerInstall')
    // Everything is in the node already: nothing pulled, nothing loaded.
    expect(fake.calls.filter((c) => /dockerPull|kindLoadImage/.test(c))).toEqual([])
  })

  it('does not record the profile when a phase fails, so the next up resumes', async () => {
    const fake = new FakeCluster(book)
    fake.failOn = 'flaggerInstall'
    const { result, phases } = run(fake)
    await expect(result).rejects.toThrow('phase flagger failed: flaggerInstall failed (simulated)')
    expect(fake.record).toBeUndefined()
    expect(phases.timings.find((t) => t.phase === 'flagger')?.outcome).toBe('failed')
    fake.failOn = undefined
    const resumed = await run(fake).result
    expect(resumed.decision.action).toBe('repair')
    expect(fake.record?.profile).toBe('book')
  })

  it('fails naming the phase, starts nothing that waits for it, and lets the others finish', async () => {
    const fake = new FakeCluster(book)
    fake.failOn = 'kindLoadImage docker.io/istio/proxyv2:1.17.8'
    const { result, phases, lines } = run(fake)
    const error = await result.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PhaseFailed)
    expect((error as PhaseFailed).phase).toBe('load:istio')
    expect((error as Error).message).toBe(
      'phase load:istio failed: kindLoadImage docker.io/istio/proxyv2:1.17.8 failed (simulated)',
    )
    expect(fake.calls).not.toContain('istioInstall')
    expect(fake.calls).not.toContain('writeRecord book')
    const outcome = (phase: string) => phases.timings.find((t) => t.phase === phase)?.outcome
    expect(outcome('load:istio')).toBe('failed')
    expect(outcome('istio')).toBe('skipped')
    expect(outcome('verify')).toBe('skipped')
    expect(lines).toContain(
      lines.find((l) => /\] istio: skipped \(not started: load:istio failed\)$/.test(l)),
    )
    // What was running when it failed ran to its end; nothing started after.
    for (const t of phases.timings) expect(['ok', 'failed', 'skipped']).toContain(t.outcome)
    const failedAt = phases.spans.find((s) => s.phase === 'load:istio')
    const failedEnd = (failedAt?.startS ?? 0) + (failedAt?.seconds ?? 0)
    for (const s of phases.spans.filter((x) => x.outcome !== 'skipped'))
      expect(s.startS, s.phase).toBeLessThan(failedEnd)
    expect(fake.nodePulled).toEqual([])
  })
})

describe('the closing table of up', () => {
  // The clock moves only when the test moves it, and only once every phase that can run has
  // printed its line: each phase then took exactly the seconds the test gave it.
  const done = (line: (p: RegExp) => Promise<void>, ...phases: string[]) =>
    Promise.all(phases.map((p) => line(new RegExp(`\\] ${p}: done`))))
  const pulls = ['pull:istio', 'pull:prometheus', 'pull:flagger', 'pull:apps']

  it('names the critical path the measured durations make: here the apps load outlasting Istio', async () => {
    let t = 0
    const fake = new FakeCluster(book)
    const create = fake.hold('kindCreate')
    const loadCatalog = fake.hold('kindLoadImage docker.io/istioinaction/catalog:latest')
    const install = fake.hold('istioInstall')
    const record = fake.hold('writeRecord')
    const { result, phases, line } = run(fake, book, () => t)
    await Promise.all([create.reached, done(line, ...pulls)])
    t += 50_000
    create.release()
    await Promise.all([
      loadCatalog.reached,
      install.reached,
      done(line, 'prometheus', 'flagger', 'namespace'),
    ])
    t += 30_000
    install.release()
    await done(line, 'istio')
    t += 40_000
    loadCatalog.release()
    await record.reached
    t += 1_000
    record.release()
    await result
    const { text, criticalPath } = upTimingsReport(phases.spans)
    // inspect took no time on this clock, but cluster waited for it: it is on the path.
    expect(criticalPath.phases).toEqual([
      { phase: 'inspect', seconds: 0 },
      { phase: 'cluster', seconds: 50 },
      { phase: 'load:apps', seconds: 70 },
      { phase: 'verify', seconds: 1 },
    ])
    expect(criticalPath.seconds).toBe(121)
    expect(text).toContain('critical path (*), 121.0 s: inspect -> cluster -> load:apps -> verify')
    expect(text).toMatch(/\n\* load:apps\s+50\.0\s+70\.0\s+ok\n/)
    expect(text).toMatch(/\n {2}istio\s+50\.0\s+30\.0\s+ok\n/)
    expect(text).toMatch(/\n {2}wall clock\s+121\.0\s+\(phases added up: 151\.0 s\)/)
  })

  it('and through Istio when its install is the longest', async () => {
    let t = 0
    const fake = new FakeCluster(book)
    const create = fake.hold('kindCreate')
    const install = fake.hold('istioInstall')
    const record = fake.hold('writeRecord')
    const { result, phases, line } = run(fake, book, () => t)
    await Promise.all([create.reached, done(line, ...pulls)])
    t += 50_000
    create.release()
    await Promise.all([install.reached, done(line, 'prometheus', 'flagger', 'namespace', 'load:apps')])
    t += 90_000
    install.release()
    await record.reached
    t += 1_000
    record.release()
    await result
    const path = upTimingsReport(phases.spans).criticalPath
    expect(path.seconds).toBe(141)
    expect(path.phases.map((p) => p.phase)).toEqual([
      'inspect',
      'cluster',
      expect.stringMatching(/^(load:istio|istio-system)$/),
      'istio',
      'verify',
    ])
  })
})

describe('the README', () => {
  it('shows the expected cold up as expectedColdUp computes it', () => {
    const expected = expectedColdUp()
    const table = renderTimings(
      expected.schedule.map((s) => ({ ...s, outcome: 'ok' as const })),
      expected,
    )
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(`\`\`\`\n${table}\n\`\`\``)
    expect(readme).toContain(`about ${expected.seconds} s, against ${expected.sumS} s`)
  })
})

describe('down', () => {
  it("deletes the suite's cluster and nothing else", async () => {
    const fake = new FakeCluster()
    fake.clusters = ['lab', 'someone-elses']
    expect(await down('lab', fake)).toBe(true)
    expect(fake.clusters).toEqual(['someone-elses'])
    expect(await down('lab', fake)).toBe(false)
    expect(fake.calls.filter((c) => c.startsWith('kindDelete'))).toEqual(['kindDelete lab'])
  })
})

describe('normalizeImage', () => {
  it('qualifies Docker Hub names the way containerd lists them', () => {
    expect(normalizeImage('istioinaction/catalog:latest')).toBe('docker.io/istioinaction/catalog:latest')
    expect(normalizeImage('nginx')).toBe('docker.io/library/nginx:latest')
    expect(normalizeImage('ghcr.io/x/y:1')).toBe('ghcr.io/x/y:1')
    expect(normalizeImage('localhost:5000/y')).toBe('localhost:5000/y:latest')
  })
})
