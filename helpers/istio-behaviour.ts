/**
 * Behaviour that changed between Istio versions on purpose, as data: the suite expects what
 * the version in the cluster is documented to do, and a report can tell "changed by design"
 * from "regression". Source: shared/reference/ch5-lab.md, "Behaviour that differs by Istio version".
 */
export interface VersionRange {
  /** Inclusive lower bound, e.g. "1.28". */
  readonly from?: string
  /** Exclusive upper bound. */
  readonly before?: string
}

export interface BehaviourRule<T> {
  readonly versions: VersionRange
  readonly value: T
  /** One line for people; `report diff` prints it as the "changed by design" label. */
  readonly note: string
  /** Where upstream does this: repository, file and tag (or release note). */
  readonly source: string
}

export interface Behaviour<T> {
  readonly topic: string
  readonly rules: readonly BehaviourRule<T>[]
}

export const MIRROR_SHADOW_SUFFIX: Behaviour<boolean> = {
  topic: 'mirror-shadow-suffix',
  rules: [
    {
      versions: { before: '1.28' },
      value: true,
      note: 'Envoy appends -shadow to the Host of mirrored requests',
      source:
        'envoyproxy/envoy source/common/router/shadow_writer_impl.cc shadowAppendedHost (before the port: host-shadow:80)',
    },
    {
      versions: { from: '1.28' },
      value: false,
      note: 'DISABLE_SHADOW_HOST_SUFFIX defaults to true: no -shadow unless pilot sets it to false',
      source:
        'istio/istio 1.28.0 pilot/pkg/features DISABLE_SHADOW_HOST_SUFFIX; release-1.28 releasenotes/notes/57530.yaml',
    },
  ],
}

/**
 * The cluster field of Istio's default text access-log format. The change reached 1.23.0 as a
 * backport (#52410 of #52384); istiod picks the format by the proxy's version
 * (versionGE123(proxyVersion)), so a 1.22 proxy under a 1.23 istiod still gets the old one.
 */
export const ACCESS_LOG_CLUSTER_FIELD: Behaviour<string> = {
  topic: 'access-log-cluster-field',
  rules: [
    {
      versions: { before: '1.23' },
      value: '%UPSTREAM_CLUSTER%',
      note: 'default access-log format uses %UPSTREAM_CLUSTER%',
      source: 'istio/istio 1.22.8 pilot/pkg/model/telemetry_logging.go EnvoyTextLogFormat',
    },
    {
      versions: { from: '1.23' },
      value: '%UPSTREAM_CLUSTER_RAW%',
      note: 'default access-log format uses %UPSTREAM_CLUSTER_RAW% (since Istio 1.23.0, for proxies >= 1.23)',
      source:
        'istio/istio 1.23.0 pilot/pkg/model/telemetry_logging.go EnvoyTextLogFormat / LegacyEnvoyTextLogFormat (#52410)',
    },
  ],
}

/**
 * Where the injector puts istio-proxy. "auto" means a native sidecar (an init container with
 * restartPolicy Always) when the pod's node runs kubelet 1.33 or newer.
 */
export const NATIVE_SIDECARS: Behaviour<'never' | 'opt-in' | 'auto'> = {
  topic: 'native-sidecars',
  rules: [
    {
      versions: { before: '1.19' },
      value: 'never',
      note: 'istio-proxy is always a regular container',
      source: 'istio/istio 1.17.8 pilot/pkg/features: no ENABLE_NATIVE_SIDECARS',
    },
    {
      versions: { from: '1.19', before: '1.27' },
      value: 'opt-in',
      note: 'ENABLE_NATIVE_SIDECARS defaults to false: istio-proxy is a regular container',
      source:
        'istio/istio 1.19.0 pilot/pkg/features/pilot.go, 1.26.0 experimental.go: ENABLE_NATIVE_SIDECARS false',
    },
    {
      versions: { from: '1.27' },
      value: 'auto',
      note: 'ENABLE_NATIVE_SIDECARS=auto: istio-proxy is an init container on Kubernetes >= 1.33',
      source:
        'istio/istio 1.27.0 pilot/pkg/features/pilot.go ENABLE_NATIVE_SIDECARS "auto"; pkg/kube/inject/webhook.go DetectNativeSidecar minVersion := 33',
    },
  ],
}

/** Kubernetes minor from which "auto" makes native sidecars (pkg/kube/inject/webhook.go). */
export const NATIVE_SIDECAR_MIN_KUBELET_MINOR = 33

/** Whether istio-proxy runs as an init container, or undefined for a version the table does not know. Pure. */
export function proxyIsNativeSidecar(istioVersion: string, kubernetesVersion: string): boolean | undefined {
  const rule = expectedBehaviour(NATIVE_SIDECARS, istioVersion)
  const minor = Number(/^v?1\.(\d+)/.exec(kubernetesVersion)?.[1])
  if (!rule) return undefined
  if (rule.value !== 'auto') return false
  return Number.isFinite(minor) ? minor >= NATIVE_SIDECAR_MIN_KUBELET_MINOR : undefined
}

/**
 * Whether the ingress gateway keeps a client's x-request-id. The gateway listener sets
 * use_remote_address and never preserve_external_request_id, so Envoy regenerates the id of
 * every edge (external) request. Envoy before 1.33 counted RFC 1918 clients as internal (a kind
 * host reaches the gateway from such an address); Envoy 1.33 (Istio 1.25) counts none.
 */
export const GATEWAY_KEEPS_CLIENT_REQUEST_ID: Behaviour<boolean> = {
  topic: 'gateway-keeps-client-request-id',
  rules: [
    {
      versions: { before: '1.25' },
      value: true,
      note: 'the gateway keeps a private-address client x-request-id (Envoy < 1.33 treats RFC 1918 peers as internal)',
      source:
        'envoyproxy/envoy source/common/http/conn_manager_utility.cc (force_set = !preserveExternalRequestId() && edge_request); istio/istio 1.17.8 gateway.go useRemoteAddress true',
    },
    {
      versions: { from: '1.25' },
      value: false,
      note: 'the gateway replaces every client x-request-id (Envoy >= 1.33: no address is internal by default)',
      source:
        'istio/istio 1.25.0 releasenotes/notes/53402.yaml; 1.30.3 pilot/pkg/networking/core/gateway.go (no PreserveExternalRequestId)',
    },
  ],
}

/**
 * Whether the validation webhook (and istioctl analyze, IST0130) warns about a rule listed after
 * a rule without `match`. Route translation drops such rules in every version
 * (BuildHTTPRoutesForVirtualService stops at the first catch-all).
 */
export const UNREACHABLE_RULE_WARNING: Behaviour<string | null> = {
  topic: 'unreachable-rule-warning',
  rules: [
    {
      versions: { before: '1.27' },
      value: null,
      note: 'a rule after a match-less rule is dropped silently (only a second match-less rule is warned about)',
      source: 'istio/istio 1.17.8 pkg/config/validation/validation.go analyzeUnreachableHTTPRules',
    },
    {
      versions: { from: '1.27' },
      value: 'virtualService rule #1 not used (route without matches defined before)',
      note: 'the webhook warns "virtualService rule #N not used (route without matches defined before)"',
      source: 'istio/istio 1.27.0 pkg/config/validation/validation.go analyzeUnreachableHTTPRules (#56133)',
    },
  ],
}

/**
 * Envoy's access-log file flush interval as Istio starts it (Envoy's own default is 10 s): a
 * line can appear up to this long after the request, plus the kubelet's log pickup.
 */
export const ACCESS_LOG_FLUSH_MS: Behaviour<number> = {
  topic: 'access-log-flush',
  rules: [
    {
      versions: {},
      value: 1000,
      note: 'istio-proxy runs Envoy with --file-flush-interval-msec 1000 (ProxyConfig fileFlushInterval from 1.29)',
      source:
        'istio/istio 1.17.8 and 1.30.3 pkg/envoy/proxy.go args(); envoyproxy/envoy source/server/options_impl.cc default 10000',
    },
  ],
}

/** The image hub the release's istioctl and charts default to (istio/release-builder). */
export const DEFAULT_IMAGE_HUB: Behaviour<string> = {
  topic: 'default-image-hub',
  rules: [
    {
      versions: { before: '1.30' },
      value: 'docker.io/istio',
      note: 'Istio images default to docker.io/istio',
      source: 'istio/release-builder release-1.17..release-1.29 release/build.sh DOCKER_HUB',
    },
    {
      versions: { from: '1.30', before: '1.31' },
      value: 'registry.istio.io/release',
      note: 'Istio images default to registry.istio.io/release',
      source:
        'istio/release-builder release-1.30 release/build.sh DOCKER_HUB; istio/istio 1.30.0 use-registry-istio-io note',
    },
    {
      versions: { from: '1.31' },
      value: 'docker.io/istio',
      note: 'Istio images default to docker.io/istio again',
      source:
        'istio/release-builder release-1.31 release/build.sh DOCKER_HUB (c09fe415, "Revert default registry")',
    },
  ],
}

/**
 * The newest networking.istio.io version the CRDs serve: the suite applies the lab's manifests
 * at the newest served version (helpers/kube/api-versions.ts), so a run on 1.22+ applies v1.
 */
export const NETWORKING_API_VERSION: Behaviour<string> = {
  topic: 'networking-api-version',
  rules: [
    {
      versions: { before: '1.22' },
      value: 'v1beta1',
      note: 'VirtualService, DestinationRule, Gateway, ServiceEntry, Sidecar served as v1alpha3 and v1beta1',
      source:
        'istio/istio release-1.17 and release-1.21 manifests/charts/base/crds/crd-all.gen.yaml (versions served: v1alpha3, v1beta1)',
    },
    {
      versions: { from: '1.22' },
      value: 'v1',
      note: 'the networking APIs are also served as v1 (v1alpha3 and v1beta1 still served)',
      source:
        'istio/istio release-1.22 manifests/charts/base/crds/crd-all.gen.yaml (versions served: v1, v1alpha3, v1beta1)',
    },
  ],
}

/**
 * Whether the default retry policy retries a 503: it did, until 1.24 removed it as unsafe for
 * non-idempotent requests. A scenario's error counts (a backend answering 503 during a rollout)
 * can differ across the change.
 */
export const DEFAULT_RETRY_ON_503: Behaviour<boolean> = {
  topic: 'default-retry-on-503',
  rules: [
    {
      versions: { before: '1.24' },
      value: true,
      note: 'the default retry policy retries 503 responses',
      source: 'istio/istio release-1.24 releasenotes/notes/50506.yaml (the behaviour it changed)',
    },
    {
      versions: { from: '1.24' },
      value: false,
      note: 'the default retry policy no longer retries 503 (EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY reverts it)',
      source:
        'istio/istio release-1.24 releasenotes/notes/50506.yaml; istio.io news/releases/1.24.x/announcing-1.24 ("Improved retries")',
    },
  ],
}

/** Whether the server sidecar retries a request its application never saw (a closed keep-alive). */
export const INBOUND_RETRY: Behaviour<boolean> = {
  topic: 'inbound-retry',
  rules: [
    {
      versions: { before: '1.24' },
      value: false,
      note: 'only the client sidecar retries (ENABLE_INBOUND_RETRY_POLICY off; a preview in 1.23)',
      source:
        'istio/istio release-1.23 releasenotes/notes/reset-before-request.yaml; istio.io announcing-1.23 ("Retry improvements preview")',
    },
    {
      versions: { from: '1.24' },
      value: true,
      note: 'the server sidecar also retries requests the application has not processed',
      source: 'istio/istio release-1.24 releasenotes/notes/52055.yaml (ENABLE_INBOUND_RETRY_POLICY)',
    },
  ],
}

/** How a VirtualService names its mirror: `mirror` (one), and `mirrors` (several) from 1.20. */
export const VIRTUALSERVICE_MIRRORS: Behaviour<'mirror' | 'mirror and mirrors'> = {
  topic: 'virtualservice-mirrors',
  rules: [
    {
      versions: { before: '1.20' },
      value: 'mirror',
      note: 'one mirror per route (`mirror`, `mirrorPercentage`)',
      source:
        'istio/istio release-1.19 (no mirrors field; added by release-1.20 releasenotes/notes/13330.yaml)',
    },
    {
      versions: { from: '1.20' },
      value: 'mirror and mirrors',
      note: '`mirrors` mirrors to several destinations; `mirror` still works as before',
      source: 'istio/istio release-1.20 releasenotes/notes/13330.yaml',
    },
  ],
}

/**
 * Every behaviour that differs between Istio lines and touches the twelve scenarios, for
 * `rehearse` and `report diff`; each rule names its upstream source.
 */
export const BEHAVIOUR_TABLE: readonly Behaviour<unknown>[] = [
  MIRROR_SHADOW_SUFFIX,
  ACCESS_LOG_CLUSTER_FIELD,
  NATIVE_SIDECARS,
  GATEWAY_KEEPS_CLIENT_REQUEST_ID,
  UNREACHABLE_RULE_WARNING,
  ACCESS_LOG_FLUSH_MS,
  DEFAULT_IMAGE_HUB,
  NETWORKING_API_VERSION,
  DEFAULT_RETRY_ON_503,
  INBOUND_RETRY,
  VIRTUALSERVICE_MIRRORS,
] as readonly Behaviour<unknown>[]

/** A documented change between two versions: the topic, what each version does, and the sources. */
export interface BehaviourChange {
  readonly topic: string
  readonly from: BehaviourRule<unknown>
  readonly to: BehaviourRule<unknown>
}

/** What the behaviour table says changes from Istio `from` to `to`, topic by topic. Pure. */
export function changesBetween(from: string, to: string): BehaviourChange[] {
  return BEHAVIOUR_TABLE.flatMap((b) => {
    const a = expectedBehaviour(b, from)
    const c = expectedBehaviour(b, to)
    return a && c && JSON.stringify(a.value) !== JSON.stringify(c.value)
      ? [{ topic: b.topic, from: a, to: c }]
      : []
  })
}

/** Compares dotted versions numerically: -1, 0, 1. Pure. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

export function inRange(version: string, range: VersionRange): boolean {
  return (
    (range.from === undefined || compareVersions(version, range.from) >= 0) &&
    (range.before === undefined || compareVersions(version, range.before) < 0)
  )
}

/** What an Istio version is documented to do for a topic, or undefined for an unknown version. */
export function expectedBehaviour<T>(
  behaviour: Behaviour<T>,
  istioVersion: string,
): BehaviourRule<T> | undefined {
  if (!/^\d+\.\d+/.test(istioVersion)) return undefined
  return behaviour.rules.find((r) => inRange(istioVersion, r.versions))
}
