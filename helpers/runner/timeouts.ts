/**
 * Every deadline a scenario waits on, in one table (like the Gateway API conformance suite's
 * TimeoutConfig). Scenarios name a row; they never write a number of milliseconds. Each wait
 * polls a condition and, on timeout, reports the last state it saw.
 */
export interface Timeouts {
  /** 3 consecutive responses of the expected class after a routing change (Gateway API: 30 s). */
  readonly converge: number
  /** A proxy's route table showing the new configuration (istiod push + Envoy ack). */
  readonly routesProgrammed: number
  /** A mesh-wide policy change (mesh config reload by istiod, pushed to every sidecar). */
  readonly meshPolicy: number
  /**
   * A ServiceEntry host answering through a stand-in: CoreDNS reloads its Corefile within about
   * 30 s (reload plugin); Envoy re-resolves when the answer's TTL expires (Istio sets
   * respect_dns_ttl on DNS clusters, pilot cluster_builder.go; the suite's hosts entry answers
   * with TTL 5 s) and retries a failed lookup after the mesh's dnsRefreshRate (60 s).
   */
  readonly outsideHostReachable: number
  /** Deployments rolled out and their pods Ready (image already on the node). */
  readonly rollout: number
  /** An object deleted and gone (finalizers, pods terminating). */
  readonly deleted: number
  /** Access-log lines caused by calls just made (Envoy flushes its access log periodically). */
  readonly logLinesDelivered: number
  /** Flagger has initialised a Canary (primary Deployment ready). */
  readonly canaryInitialized: number
}

export const TIMEOUTS: Timeouts = {
  converge: 30_000,
  routesProgrammed: 60_000,
  meshPolicy: 120_000,
  outsideHostReachable: 180_000,
  rollout: 300_000,
  deleted: 180_000,
  logLinesDelivered: 15_000,
  canaryInitialized: 300_000,
}

export type TimeoutName = keyof Timeouts
