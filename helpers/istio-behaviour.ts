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
      source: 'istio/istio 1.28.0 pilot/pkg/features DISABLE_SHADOW_HOST_SUFFIX',
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
