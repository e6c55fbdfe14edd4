import { describe, expect, it } from 'vitest'
import { knownIstioVersions, resolveIstio } from './istio-releases.js'
import {
  hostOnlyImages,
  IMAGE_USERS,
  imagesByUser,
  nodePreloadImages,
  PROFILES,
  type Profile,
  registriesOf,
} from './profiles.js'

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

/** Every profile `up` can be given: the named ones and every known `--istio` version. */
const EVERY_PROFILE: readonly Profile[] = [
  ...Object.values(PROFILES),
  ...knownIstioVersions().flatMap((v) => {
    const r = resolveIstio(v)
    return r.ok ? [r.profile] : []
  }),
]

describe('images by the part of up that runs them', () => {
  it('splits the preload and the host-only pulls exactly, each image once, for every profile', () => {
    for (const profile of EVERY_PROFILE) {
      const groups = imagesByUser(profile)
      const node = IMAGE_USERS.flatMap((u) => groups[u].node)
      expect([...node].sort(), profile.name).toEqual([...nodePreloadImages(profile)].sort())
      expect(new Set(node).size, profile.name).toBe(node.length)
      expect(
        IMAGE_USERS.flatMap((u) => groups[u].hostOnly),
        profile.name,
      ).toEqual(hostOnlyImages(profile))
      expect(groups.apps.hostOnly, profile.name).toEqual(hostOnlyImages(profile))
    }
  })

  it("gives Istio's install its pilot and proxy, Prometheus and Flagger theirs, the apps the book's", () => {
    for (const profile of EVERY_PROFILE) {
      // Told apart by repository here, independently of the pulledBy records the split reads.
      const groups = imagesByUser(profile)
      expect(
        groups.istio.node.map((i) => i.replace(/^.*\/(\w+):.*$/, '$1')),
        profile.name,
      ).toEqual(['pilot', 'proxyv2'])
      expect(groups.flagger.node, profile.name).toEqual([
        `ghcr.io/fluxcd/flagger:${profile.flagger.chartVersion}`,
      ])
      expect(groups.prometheus.node.length, profile.name).toBeGreaterThan(0)
      for (const i of groups.prometheus.node) expect(i, profile.name).toMatch(/prometheus|configmap-reload/)
      expect(groups.apps.node, profile.name).toEqual([
        'docker.io/istioinaction/catalog:latest',
        'docker.io/istioinaction/webapp:latest',
        'docker.io/istioinaction/forum:latest',
      ])
    }
    expect(EVERY_PROFILE.length).toBeGreaterThan(10)
  })

  it('refuses an image no phase of up runs, rather than loading it late', () => {
    const current = PROFILES.current as Profile
    const odd = {
      ...current,
      images: [...current.images, { image: 'quay.io/x/y:1', pulledBy: 'nobody', source: '' }],
    }
    expect(() => imagesByUser(odd)).toThrow("quay.io/x/y:1 of profile 'current' is pulled by 'nobody'")
  })
})
