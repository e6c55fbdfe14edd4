import { choices, UsageError } from '../helpers/errors.js'
import { compareVersions, DEFAULT_IMAGE_HUB, expectedBehaviour } from '../helpers/istio-behaviour.js'
import {
  FLAGGER_CHART_REPO,
  HELM,
  HOST_IMAGES,
  type ImagePull,
  type Platform,
  PROFILES,
  type Profile,
  PULLED_BY,
  resolveProfile,
} from './profiles.js'

/**
 * Any Istio release, not only the two profiles: which Istio lines exist and which Kubernetes
 * minors each supports, which kind releases bring which node images, which Flagger chart fits a
 * node's Kubernetes. Data only, each entry with its upstream source; `resolveIstio` turns a
 * version into a profile from them (pure).
 */

/** One Istio minor line. */
export interface IstioLine {
  readonly line: string
  /** Kubernetes minors the line is supported on (inclusive). */
  readonly kubernetes: readonly [string, string]
  readonly kubernetesSource: string
  /**
   * Patches known to exist: 0..newestPatch. A patch newer than this is refused, because the
   * suite cannot prove that it exists (nor record its checksum) before downloading it.
   */
  readonly newestPatch: number
  readonly patchesSource: string
  /** The images samples/addons/prometheus.yaml of the line runs, fully qualified. */
  readonly prometheusImages: readonly string[]
  readonly prometheusSource: string
}

const SUPPORT_STATUS =
  'https://istio.io/latest/docs/releases/supported-releases/ (istio/istio.io data/compatibility/supportStatus.yml, k8sVersions)'
const announcement = (line: string, range: string) =>
  `https://istio.io/latest/news/releases/${line}.x/announcing-${line}/ ("officially supported on Kubernetes versions ${range}")`
const patches = (line: string, newest: number) =>
  `https://istio.io/latest/news/releases/${line}.x/ (announcing-${line}.1 .. ${line}.${newest}) and istio/istio tags ${line}.x`
const addons = (line: string) =>
  `https://github.com/istio/istio/blob/release-${line}/samples/addons/prometheus.yaml`

/**
 * Istio's release process tags every repository of a release with its version, and the Go
 * modules with v<version>, before it creates the GitHub release (istio/release-builder
 * pkg/publish/github.go, Github and GithubTag). The Go module proxy serves those tags of
 * istio.io/client-go and istio.io/api: v1.31.2 (2026-10-13), v1.31.3 and v1.31.4 (2026-10-21),
 * read from proxy.golang.org/istio.io/client-go/@v/<v>.info on 2026-11-27. The istio.io
 * announcements the suite could read stop at 1.31.1. (v1.32.0 is tagged too; its Kubernetes
 * window is not in any source the suite could read, so the 1.32 line is not listed.)
 */
const RELEASE_TAGS_131 =
  'https://istio.io/latest/news/releases/1.31.x/ (announcing-1.31.1) and, for 1.31.2-1.31.4, the release tags v1.31.2, v1.31.3, v1.31.4 of istio.io/client-go and istio.io/api on proxy.golang.org, which istio/release-builder pkg/publish/github.go creates when it publishes a release'

/** Prometheus addon images: the old reloader (configmap-reload) up to 1.20, the operator's after. */
const oldAddon = (prometheus: string, reload: string) => [
  `docker.io/prom/prometheus:${prometheus}`,
  `docker.io/jimmidyson/configmap-reload:${reload}`,
]
const newAddon = (prometheus: string, reloader: string) => [
  `docker.io/prom/prometheus:${prometheus}`,
  `ghcr.io/prometheus-operator/prometheus-config-reloader:${reloader}`,
]

function line(
  name: string,
  kubernetes: readonly [string, string],
  kubernetesSource: string,
  newestPatch: number,
  prometheusImages: readonly string[],
): IstioLine {
  return {
    line: name,
    kubernetes,
    kubernetesSource,
    newestPatch,
    patchesSource: patches(name, newestPatch),
    prometheusImages,
    prometheusSource: addons(name),
  }
}

/**
 * Istio 1.17 to the newest line. Windows: the supported-releases table where it lists the line
 * (1.17-1.22 and 1.26-1.30), the line's announcement otherwise (1.23-1.25, 1.31: the table
 * copy we could read did not reach them). Patches: the announcements under
 * istio.io/news/releases together with istio/istio's tags. Addon images: each line's
 * release branch (a later patch may bump them; the list is what `plan` shows to a proxy).
 */
export const ISTIO_LINES: readonly IstioLine[] = [
  line('1.17', ['1.23', '1.26'], SUPPORT_STATUS, 8, oldAddon('v2.34.0', 'v0.5.0')),
  line('1.18', ['1.24', '1.27'], SUPPORT_STATUS, 7, oldAddon('v2.41.0', 'v0.8.0')),
  line('1.19', ['1.25', '1.28'], SUPPORT_STATUS, 10, oldAddon('v2.41.0', 'v0.8.0')),
  line('1.20', ['1.25', '1.29'], SUPPORT_STATUS, 8, oldAddon('v2.41.0', 'v0.8.0')),
  line('1.21', ['1.26', '1.29'], SUPPORT_STATUS, 6, newAddon('v2.48.0', 'v0.67.0')),
  line('1.22', ['1.27', '1.30'], SUPPORT_STATUS, 8, newAddon('v2.51.1', 'v0.72.0')),
  line('1.23', ['1.27', '1.30'], announcement('1.23', '1.27 to 1.30'), 6, newAddon('v2.52.0', 'v0.73.2')),
  line('1.24', ['1.28', '1.31'], announcement('1.24', '1.28 to 1.31'), 6, newAddon('v2.54.1', 'v0.76.0')),
  line('1.25', ['1.29', '1.32'], announcement('1.25', '1.29 to 1.32'), 5, newAddon('v3.1.0', 'v0.78.2')),
  line('1.26', ['1.29', '1.33'], SUPPORT_STATUS, 8, newAddon('v3.2.1', 'v0.81.0')),
  line('1.27', ['1.29', '1.33'], SUPPORT_STATUS, 9, newAddon('v3.4.2', 'v0.83.0')),
  line('1.28', ['1.30', '1.34'], SUPPORT_STATUS, 10, newAddon('v3.5.0', 'v0.85.0')),
  line('1.29', ['1.31', '1.35'], SUPPORT_STATUS, 8, newAddon('v3.8.1', 'v0.87.1')),
  line('1.30', ['1.32', '1.36'], SUPPORT_STATUS, 5, newAddon('v3.10.0', 'v0.89.0')),
  {
    ...line(
      '1.31',
      ['1.32', '1.36'],
      announcement('1.31', '1.32 to 1.36'),
      4,
      newAddon('v3.10.0', 'v0.89.0'),
    ),
    patchesSource: RELEASE_TAGS_131,
  },
]

/** One node image a kind release was published with. */
export interface NodeImage {
  readonly kubernetes: string
  /** kindest/node:v<kubernetes>@sha256:<digest> */
  readonly image: string
  readonly source: string
}

export interface KindRelease {
  readonly version: string
  /** Binary checksums per platform, or null: verified against kind's .sha256sum and recorded. */
  readonly sha256: Readonly<Record<Platform, string | null>>
  readonly source: string
  readonly images: readonly NodeImage[]
}

const kindNotes = (version: string) => `https://github.com/kubernetes-sigs/kind/releases/tag/v${version}`
const node = (version: string, kubernetes: string, digest: string, how: string): NodeImage => ({
  kubernetes,
  image: `kindest/node:v${kubernetes}@sha256:${digest}`,
  source: `${kindNotes(version)} ("Images pre-built for this release"; ${how})`,
})
const NOT_PINNED: Readonly<Record<Platform, null>> = {
  'linux-amd64': null,
  'linux-arm64': null,
  'darwin-amd64': null,
  'darwin-arm64': null,
}

/**
 * The kind releases the suite builds clusters with, each with the node images its release notes
 * list (digest included: kind only supports an image with the release it was built for). A
 * default image is also checked against kind's own pkg/apis/config/defaults/image.go at the tag;
 * the others against copies of the release notes (Renovate pull requests quote them whole) and
 * public pins that agree.
 */
export const KIND_RELEASES: readonly KindRelease[] = [
  {
    version: '0.25.0',
    sha256: (PROFILES.book as Profile).kind.sha256,
    source: kindNotes('0.25.0'),
    images: [
      node(
        '0.25.0',
        '1.31.2',
        '18fbefc20a7113353c7b75b5c869d7145a6abd6269154825872dc59c1329912e',
        'default, image.go at v0.25.0',
      ),
      node(
        '0.25.0',
        '1.30.6',
        'b6d08db72079ba5ae1f4a88a09025c0a904af3b52387643c285442afb05ab994',
        'quoted in quipper/actions-runner#593',
      ),
      node(
        '0.25.0',
        '1.29.10',
        '3b2d8c31753e6c8069d4fc4517264cd20e86fd36220671fb7d0a5855103aa84b',
        'quoted in quipper/actions-runner#593',
      ),
      node(
        '0.25.0',
        '1.28.15',
        'a7c05c7ae043a0b8c818f5a06188bc2c4098f6cb59ca7d1856df00375d839251',
        'quoted in quipper/actions-runner#593',
      ),
      node(
        '0.25.0',
        '1.27.16',
        '2d21a61643eafc439905e18705b8186f3296384750a835ad7a005dceb9546d20',
        'quoted in quipper/actions-runner#593; same digest in several public pins',
      ),
      node(
        '0.25.0',
        '1.26.15',
        'c79602a44b4056d7e48dc20f7504350f1e87530fe953428b792def00bc1076dd',
        "the book profile's pin",
      ),
    ],
  },
  {
    version: '0.30.0',
    sha256: NOT_PINNED,
    source: kindNotes('0.30.0'),
    images: [
      node(
        '0.30.0',
        '1.34.0',
        '7416a61b42b1662ca6ca89f02028ac133a309a2a30ba309614e8ec94d976dc5a',
        'default, image.go at v0.30.0',
      ),
      node(
        '0.30.0',
        '1.33.4',
        '25a6018e48dfcaee478f4a59af81157a437f15e6e140bf103f85a2e7cd0cbbf2',
        'release-notes copies and public pins agree',
      ),
      node(
        '0.30.0',
        '1.32.8',
        'abd489f042d2b644e2d033f5c2d900bc707798d075e8186cb65e3f1367a9d5a1',
        'release-notes copies and public pins agree',
      ),
      node(
        '0.30.0',
        '1.31.12',
        '0f5cc49c5e73c0c2bb6e2df56e7df189240d83cf94edfa30946482eb08ec57d2',
        'release-notes copies and public pins agree',
      ),
    ],
  },
  {
    version: '0.33.0',
    sha256: (PROFILES.current as Profile).kind.sha256,
    source: kindNotes('0.33.0'),
    images: [
      node(
        '0.33.0',
        '1.37.0',
        'a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
        'default; release-notes copies agree',
      ),
      node(
        '0.33.0',
        '1.36.4',
        '099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
        "the current profile's pin",
      ),
      node(
        '0.33.0',
        '1.35.8',
        '07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
        'release-notes copies and public pins agree',
      ),
      node(
        '0.33.0',
        '1.34.11',
        '44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d',
        'release-notes copies and public pins agree',
      ),
    ],
  },
]

/** A Flagger release and the Kubernetes minor its client packages were built against. */
export interface FlaggerRelease {
  readonly chartVersion: string
  readonly kubernetesPackages: string
  readonly source: string
}

const flaggerLog = (version: string, note: string) =>
  `https://github.com/fluxcd/flagger/blob/main/CHANGELOG.md#${version.replaceAll('.', '')} (${note})`

/**
 * Chart version = app version = image tag (charts/flagger/Chart.yaml and values.yaml at each
 * tag). A node gets the oldest release whose Kubernetes packages are at least its minor: the
 * book's 1.36.1 for Kubernetes 1.26, the current 1.44.0 for 1.36.
 */
export const FLAGGER_RELEASES: readonly FlaggerRelease[] = [
  {
    chartVersion: '1.36.1',
    kubernetesPackages: '1.27',
    source: flaggerLog('1.36.1', 'Kubernetes packages 1.27 since 1.34.0'),
  },
  { chartVersion: '1.38.0', kubernetesPackages: '1.30', source: flaggerLog('1.38.0', 'Kubernetes 1.30') },
  { chartVersion: '1.39.0', kubernetesPackages: '1.31', source: flaggerLog('1.39.0', 'Kubernetes v1.31.3') },
  { chartVersion: '1.42.0', kubernetesPackages: '1.34', source: flaggerLog('1.42.0', 'Kubernetes 1.34') },
  { chartVersion: '1.43.0', kubernetesPackages: '1.35', source: flaggerLog('1.43.0', 'Kubernetes 1.35') },
  { chartVersion: '1.44.0', kubernetesPackages: '1.36', source: flaggerLog('1.44.0', 'Kubernetes 1.36') },
]

/**
 * How many minor versions one upgrade step may cross: "When using revision-based upgrades
 * jumping across two minor versions is supported (e.g. upgrading directly from version 1.8 to
 * 1.10). This is in contrast to in-place upgrades where it is required to upgrade to each
 * intermediate minor release."
 */
export const UPGRADE_MAX_MINOR_STEP = { canary: 2, 'in-place': 1 } as const
export const UPGRADE_STEP_SOURCE =
  'https://istio.io/latest/docs/setup/upgrade/canary/ (istio/istio.io content/en/docs/setup/upgrade/canary/index.md, "Before you upgrade")'

const minorOf = (version: string) => Number(version.split('.')[1])
const lineOf = (version: string) => version.split('.').slice(0, 2).join('.')

/** Every Istio version the tables know, oldest first. Pure. */
export function knownIstioVersions(): string[] {
  return ISTIO_LINES.flatMap((l) => Array.from({ length: l.newestPatch + 1 }, (_, p) => `${l.line}.${p}`))
}

/** The newest known Istio version. */
export function newestIstio(): string {
  return knownIstioVersions().at(-1) as string
}

/** The newest patch of the line before the newest: the nightly rehearsal's starting point. */
export function previousLineNewest(): string {
  const before = ISTIO_LINES.at(-2) as IstioLine
  return `${before.line}.${before.newestPatch}`
}

/**
 * The known versions nearest to `wanted`, for a refusal: the one below, the one above, and when
 * nothing is above, the newest patch of the line before (at most two). Pure.
 */
export function nearestIstio(wanted: string): string[] {
  const known = knownIstioVersions()
  const below = known.filter((v) => compareVersions(v, wanted) < 0).at(-1)
  const above = known.find((v) => compareVersions(v, wanted) > 0)
  const previous = ISTIO_LINES.filter((l) => compareVersions(l.line, lineOf(below ?? '0.0')) < 0).at(-1)
  const candidates = [below, above, previous ? `${previous.line}.${previous.newestPatch}` : undefined]
  return [...new Set(candidates.filter((v): v is string => v !== undefined))].slice(0, 2)
}

export type IstioResolution =
  | { readonly ok: true; readonly version: string; readonly line: IstioLine; readonly profile: Profile }
  | { readonly ok: false; readonly problem: string; readonly nearest: readonly string[] }

/** The node image for a line: the newest Kubernetes minor in its window that a kind release brings. */
function nodeFor(l: IstioLine): { kind: KindRelease; image: NodeImage } | undefined {
  const [low, high] = l.kubernetes
  const candidates = KIND_RELEASES.flatMap((kind) => kind.images.map((image) => ({ kind, image }))).filter(
    ({ image }) =>
      compareVersions(lineOf(image.kubernetes), low) >= 0 &&
      compareVersions(lineOf(image.kubernetes), high) <= 0,
  )
  // Newest minor first; for the same minor, the newest kind release (its patch is newer).
  return candidates.sort(
    (a, b) =>
      compareVersions(lineOf(b.image.kubernetes), lineOf(a.image.kubernetes)) ||
      compareVersions(b.kind.version, a.kind.version),
  )[0]
}

/** The Flagger chart for a node's Kubernetes minor. Pure. */
export function flaggerFor(kubernetes: string): FlaggerRelease {
  const minor = lineOf(kubernetes)
  return (
    FLAGGER_RELEASES.find((f) => compareVersions(f.kubernetesPackages, minor) >= 0) ??
    (FLAGGER_RELEASES.at(-1) as FlaggerRelease)
  )
}

/**
 * A version ('1.31.1', or a line '1.31' for its newest known patch) as a full profile: Istio,
 * the kind release and node image inside the line's Kubernetes window, the Flagger chart for
 * that Kubernetes, every image it pulls with its registry. A version a named profile already
 * pins resolves to that profile, so `up --istio 1.17.8` and `up --profile book` build the same
 * cluster. Anything else is refused with the nearest known versions. Pure.
 */
export function resolveIstio(spec: string): IstioResolution {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(spec)
  if (!match) {
    return {
      ok: false,
      problem: `'${spec}' is not an Istio version (1.31.1, or 1.31 for its newest patch)`,
      nearest: [newestIstio()],
    }
  }
  const l = ISTIO_LINES.find((x) => x.line === `${match[1]}.${match[2]}`)
  if (!l) {
    const range = `${(ISTIO_LINES[0] as IstioLine).line} to ${(ISTIO_LINES.at(-1) as IstioLine).line}`
    return {
      ok: false,
      problem: `Istio ${spec} is not a line the suite knows (it knows ${range})`,
      nearest: nearestIstio(spec),
    }
  }
  const patch = match[3] === undefined ? l.newestPatch : Number(match[3])
  const version = `${l.line}.${patch}`
  if (patch > l.newestPatch) {
    return {
      ok: false,
      problem: `Istio ${version} is not a release the suite can confirm (${l.line} is known up to ${l.line}.${l.newestPatch}: ${l.patchesSource})`,
      nearest: nearestIstio(version),
    }
  }
  const named = Object.values(PROFILES).find((p) => p.istio.version === version)
  if (named) return { ok: true, version, line: l, profile: named }
  const chosen = nodeFor(l)
  if (!chosen) {
    return {
      ok: false,
      problem: `no kind node image in the table fits Istio ${l.line} (Kubernetes ${l.kubernetes.join(' to ')})`,
      nearest: nearestIstio(version),
    }
  }
  return { ok: true, version, line: l, profile: profileOf(version, l, chosen.kind, chosen.image) }
}

function profileOf(version: string, l: IstioLine, kind: KindRelease, image: NodeImage): Profile {
  const hub = expectedBehaviour(DEFAULT_IMAGE_HUB, version)
  const flagger = flaggerFor(image.kubernetes)
  const istioImages: ImagePull[] = ['pilot', 'proxyv2'].map((name) => ({
    image: `${hub?.value ?? 'docker.io/istio'}/${name}:${version}`,
    pulledBy: PULLED_BY.istio,
    source: `https://github.com/istio/release-builder/blob/release-${l.line}/release/build.sh (${hub?.source ?? 'DOCKER_HUB'})`,
  }))
  return {
    name: `istio-${version}`,
    description: `Istio ${version} on Kubernetes ${image.kubernetes} (kind ${kind.version}), resolved from the release tables`,
    istio: {
      version,
      kubernetesWindow: l.kubernetes,
      kubernetesWindowSource: l.kubernetesSource,
      // Recorded at first download from the release's own .sha256, as for the profiles.
      sha256: NOT_PINNED,
      source: `https://github.com/istio/istio/releases/tag/${version} (${l.patchesSource})`,
    },
    kind: {
      version: kind.version,
      sha256: kind.sha256,
      source: kind.source,
      nodeImage: image.image,
      kubernetesVersion: image.kubernetes,
    },
    helm: HELM,
    flagger: { chartVersion: flagger.chartVersion, chartRepo: FLAGGER_CHART_REPO, source: flagger.source },
    prometheusAddon: 'samples/addons/prometheus.yaml',
    images: [
      {
        image: `docker.io/${image.image}`,
        pulledBy: PULLED_BY.node,
        source: image.source,
      },
      ...istioImages,
      ...l.prometheusImages.map((i) => ({
        image: i,
        pulledBy: PULLED_BY.prometheus,
        source: l.prometheusSource,
      })),
      {
        image: `ghcr.io/fluxcd/flagger:${flagger.chartVersion}`,
        pulledBy: PULLED_BY.flagger,
        source: `https://github.com/fluxcd/flagger/blob/v${flagger.chartVersion}/charts/flagger/values.yaml`,
      },
      ...HOST_IMAGES,
    ],
    newerReleases: [],
  }
}

/** The profile `--istio V` (when given) or `--profile P` names; bad input is exit 2 with the nearest versions. */
export function profileFor(values: Readonly<Record<string, string | undefined>>): Profile {
  if (values.istio === undefined) return resolveProfile(values.profile as string)
  const resolved = resolveIstio(values.istio)
  if (!resolved.ok) {
    throw new UsageError(resolved.problem, `nearest valid versions: ${choices([...resolved.nearest])}`)
  }
  return resolved.profile
}

export type UpgradeMethod = keyof typeof UPGRADE_MAX_MINOR_STEP

/**
 * The versions an upgrade from `from` to `to` passes through, both ends included: the shortest
 * chain whose steps cross at most the minors Istio supports for the method, each intermediate
 * the newest known patch of its line. Pure.
 */
export function upgradeChain(from: string, to: string, method: UpgradeMethod): string[] {
  const step = UPGRADE_MAX_MINOR_STEP[method]
  const chain = [from]
  let minor = minorOf(from)
  while (minorOf(to) - minor > step) {
    minor += step
    const l = ISTIO_LINES.find((x) => minorOf(x.line) === minor)
    chain.push(l ? `${l.line}.${l.newestPatch}` : `1.${minor}`)
  }
  chain.push(to)
  return chain
}

/** Whether a line supports a Kubernetes version (e.g. '1.26.15'). Pure. */
export function supportsKubernetes(version: string, kubernetes: string): boolean {
  const l = ISTIO_LINES.find((x) => x.line === lineOf(version))
  if (!l) return false
  const minor = lineOf(kubernetes.replace(/^v/, ''))
  return compareVersions(minor, l.kubernetes[0]) >= 0 && compareVersions(minor, l.kubernetes[1]) <= 0
}
