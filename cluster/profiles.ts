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

/**
 * What pulls (runs) an image, as `ImagePull.pulledBy` says it. The data below and the
 * `--istio` profiles (istio-releases.ts) use these exact strings, so `imagesByUser` can tell
 * which phase of `up` runs an image without guessing from its name.
 */
export const PULLED_BY = {
  node: 'kind create cluster (node image)',
  istio: 'istioctl install (istiod, ingress gateway, sidecars)',
  prometheus: 'samples/addons/prometheus.yaml',
  flagger: 'helm install flagger',
  apps: 'up: pulled on the host, loaded into the node',
} as const

/** One container image the main job makes a cluster pull (or pulls on the host), and why. */
export interface ImagePull {
  /** Fully qualified reference: registry/repository:tag (Docker Hub written docker.io). */
  readonly image: string
  readonly pulledBy: string
  /** Where that reference comes from: the chart, manifest or release file that names it. */
  readonly source: string
}

export interface Profile {
  readonly name: string
  readonly description: string
  readonly istio: ToolPin & {
    /** Kubernetes minor versions this Istio minor supports (inclusive). */
    readonly kubernetesWindow: readonly [string, string]
    readonly kubernetesWindowSource: string
  }
  readonly kind: ToolPin & {
    /** Node image pinned by digest, from the kind release's own list (kind.source). */
    readonly nodeImage: string
    readonly kubernetesVersion: string
  }
  readonly helm: ToolPin
  readonly flagger: { readonly chartVersion: string; readonly chartRepo: string; readonly source: string }
  /** Path of the Prometheus addon inside the Istio release archive. */
  readonly prometheusAddon: string
  /** Every image the main job pulls with this profile, so a proxy or mirror can allow them. */
  readonly images: readonly ImagePull[]
  /** Newer releases that exist and why this profile does not use them (empty when none). */
  readonly newerReleases: readonly string[]
}

// Helm is only a client that installs the Flagger chart; one pinned version serves both profiles.
// Source: https://github.com/helm/helm/releases/tag/v3.15.2 ("checksum / <sha256>" per platform).
export const HELM: ToolPin = {
  version: '3.15.2',
  sha256: {
    'linux-amd64': '2694b91c3e501cff57caf650e639604a274645f61af2ea4d601677b746b44fe2',
    'linux-arm64': 'adcf07b08484b52508e5cbc8b5f4b0b0db50342f7bc487ecd88b8948b680e6a7',
    'darwin-amd64': 'e99a9266a5328cb575d81ef10247911f42d9e90c76ef6eef154c5c535565658b',
    'darwin-arm64': '30143dabc1da9d32c7d6c589fad04b1f1ecc73841393d5823fa21c5d7f5bf8f6',
  },
  source: 'https://github.com/helm/helm/releases/tag/v3.15.2',
}

export const FLAGGER_CHART_REPO = 'https://flagger.app'

const BOOK_SOURCES = 'https://github.com/istioinaction/book-source-code (services/*/kubernetes)'

/** App images the scenarios run; `up` loads them into the kind node. Source: ch5-lab.md. */
export const APP_IMAGES: readonly string[] = [
  'istioinaction/catalog:latest',
  'istioinaction/webapp:latest',
  'istioinaction/forum:latest',
]

/** Pulled on the host whatever the profile: the app images and the hermetic egress stand-in. */
export const HOST_IMAGES: readonly ImagePull[] = [
  ...APP_IMAGES.map((image) => ({
    image: `docker.io/${image}`,
    pulledBy: PULLED_BY.apps,
    source: BOOK_SOURCES,
  })),
  {
    image: 'docker.io/library/node:20-alpine',
    pulledBy: 'service-entry (hermetic): the users stand-in container',
    source: 'helpers/system/stand-in-program.ts STAND_IN_IMAGE',
  },
  {
    image: 'docker.io/testcontainers/ryuk:0.14.0',
    pulledBy: "service-entry (hermetic): testcontainers' reaper (unless TESTCONTAINERS_RYUK_DISABLED=true)",
    source: 'https://github.com/testcontainers/testcontainers-node (11.14.0, reaper.js)',
  },
]

export const PROFILES: Readonly<Record<string, Profile>> = {
  book: {
    name: 'book',
    description: 'the versions the Istio in Action chapter-5 lab ran on (Istio 1.17.8)',
    istio: {
      version: '1.17.8',
      kubernetesWindow: ['1.23', '1.26'],
      kubernetesWindowSource:
        'https://istio.io/latest/docs/releases/supported-releases/ (istio/istio.io data/compatibility/supportStatus.yml: 1.17 on 1.23-1.26)',
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
    images: [
      {
        image:
          'docker.io/kindest/node:v1.26.15@sha256:c79602a44b4056d7e48dc20f7504350f1e87530fe953428b792def00bc1076dd',
        pulledBy: PULLED_BY.node,
        source: 'https://github.com/kubernetes-sigs/kind/releases/tag/v0.25.0',
      },
      ...['pilot', 'proxyv2'].map((name) => ({
        image: `docker.io/istio/${name}:1.17.8`,
        pulledBy: PULLED_BY.istio,
        source:
          'https://github.com/istio/release-builder/blob/release-1.17/release/build.sh (DOCKER_HUB docker.io/istio)',
      })),
      {
        image: 'docker.io/prom/prometheus:v2.34.0',
        pulledBy: PULLED_BY.prometheus,
        source: 'https://github.com/istio/istio/blob/1.17.8/samples/addons/prometheus.yaml',
      },
      {
        image: 'docker.io/jimmidyson/configmap-reload:v0.5.0',
        pulledBy: PULLED_BY.prometheus,
        source: 'https://github.com/istio/istio/blob/1.17.8/samples/addons/prometheus.yaml',
      },
      {
        image: 'ghcr.io/fluxcd/flagger:1.36.1',
        pulledBy: PULLED_BY.flagger,
        source: 'https://github.com/fluxcd/flagger/blob/v1.36.1/charts/flagger/values.yaml',
      },
      ...HOST_IMAGES,
    ],
    // The book's versions, on purpose.
    newerReleases: [],
  },
  current: {
    name: 'current',
    description: 'the newest stable Istio, kind and Flagger, for checking an upgrade before doing it',
    istio: {
      // 1.31.1 is the newest patch of the newest minor line found: Istio 1.31
      // (https://istio.io/latest/news/releases/1.31.x/announcing-1.31/) and its patch
      // https://istio.io/latest/news/releases/1.31.x/announcing-1.31.1/ . Patches 1.31.2-1.31.4
      // (and 1.32.0) exist by their release tags on istio.io/client-go (cluster/istio-releases.ts
      // RELEASE_TAGS_131), but no istioctl checksum of them could be read here to pin, so the
      // profile stays on 1.31.1; `--istio 1.31` gives 1.31.4, its checksum recorded at first
      // download. The 1.30 line ends at 1.30.5
      // (https://istio.io/latest/news/releases/1.30.x/announcing-1.30.5/), whose default hub
      // registry.istio.io is to be retired.
      version: '1.31.1',
      kubernetesWindow: ['1.32', '1.36'],
      kubernetesWindowSource:
        'https://istio.io/latest/news/releases/1.31.x/announcing-1.31/ ("officially supported on Kubernetes versions 1.32 to 1.36"); istio/istio release-1.31 istioctl/pkg/install/k8sversion/version.go MinK8SVersion = 32',
      // Not found in any stored public source: verified against the release's own
      // istio-1.31.1-<os>.tar.gz.sha256 at download time (see ToolPin.sha256).
      sha256: { 'linux-amd64': null, 'linux-arm64': null, 'darwin-amd64': null, 'darwin-arm64': null },
      source: 'https://github.com/istio/istio/releases/tag/1.31.1',
    },
    kind: {
      // v0.33.0 is the newest kind release (its notes list v1.37.0 (default), v1.36.4, v1.35.8,
      // v1.34.11). v1.37.0 was added to Istio 1.31's support table only after the release
      // (the announcement says 1.32 to 1.36), so the newest image inside both is pinned:
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
      // 1.44.0 (2026-07-14): newest release, Kubernetes 1.36 support; chart version = app version
      // (charts/flagger/Chart.yaml at v1.44.0).
      chartVersion: '1.44.0',
      chartRepo: FLAGGER_CHART_REPO,
      source: 'https://github.com/fluxcd/flagger/blob/main/CHANGELOG.md#1440',
    },
    prometheusAddon: 'samples/addons/prometheus.yaml',
    images: [
      {
        image:
          'docker.io/kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
        pulledBy: PULLED_BY.node,
        source: 'https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0',
      },
      // Istio 1.30.x defaulted to registry.istio.io/release; 1.31 went back to Docker Hub.
      ...['pilot', 'proxyv2'].map((name) => ({
        image: `docker.io/istio/${name}:1.31.1`,
        pulledBy: PULLED_BY.istio,
        source:
          'https://github.com/istio/release-builder/blob/release-1.31/release/build.sh (DOCKER_HUB docker.io/istio, c09fe415)',
      })),
      {
        image: 'docker.io/prom/prometheus:v3.10.0',
        pulledBy: PULLED_BY.prometheus,
        source: 'https://github.com/istio/istio/blob/release-1.31/samples/addons/prometheus.yaml',
      },
      {
        image: 'ghcr.io/prometheus-operator/prometheus-config-reloader:v0.89.0',
        pulledBy: PULLED_BY.prometheus,
        source: 'https://github.com/istio/istio/blob/release-1.31/samples/addons/prometheus.yaml',
      },
      {
        image: 'ghcr.io/fluxcd/flagger:1.44.0',
        pulledBy: PULLED_BY.flagger,
        source: 'https://github.com/fluxcd/flagger/blob/v1.44.0/charts/flagger/values.yaml',
      },
      ...HOST_IMAGES,
    ],
    newerReleases: [
      'kindest/node v1.37.0 (kind v0.33.0 default): Istio 1.31 was announced for Kubernetes 1.32-1.36; 1.37 joined its support table later',
    ],
  },
}

/** The registries a profile pulls from, each with its images, in first-use order. Pure. */
export function registriesOf(profile: Profile): { registry: string; images: string[] }[] {
  const byRegistry = new Map<string, string[]>()
  for (const { image } of profile.images) {
    const registry = image.split('/')[0] ?? image
    byRegistry.set(registry, [...(byRegistry.get(registry) ?? []), image])
  }
  return [...byRegistry].map(([registry, images]) => ({ registry, images }))
}

/**
 * Images that only ever run on the host (the hermetic egress stand-in and testcontainers'
 * reaper): `up` pulls them on the host but loads nothing of them into the node.
 */
export const HOST_ONLY_IMAGES: ReadonlySet<string> = new Set(
  HOST_IMAGES.map((i) => i.image).filter((image) => !APP_IMAGES.some((app) => image === `docker.io/${app}`)),
)

/**
 * What `up` pulls once on the host and loads into the kind node before it installs anything,
 * so a recreated cluster pulls nothing from the internet: every image of the profile but the
 * node image (kind runs it) and the host-only ones. Pure.
 */
export function nodePreloadImages(profile: Profile): string[] {
  return profile.images
    .map((i) => i.image)
    .filter((image) => !image.startsWith('docker.io/kindest/node:') && !HOST_ONLY_IMAGES.has(image))
}

/** The profile's images that only run on the host: `up` pulls them there and loads none into the node. Pure. */
export function hostOnlyImages(profile: Profile): string[] {
  return profile.images.map((i) => i.image).filter((image) => HOST_ONLY_IMAGES.has(image))
}

/**
 * The part of `up` that runs an image in the node, and so must not start before the image is
 * loaded there: Istio's install (istiod and the gateway; the same proxy image serves the
 * sidecars later), the Prometheus addon, the Flagger chart, and the lab's apps (run by the
 * scenarios, after `up`).
 */
export type ImageUser = 'istio' | 'prometheus' | 'flagger' | 'apps'
export const IMAGE_USERS: readonly ImageUser[] = ['istio', 'prometheus', 'flagger', 'apps']

export interface ImageGroup {
  /** Pulled on the host, then loaded into the node. */
  readonly node: readonly string[]
  /** Pulled on the host only (they never run in the node). */
  readonly hostOnly: readonly string[]
}

const USER_OF: Readonly<Record<string, ImageUser>> = {
  [PULLED_BY.istio]: 'istio',
  [PULLED_BY.prometheus]: 'prometheus',
  [PULLED_BY.flagger]: 'flagger',
  [PULLED_BY.apps]: 'apps',
}

/**
 * The profile's images by the part of `up` that runs them, from each image's `pulledBy`
 * record: together they are `nodePreloadImages` and `hostOnlyImages`. The host-only images
 * (used by `run`, not by anything `up` installs) go with the apps. An image whose `pulledBy`
 * names nothing `up` knows is a data bug: it throws, rather than loading the image late and
 * letting the node pull it itself. Pure.
 */
export function imagesByUser(profile: Profile): Readonly<Record<ImageUser, ImageGroup>> {
  const empty = () => ({ node: [] as string[], hostOnly: [] as string[] })
  const groups: Record<ImageUser, ReturnType<typeof empty>> = {
    istio: empty(),
    prometheus: empty(),
    flagger: empty(),
    apps: empty(),
  }
  for (const { image, pulledBy } of profile.images) {
    if (pulledBy === PULLED_BY.node) continue
    if (HOST_ONLY_IMAGES.has(image)) {
      groups.apps.hostOnly.push(image)
      continue
    }
    const user = USER_OF[pulledBy]
    if (!user) {
      throw new Error(
        `image ${image} of profile '${profile.name}' is pulled by '${pulledBy}', which no phase of up runs (cluster/profiles.ts PULLED_BY)`,
      )
    }
    if (!groups[user].node.includes(image)) groups[user].node.push(image)
  }
  return groups
}

export const PROFILE_NAMES: readonly string[] = Object.keys(PROFILES)
export const DEFAULT_PROFILE = 'current'

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
