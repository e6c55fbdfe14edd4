import { describe, expect, it } from 'vitest'
import { UsageError } from '../helpers/errors.js'
import { Phases } from '../helpers/progress.js'
import { FakeCluster } from '../helpers/testing/fake-cluster.js'
import { profileRecordOf } from './health.js'
import { hostOnlyImages, nodePreloadImages, PROFILES, type Profile } from './profiles.js'
import { down, normalizeImage, up } from './up.js'

const book = PROFILES.book as Profile
const current = PROFILES.current as Profile

function run(fake: FakeCluster, profile = book) {
  const lines: string[] = []
  const hooks: string[] = []
  const phases = new Phases((l) => lines.push(l))
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
  return { result, lines, phases, hooks }
}

describe('up against the in-memory fake', () => {
  it('builds an absent cluster in order: kind, Istio, namespace, Prometheus, Flagger (CRDs first), record', async () => {
    const fake = new FakeCluster()
    const { result, phases } = run(fake)
    const { decision, record } = await result
    expect(decision).toEqual({ action: 'create' })
    const order = fake.calls.filter((c) => !/kindNodeImages|dockerPull|kindLoadImage/.test(c))
    expect(order).toEqual([
      'kindClusters',
      'kindCreate lab',
      'kindExportKubeconfig lab',
      'istioInstall',
      'waitForDeployments istio-system/istiod,istio-ingressgateway',
      'applyYaml namespace',
      'prometheusAddon',
      'applyYaml prometheus',
      'waitForDeployments istio-system/prometheus',
      'flaggerCrds',
      'applyYaml canaries.flagger.app',
      'flaggerInstall',
      'waitForDeployments istio-system/flagger',
      'writeRecord book',
    ])
    expect(record).toEqual(profileRecordOf(book, 'lab', '2026-11-27T08:00:00.000Z'))
    expect(fake.applied[0]).toContain('hostPort: 30000')
    expect(fake.applied[1]).toContain('nodePort: 30000')
    // `images` runs beside the install phases, so only the set of phases is fixed.
    expect(phases.timings.map((t) => t.phase).sort()).toEqual([
      'cluster',
      'flagger',
      'images',
      'inspect',
      'istio',
      'namespace',
      'prometheus',
      'verify',
    ])
    expect(phases.timings.every((t) => t.outcome === 'ok')).toBe(true)
  })

  it('pulls only images the host lacks and loads only images the node lacks', async () => {
    const fake = new FakeCluster()
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
  })

  it('loads every image the profile runs into the node before installing anything, so a recreated cluster pulls nothing', async () => {
    const fake = new FakeCluster()
    await run(fake, book).result
    const firstInstall = fake.calls.indexOf('istioInstall')
    const lastLoad = fake.calls
      .map((c, i) => (c.startsWith('kindLoadImage') ? i : -1))
      .reduce((a, b) => Math.max(a, b))
    expect(lastLoad).toBeLessThan(firstInstall)
    for (const image of nodePreloadImages(book)) expect(fake.nodeImages.has(image), image).toBe(true)
    // Host-only images (the egress stand-in, the reaper) are pulled on the host, never loaded.
    for (const image of hostOnlyImages(book)) {
      expect(fake.hostImages.has(image), image).toBe(true)
      expect(fake.nodeImages.has(image), image).toBe(false)
    }
    // Recreated: the host has everything, so nothing is pulled again.
    const again = new FakeCluster()
    again.hostImages = fake.hostImages
    await run(again, book).result
    expect(again.calls.filter((c) => c.startsWith('dockerPull'))).toEqual([])
  })

  it('only verifies a healthy cluster of the same profile: no install step runs', async () => {
    const fake = new FakeCluster()
    await run(fake).result
    fake.calls.length = 0
    const { decision } = await run(fake).result
    expect(decision).toEqual({ action: 'verified' })
    expect(fake.calls).toEqual(['kindClusters', 'kindExportKubeconfig lab'])
  })

  it('undoes what an interrupted run left (the journal) once connected, before judging the cluster', async () => {
    const fake = new FakeCluster()
    const first = run(fake)
    await first.result
    expect(first.hooks).toEqual(['created after kindExportKubeconfig lab'])
    const second = run(fake)
    await second.result
    expect(second.hooks).toEqual(['recover after kindExportKubeconfig lab'])
  })

  it('names the cluster in a record written before records did, so run can prove ownership', async () => {
    const fake = new FakeCluster()
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
    const fake = new FakeCluster()
    await run(fake).result
    fake.serverVersion = 'v1.36.4'
    const error = await run(fake, current).result.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toContain("built with profile 'book'")
    expect((error as UsageError).fix).toContain('npm run conformance -- down --name lab')
  })

  it('repairs an unhealthy cluster without recreating it', async () => {
    const fake = new FakeCluster()
    await run(fake).result
    fake.installed.delete('flagger')
    fake.calls.length = 0
    const { decision } = await run(fake).result
    expect(decision).toEqual({ action: 'repair', reasons: ['flagger is not installed'] })
    expect(fake.calls).not.toContain('kindCreate lab')
    expect(fake.calls).toContain('flaggerInstall')
  })

  it('does not record the profile when a phase fails, so the next up resumes', async () => {
    const fake = new FakeCluster()
    fake.failOn = 'flaggerInstall'
    const { result, phases } = run(fake)
    await expect(result).rejects.toThrow('flaggerInstall failed')
    expect(fake.record).toBeUndefined()
    expect(phases.timings.find((t) => t.phase === 'flagger')?.outcome).toBe('failed')
    fake.failOn = undefined
    const resumed = await run(fake).result
    expect(resumed.decision.action).toBe('repair')
    expect(fake.record?.profile).toBe('book')
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
