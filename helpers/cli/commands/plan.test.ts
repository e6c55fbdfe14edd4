import { describe, expect, it } from 'vitest'
import { PROFILES, type Profile } from '../../../cluster/profiles.js'
import { main } from '../main.js'
import { buildPlan, renderPlan } from './plan.js'

describe('plan lists the registries the main job pulls from', () => {
  it('in --json: per registry, each image with what pulls it and its source', () => {
    const plan = JSON.parse(JSON.stringify(buildPlan(PROFILES.current as Profile, 'istio-conformance')))
    expect(plan.registries.map((r: { registry: string }) => r.registry)).toEqual(['docker.io', 'ghcr.io'])
    expect(plan.registries[1].images).toContainEqual({
      image: 'ghcr.io/fluxcd/flagger:1.44.0',
      pulledBy: 'helm install flagger',
      source: 'https://github.com/fluxcd/flagger/blob/v1.44.0/charts/flagger/values.yaml',
    })
    expect(plan.newerReleases).toEqual((PROFILES.current as Profile).newerReleases)
  })

  it('in text: a registries section naming every image', () => {
    const profile = PROFILES.book as Profile
    const text = renderPlan(buildPlan(profile, 'istio-conformance'))
    expect(text).toContain('registries (allow these through a proxy or mirror)\n  docker.io\n')
    for (const { image } of profile.images) expect(text).toContain(`    ${image}  (`)
    expect(text).toContain('\n  ghcr.io\n    ghcr.io/fluxcd/flagger:1.36.1  (helm install flagger)')
  })
})

describe('plan --istio', () => {
  it('names the version, its node image and every image up preloads', async () => {
    const { profileFor } = await import('../../../cluster/istio-releases.js')
    const plan = JSON.parse(
      JSON.stringify(buildPlan(profileFor({ profile: 'current', istio: '1.30.5' }), 'lab')),
    )
    expect(plan.versions.istio.version).toBe('1.30.5')
    expect(plan.cluster.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/)
    expect(plan.images).toContain('registry.istio.io/release/pilot:1.30.5')
    expect(plan.images).toContain('docker.io/istioinaction/webapp:latest')
    expect(plan.hostImages).toContain('docker.io/library/node:20-alpine')
  })

  it('plan --istio 1.31.2 --json: one JSON document naming 1.31.2 and its node image (the issue\u2019s example)', async () => {
    const out: string[] = []
    const code = await main(['plan', '--istio', '1.31.2', '--json'], {
      out: (t) => out.push(t),
      err: () => undefined,
    })
    expect(code).toBe(0)
    expect(out).toHaveLength(1)
    const plan = JSON.parse(out[0] ?? '')
    expect(plan.versions.istio.version).toBe('1.31.2')
    expect(plan.cluster.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/)
    // 1.31 went back to docker.io/istio (helpers/istio-behaviour.ts DEFAULT_IMAGE_HUB).
    expect(plan.images).toContain('docker.io/istio/proxyv2:1.31.2')
  })
})
