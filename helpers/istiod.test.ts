import { describe, expect, it } from 'vitest'
import { istiodFacts, istiodRefFor, istioVersionOfImage } from './istiod.js'

describe('istiod, one parser for every reader', () => {
  it.each([
    ['docker.io/istio/pilot:1.17.8', '1.17.8'],
    ['gcr.io/istio-release/pilot:1.30.5-distroless', '1.30.5'],
    ['istio/proxyv2:1.17.8-distroless', '1.17.8'],
    ['istio/pilot:1.30.5@sha256:abc', '1.30.5'],
    ['localhost:5000/istio/pilot', 'unknown'],
    ['istio/pilot@sha256:abc', 'unknown'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('reads the Istio release from image %s', (image, version) => {
    expect(istioVersionOfImage(image)).toBe(version)
  })

  it("reads the discovery container's image and environment", () => {
    const facts = istiodFacts({
      spec: {
        selector: {},
        template: {
          spec: {
            containers: [
              {
                name: 'discovery',
                image: 'docker.io/istio/pilot:1.31.1-distroless',
                env: [{ name: 'DISABLE_SHADOW_HOST_SUFFIX', value: 'false' }, { name: 'POD_NAME' }],
              },
            ],
          },
        },
      },
    })
    expect(facts).toEqual({
      image: 'docker.io/istio/pilot:1.31.1-distroless',
      version: '1.31.1',
      env: { DISABLE_SHADOW_HOST_SUFFIX: 'false' },
    })
    expect(istiodFacts(undefined).version).toBe('unknown')
  })

  it('names the istiod of a revisioned namespace (a canary upgrade), else the default one', () => {
    expect(istiodRefFor({ 'istio.io/rev': '1-31-1' }).name).toBe('istiod-1-31-1')
    expect(istiodRefFor({ 'istio-injection': 'enabled' }).name).toBe('istiod')
    expect(istiodRefFor({ 'istio.io/rev': 'default' }).name).toBe('istiod')
    expect(istiodRefFor(undefined)).toMatchObject({ name: 'istiod', namespace: 'istio-system' })
  })
})
