import type { V1Deployment } from '@kubernetes/client-node'

/**
 * istiod: where it is, and what its Deployment says (the Istio version, an operator's
 * overrides of pilot's defaults). The one parser every reader uses. Pure.
 */
export const ISTIOD_REF = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: 'istiod',
  namespace: 'istio-system',
} as const

/**
 * The istiod that serves a namespace: `istiod-<rev>` for a namespace labelled
 * `istio.io/rev=<rev>` (a revisioned control plane, as a canary upgrade installs it:
 * `istioctl install --revision`), else the default istiod.
 */
export function istiodRefFor(namespaceLabels: Readonly<Record<string, string>> | undefined) {
  const rev = namespaceLabels?.['istio.io/rev']
  return rev && rev !== 'default' ? { ...ISTIOD_REF, name: `istiod-${rev}` } : ISTIOD_REF
}

/**
 * The Istio version in an image reference's tag: docker.io/istio/pilot:1.17.8 and
 * gcr.io/istio-release/pilot:1.30.5-distroless both give the release (1.17.8, 1.30.5); a
 * reference by digest only, or a tag that names no release, gives 'unknown'.
 */
export function istioVersionOfImage(image: string | undefined): string {
  const reference = (image ?? '').split('@')[0] ?? ''
  const last = reference.split('/').at(-1) ?? ''
  const tag = last.includes(':') ? (last.split(':').at(-1) ?? '') : ''
  return /^(\d+\.\d+\.\d+)/.exec(tag)?.[1] ?? 'unknown'
}

export interface IstiodFacts {
  readonly image: string | undefined
  readonly version: string
  /** discovery's environment, where operators override pilot's defaults (DISABLE_SHADOW_HOST_SUFFIX...). */
  readonly env: Readonly<Record<string, string>>
}

export function istiodFacts(deployment: V1Deployment | undefined): IstiodFacts {
  const container =
    deployment?.spec?.template.spec?.containers.find((c) => c.name === 'discovery') ??
    deployment?.spec?.template.spec?.containers[0]
  return {
    image: container?.image,
    version: istioVersionOfImage(container?.image),
    env: Object.fromEntries(
      (container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
    ),
  }
}
