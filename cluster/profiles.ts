import { choices, UsageError } from '../helpers/errors.js'

/**
 * Version profiles: every version, digest and checksum the suite's cluster uses.
 * Data only. Each pinned fact names its source in a comment. `plan --profile P`
 * prints all of it.
 */
export type Platform = 'linux-amd64' | 'linux-arm64' | 'darwin-amd64' | 'darwin-arm64'
export const PLATFORMS: readonly Platform[] = ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64']

export interface ToolPin {
  readonly version: string
  /**
   * sha256 of the downloaded artefact per platform. `null` means no public source we could
   * check had the value: the download is then verified against the publisher's checksum file
   * published beside the artefact, and the value seen is recorded in `.tools/` so a later
   * download must match it. `plan` says which artefacts are verified this way.
   */
  readonly sha256: Readonly<Record<Platform, string | null>>
  readonly source: string
}

export interface Profile {
  readonly name: string
  readonly description: string
  readonly istio: ToolPin & {
    /** Kubernetes minor versions this Istio minor supports (inclusive). */
    readonly kubernetesWindow: readonly [string, string]
  }
  readonly kind: ToolPin & {
    /** Node image pinned by digest, from the kind release's own list. */
    readonly nodeImage: string
    readonly kubernetesVersion: string
  }
  readonly helm: ToolPin
  readonly flagger: { readonly chartVersion: string; readonly chartRepo: string; readonly source: string }
  /** Path of the Prometheus addon inside the Istio release archive. */
  readonly prometheusAddon: string
}

// Helm is only a client that installs the Flagger chart; one pinned version serves both profiles.
// Source: https://github.com/helm/helm/releases/tag/v3.15.2 ("checksum / <sha256>" per platform).
const HELM: ToolPin = {
  version: '3.15.2',
  sha256: {
    'linux-amd64': '2694b91c3e501cff57caf650e639604a274645f61af2ea4d601677b746b44fe2',
    'linux-arm64': 'adcf07b08484b52508e5cbc8b5f4b0b0db50342f7bc487ecd88b8948b680e6a7',
    'darwin-amd64': 'e99a9266a5328cb575d81ef10247911f42d9e90c76ef6eef154c5c535565658b',
    'darwin-arm64': '30143dabc1da9d32c7d6c589fad04b1f1ecc73841393d5823fa21c5d7f5bf8f6',
  },
  source: 'https://github.com/helm/helm/releases/tag/v3.15.2',
}

const FLAGGER_CHART_REPO = 'https://flagger.app'

export const PROFILES: Readonly<Record<string, Profile>> = {
  book: {
    name: 'book',
    description: 'the versions the Istio in Action chapter-5 lab ran on (Istio 1.17.8)',
    istio: {
      version: '1.17.8',
      // Support table: https://istio.io/latest/docs/releases/supported-releases/ (1.17: Kubernetes 1.23-1.26).
      kubernetesWindow: ['1.23', '1.26'],
      // Not found in any stored public source: verified against the release's own
      // istio-1.17.8-<os>.tar.gz.sha256 at download time (see ToolPin.sha256).
      sha256: { 'linux-amd64': null, 'linux-arm64': null, 'darwin-amd64': null, 'darwin-arm64': null },
      source: 'https://github.com/istio/istio/releases/tag/1.17.8',
    },
    kind: {
      version: '0.25.0',
      // Release notes list v1.26.15 among "Images pre-built for this release":
      // https://github.com/kubernetes-sigs/kind/releases/tag/v0.25.0
      nodeImage:
        'kindest/node:v1.26.15@sha256:c79602a44b4056d7e48dc20f7504350f1e87530fe953428b792def00bc1076dd',
      kubernetesVersion: '1.26.15',
      // The release's kind-<os>-<arch>.sha256sum values, as pinned in the Hermit package
      // manifest for kind (cashapp/hermit-packages, kind.hcl); linux-amd64 also matches an
      // independent install guide that checks the same value with sha256sum.
      sha256: {
        'linux-amd64': 'b22ff7e5c02b8011e82cc3223d069d178b9e1543f1deb21e936d11764780a3d8',
        'linux-arm64': '06e544e3f12ea54de5962ceaecd97513a25dbab4168a44f03f01833349afdda3',
        'darwin-amd64': '180404ae1c0de8d333583d2958cdfac5338ec3e32cd765a158cfd6d09eb8cd7d',
        'darwin-arm64': '222701bb72ff596928c57b3c64ca3e0b969d593ef24ccc790f9c17904e7b63ea',
      },
      source: 'https://github.com/kubernetes-sigs/kind/releases/tag/v0.25.0',
    },
    helm: HELM,
    flagger: {
      // 1.36.x (Feb 2024) uses only APIs that Kubernetes 1.26 serves (apps/v1, autoscaling/v2);
      // it predates the book's lab notes by a year and is pinned in public Terraform for Istio.
      chartVersion: '1.36.1',
      chartRepo: FLAGGER_CHART_REPO,
      source: 'https://github.com/fluxcd/flagger/blob/main/CHANGELOG.md#1361',
    },
    prometheusAddon: 'samples/addons/prometheus.yaml',
  },
  current: {
    name: 'current',
    description: 'the newest stable Istio, kind and Flagger, for checking an upgrade before doing it',
    istio: {
      // 1.30.5 is the newest patch listed at https://istio.io/latest/news/releases/1.30.x/ ;
      // support table (istio.io data/compatibility/supportStatus.yml): 1.30 supports Kubernetes 1.32-1.36.
      version: '1.30.5',
      kubernetesWindow: ['1.32', '1.36'],
      // Not found in any stored public source: verified against the release's own
      // istio-1.30.5-<os>.tar.gz.sha256 at download time (see ToolPin.sha256).
      sha256: { 'linux-amd64': null, 'linux-arm64': null, 'darwin-amd64': null, 'darwin-arm64': null },
      source: 'https://github.com/istio/istio/releases/tag/1.30.5',
    },
    kind: {
      // v0.33.0 (Sept 2026) is the newest kind release. Its default image is v1.37.0, outside
      // Istio 1.30's window, so the newest image of its list inside the window is pinned:
      // https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0
      version: '0.33.0',
      nodeImage:
        'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
      kubernetesVersion: '1.36.4',
      // The release's kind-<os>-<arch>.sha256sum values as checked by public bootstrap
      // scripts: linux-amd64 and darwin-arm64 agree across several repositories, linux-arm64
      // across two, darwin-amd64 was seen in one (a pinned Go bootstrapper's asset table).
      sha256: {
        'linux-amd64': 'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d',
        'linux-arm64': '20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2',
        'darwin-amd64': '5a99f26f57246dc9319dd294803313197a0f34d33c525b3ea8b655db5916ece0',
        'darwin-arm64': '0c8c7dbe5e23594a198b786c4bc13dacc101fa6196b0cb0b23a1ca44e61f4b4f',
      },
      source: 'https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0',
    },
    helm: HELM,
    flagger: {
      // 1.44.0 (2026-07-14): newest release, Kubernetes 1.36 support.
      chartVersion: '1.44.0',
      chartRepo: FLAGGER_CHART_REPO,
      source: 'https://github.com/fluxcd/flagger/blob/main/CHANGELOG.md#1440',
    },
    prometheusAddon: 'samples/addons/prometheus.yaml',
  },
}

export const PROFILE_NAMES: readonly string[] = Object.keys(PROFILES)
export const DEFAULT_PROFILE = 'current'

/** App images the scenarios run; `up` loads them into the kind node. Source: ch5-lab.md. */
export const APP_IMAGES: readonly string[] = [
  'istioinaction/catalog:latest',
  'istioinaction/webapp:latest',
  'istioinaction/forum:latest',
]

/** Host ports mapped from the kind node (container port = host port), bound to 127.0.0.1. */
export const NODE_PORTS = { http: 30000, https: 30005 } as const

/** Looks up a profile; an unknown name is bad input (exit 2) naming the valid ones. */
export function resolveProfile(name: string): Profile {
  const profile = PROFILES[name]
  if (!profile) {
    throw new UsageError(`unknown profile '${name}'`, `valid profiles: ${choices(PROFILE_NAMES)}`)
  }
  return profile
}
