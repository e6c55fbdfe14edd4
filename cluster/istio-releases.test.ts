import { describe, expect, it } from 'vitest'
import { UsageError } from '../helpers/errors.js'
import {
  FLAGGER_RELEASES,
  flaggerFor,
  ISTIO_LINES,
  KIND_RELEASES,
  knownIstioVersions,
  nearestIstio,
  newestIstio,
  previousLineNewest,
  profileFor,
  resolveIstio,
  supportsKubernetes,
  upgradeChain,
} from './istio-releases.js'
import { nodePreloadImages, PROFILES, type Profile, registriesOf } from './profiles.js'

const book = PROFILES.book as Profile
const current = PROFILES.current as Profile

function resolved(spec: string): Profile {
  const r = resolveIstio(spec)
  if (!r.ok) throw new Error(r.problem)
  return r.profile
}

describe('the release tables name a source for every entry', () => {
  it('every Istio line: its Kubernetes window, its patches and its addon images', () => {
    for (const l of ISTIO_LINES) {
      expect(l.kubernetesSource, l.line).toMatch(/^https:\/\/istio\.io\//)
      expect(l.patchesSource, l.line).toMatch(/^https:\/\/istio\.io\//)
      expect(l.prometheusSource, l.line).toMatch(/^https:\/\/github\.com\/istio\/istio\/blob\/release-/)
      for (const image of l.prometheusImages) expect(image).toMatch(/^[a-z0-9.-]+\.[a-z]+\/\S+:\S+$/)
    }
  })

  it('has every line from 1.17 to the newest, once, in order', () => {
    const minors = ISTIO_LINES.map((l) => Number(l.line.split('.')[1]))
    expect(minors[0]).toBe(17)
    expect(minors).toEqual(minors.map((_, i) => 17 + i))
  })

  it('every kind node image: pinned by digest, with the release notes it comes from', () => {
    for (const k of KIND_RELEASES) {
      expect(k.source).toBe(`https://github.com/kubernetes-sigs/kind/releases/tag/v${k.version}`)
      for (const i of k.images) {
        expect(i.image).toMatch(
          new RegExp(`^kindest/node:v${i.kubernetes.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`),
        )
        expect(i.source.startsWith(k.source)).toBe(true)
      }
    }
  })

  it('every Flagger release names the changelog entry that gives its Kubernetes packages', () => {
    for (const f of FLAGGER_RELEASES)
      expect(f.source).toMatch(/^https:\/\/github\.com\/fluxcd\/flagger\/.*CHANGELOG\.md#\d+/)
  })
})

describe('resolveIstio', () => {
  it('gives the named profiles for their own versions, so --istio and --profile build the same cluster', () => {
    expect(resolved('1.17.8')).toBe(book)
    expect(resolved('1.31.1')).toBe(current)
    // A line alone is its newest known patch, which the current profile does not pin yet.
    expect(resolved('1.31').istio.version).toBe('1.31.4')
    expect(resolved('1.31').kind.nodeImage).toBe(current.kind.nodeImage)
  })

  it('picks, for any other line, the newest Kubernetes in its window that kind brings, and the Flagger for it', () => {
    const p = resolved('1.30.5')
    expect(p.name).toBe('istio-1.30.5')
    expect(p.kind).toMatchObject({ version: '0.33.0', kubernetesVersion: '1.36.4' })
    expect(p.kind.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:099e0493/)
    expect(p.flagger.chartVersion).toBe('1.44.0')
    // Istio 1.30 defaulted to registry.istio.io (the behaviour table's DEFAULT_IMAGE_HUB).
    expect(registriesOf(p).map((r) => r.registry)).toEqual(['docker.io', 'registry.istio.io', 'ghcr.io'])
    expect(p.images.map((i) => i.image)).toContain('registry.istio.io/release/proxyv2:1.30.5')
    expect(resolved('1.25').kind).toMatchObject({ version: '0.30.0', kubernetesVersion: '1.32.8' })
    expect(resolved('1.18.3').kind.kubernetesVersion).toBe('1.27.16')
    expect(resolved('1.18.3').flagger.chartVersion).toBe('1.36.1')
  })

  it('keeps every resolved profile inside its line: node Kubernetes in the window, images of that version', () => {
    for (const version of knownIstioVersions()) {
      const p = resolved(version)
      expect(supportsKubernetes(version, p.kind.kubernetesVersion), version).toBe(true)
      expect(p.istio.version).toBe(version)
      expect(
        p.images.filter((i) => /\/(pilot|proxyv2):/.test(i.image)).map((i) => i.image.split(':')[1]),
      ).toEqual([version, version])
      expect(p.images.map((i) => i.image)).toContain(`docker.io/${p.kind.nodeImage}`)
      expect(p.images.map((i) => i.image)).toContain(`ghcr.io/fluxcd/flagger:${p.flagger.chartVersion}`)
    }
  })

  it('refuses a patch it cannot confirm, a line it does not know and a malformed version, naming the nearest', () => {
    expect(resolveIstio('1.31.5')).toMatchObject({ ok: false, nearest: ['1.31.4', '1.30.5'] })
    expect(resolveIstio('1.31.5')).toMatchObject({ problem: expect.stringContaining('known up to 1.31.4') })
    expect(resolveIstio('1.16.3')).toMatchObject({ ok: false, nearest: ['1.17.0'] })
    expect(resolveIstio('1.32')).toMatchObject({ ok: false, nearest: [newestIstio(), previousLineNewest()] })
    expect(resolveIstio('latest')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not an Istio version'),
    })
  })

  it('profileFor: --istio wins over --profile, and a refusal is exit 2 with the nearest versions as the fix', () => {
    expect(profileFor({ profile: 'current', istio: '1.17.8' })).toBe(book)
    expect(profileFor({ profile: 'book' })).toBe(book)
    const error = (() => {
      try {
        return profileFor({ profile: 'current', istio: '1.31.5' })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).fix).toBe('nearest valid versions: 1.31.4, 1.30.5')
  })

  it('nearestIstio gives the known version below and above', () => {
    expect(nearestIstio('1.20.99')).toEqual(['1.20.8', '1.21.0'])
  })
})

describe('upgrade chains (Istio: canary may cross two minors, in-place one)', () => {
  it('goes straight when the step is allowed', () => {
    expect(upgradeChain('1.29.8', '1.31.1', 'canary')).toEqual(['1.29.8', '1.31.1'])
    expect(upgradeChain('1.30.5', '1.31.1', 'in-place')).toEqual(['1.30.5', '1.31.1'])
  })

  it('passes through the newest patch of every second (canary) or every (in-place) line', () => {
    expect(upgradeChain('1.17.8', '1.23.6', 'canary')).toEqual(['1.17.8', '1.19.10', '1.21.6', '1.23.6'])
    expect(upgradeChain('1.28.10', '1.31.1', 'in-place')).toEqual(['1.28.10', '1.29.8', '1.30.5', '1.31.1'])
  })

  it('names the nightly pair: the previous line to the newest', () => {
    expect(previousLineNewest()).toBe('1.30.5')
    expect(newestIstio()).toBe('1.31.4')
  })
})

describe('images a node is preloaded with', () => {
  it('are every profile image but the node image and the host-only stand-in and reaper', () => {
    const images = nodePreloadImages(current)
    expect(images).toContain('docker.io/istio/pilot:1.31.1')
    expect(images).toContain('ghcr.io/fluxcd/flagger:1.44.0')
    expect(images).toContain('docker.io/istioinaction/catalog:latest')
    expect(images.some((i) => i.includes('kindest/node'))).toBe(false)
    expect(images).not.toContain('docker.io/library/node:20-alpine')
    expect(images.some((i) => i.includes('ryuk'))).toBe(false)
  })

  it('follow the flagger chosen for the node', () => {
    expect(flaggerFor('1.28.15').chartVersion).toBe('1.38.0')
    expect(flaggerFor('1.37.0').chartVersion).toBe('1.44.0')
  })
})
