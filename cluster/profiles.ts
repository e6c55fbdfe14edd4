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
  /** sha256 of the downloaded artefact per platform, from the publisher's release page. */
  readonly sha256: Readonly<Record<Platform, string>>
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
      sha256: {
        'linux-amd64': '',
        'linux-arm64': '',
        'darwin-amd64': '',
        'darwin-arm64': '',
      },
      source: 'https://github.com/istio/istio/releases/tag/1.17.8',
    },
    kind: {
      version: '0.25.0',
      // Release notes list v1.26.15 among "Images pre-built for this release":
      // https://github.com/kubernetes-sigs/kind/releases/tag/v0.25.0
      nodeImage:
        'kindest/node:v1.26.15@sha256:c79602a44b4056d7e48dc20f7504350f1e87530fe953428b792def00bc1076dd',
      kubernetesVersion: '1.26.15',
      sha256: {
        'linux-amd64': '',
        'linux-arm64': '',
        'darwin-amd64': '',
        'darwin-arm64': '',
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
      sha256: {
        'linux-amd64': '',
        'linux-arm64': '',
        'darwin-amd64': '',
        'darwin-arm64': '',
      },
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
      sha256: {
        'linux-amd64': '',
        'linux-arm64': '',
        'darwin-amd64': '',
        'darwin-arm64': '',
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
