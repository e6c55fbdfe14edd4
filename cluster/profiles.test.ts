import { describe, expect, it } from 'vitest'
import { PROFILES, type Profile, registriesOf } from './profiles.js'

/** Keys that name a version, and the sibling key that must say where it comes from. */
const VERSIONED: Readonly<Record<string, string>> = {
  version: 'source',
  chartVersion: 'source',
  kubernetesVersion: 'source',
  nodeImage: 'source',
  kubernetesWindow: 'kubernetesWindowSource',
  image: 'source',
}

/** Paths of every version in a profile that has no source next to it. */
function unsourced(node: unknown, path = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => unsourced(item, `${path}[${i}]`))
  if (!node || typeof node !== 'object') return []
  const object = node as Record<string, unknown>
  const missing = Object.entries(VERSIONED)
    .filter(
      ([key, sourceKey]) =>
        key in object && !/^(https:\/\/|helpers\/)\S+/.test(String(object[sourceKey] ?? '')),
    )
    .map(([key]) => `${path}.${key}`)
  return [...missing, ...Object.entries(object).flatMap(([k, v]) => unsourced(v, `${path}.${k}`))]
}

describe.each(Object.values(PROFILES))('profile $name', (profile) => {
  it('names a source for every version, image and support window', () => {
    expect(unsourced(profile)).toEqual([])
  })

  it('lists the images it really pulls: its node image, Istio, Flagger', () => {
    const images = profile.images.map((i) => i.image)
    expect(images).toContain(`docker.io/${profile.kind.nodeImage}`)
    expect(images.filter((i) => /\/istio\/(pilot|proxyv2):/.test(i)).map((i) => i.split(':')[1])).toEqual([
      profile.istio.version,
      profile.istio.version,
    ])
    expect(images).toContain(`ghcr.io/fluxcd/flagger:${profile.flagger.chartVersion}`)
    for (const i of profile.images) expect(i.image).toMatch(/^[a-z0-9.-]+\.[a-z]+\/\S+:\S+$/)
  })
})

describe('the version source check', () => {
  it('fails a profile that names a version without a source', () => {
    const current = PROFILES.current as Profile
    const broken = {
      ...current,
      flagger: { ...current.flagger, source: '' },
      istio: { ...current.istio, kubernetesWindowSource: 'trust me' },
      images: [...current.images, { image: 'quay.io/x/y:1', pulledBy: 'nobody', source: '' }],
    }
    expect(unsourced(broken)).toEqual([
      '.istio.kubernetesWindow',
      '.flagger.chartVersion',
      `.images[${current.images.length}].image`,
    ])
  })
})

describe('registries per profile', () => {
  it('names every registry the main job pulls from', () => {
    expect(registriesOf(PROFILES.book as Profile).map((r) => r.registry)).toEqual(['docker.io', 'ghcr.io'])
    expect(registriesOf(PROFILES.current as Profile).map((r) => r.registry)).toEqual(['docker.io', 'ghcr.io'])
    expect(registriesOf(PROFILES.current as Profile)[1]?.images).toEqual([
      'ghcr.io/prometheus-operator/prometheus-config-reloader:v0.89.0',
      'ghcr.io/fluxcd/flagger:1.44.0',
    ])
  })
})
