import type { KubernetesObject } from '@kubernetes/client-node'
import type { ControlPlane, ProxyVersion, RehearsalCluster } from '../../cluster/rehearsal.js'
import type { ObjectRef } from '../kube/client.js'
import { RUN_RECORD_SCHEMA, type RunRecord } from '../report/model.js'
import type { LabCluster } from '../runner/lab.js'

const key = (r: { kind?: string; name?: string; namespace?: string }) =>
  `${r.kind}/${r.namespace ?? ''}/${r.name}`

/**
 * An in-memory mesh for upgrade rehearsals: control planes by revision, an ingress gateway
 * upgraded in place by every install, a lab namespace whose labels decide which revision injects
 * a restarted pod (istio-injection takes precedence over istio.io/rev, as in Istio), and the
 * objects the rehearsal applies. Every call is recorded in order; `failOn` makes one fail.
 */
export class FakeMesh implements RehearsalCluster {
  readonly calls: string[] = []
  /** revision ('default' for none) -> Istio version */
  readonly revisions = new Map<string, string>()
  gateway: string
  /** The lab's deployments and the version their running pod's proxy has. */
  readonly pods = new Map<string, string>()
  readonly objects = new Map<string, KubernetesObject>()
  /** Make a call fail: its name, e.g. 'restartWorkloads'; `failTimes` times (default: always). */
  failOn: string | undefined
  failTimes = Number.POSITIVE_INFINITY

  constructor(from: string, deployments: readonly string[] = ['catalog', 'webapp']) {
    this.revisions.set('default', from)
    this.gateway = from
    for (const d of deployments) this.pods.set(d, from)
    this.objects.set(key({ kind: 'Namespace', name: 'istioinaction' }), {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'istioinaction', labels: { 'istio-injection': 'enabled' } },
    })
  }

  private call(name: string, detail = ''): void {
    this.calls.push(detail ? `${name} ${detail}` : name)
    if (this.failOn === name && this.failTimes > 0) {
      this.failTimes--
      throw new Error(`${name} failed (simulated)`)
    }
  }

  get namespaceLabels(): Record<string, string> {
    return {
      ...(this.objects.get(key({ kind: 'Namespace', name: 'istioinaction' }))?.metadata?.labels ?? {}),
    }
  }

  /** The version a pod created now would be injected with. */
  private injected(): string | undefined {
    const labels = this.namespaceLabels
    if (labels['istio-injection'] === 'enabled') return this.revisions.get('default')
    const rev = labels['istio.io/rev']
    return rev ? this.revisions.get(rev) : undefined
  }

  async installRevision(version: string, revision: string) {
    this.call('installRevision', `${version} ${revision}`)
    this.revisions.set(revision, version)
    this.gateway = version
  }
  async installDefault(version: string) {
    this.call('installDefault', version)
    this.revisions.set('default', version)
    this.gateway = version
  }
  async uninstallRevision(version: string, revision: string) {
    this.call('uninstallRevision', `${version} ${revision}`)
    this.revisions.delete(revision)
  }
  async restartWorkloads(namespace: string) {
    this.call('restartWorkloads', namespace)
    const version = this.injected()
    for (const name of this.pods.keys()) this.pods.set(name, version ?? 'none')
    return [...this.pods.keys()]
  }
  async proxies(_namespace: string): Promise<ProxyVersion[]> {
    return [
      { pod: 'istio-system/istio-ingressgateway', version: this.gateway },
      ...[...this.pods].map(([pod, version]) => ({ pod: `istioinaction/${pod}`, version })),
    ]
  }
  async controlPlanes(): Promise<ControlPlane[]> {
    return [...this.revisions].map(([rev, version]) => ({
      name: rev === 'default' ? 'istiod' : `istiod-${rev}`,
      version,
    }))
  }

  /** The object side (namespace labels, journal undo). */
  objectsApi(): Pick<LabCluster, 'apply' | 'read' | 'delete'> {
    return {
      apply: async (objects) => {
        for (const o of objects) {
          this.call('apply', `${o.kind}/${o.metadata?.name} ${JSON.stringify(o.metadata?.labels ?? {})}`)
          this.objects.set(
            key({ kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace }),
            structuredClone(o),
          )
        }
      },
      read: async (ref: ObjectRef) => structuredClone(this.objects.get(key(ref))),
      delete: async (refs) => {
        for (const r of refs) this.objects.delete(key(r))
      },
    }
  }
}

/** A run record with only what the diff reads: per check, passed or not. */
export function miniRecord(version: string, checks: Record<string, boolean>): RunRecord {
  const byScenario = new Map<string, [string, boolean][]>()
  for (const [id, passed] of Object.entries(checks)) {
    const [scenario, check] = id.split('/') as [string, string]
    byScenario.set(scenario, [...(byScenario.get(scenario) ?? []), [check, passed]])
  }
  return {
    schema: RUN_RECORD_SCHEMA,
    suite: { name: 'istio-traffic-conformance', version: '0.1.0' },
    profile: 'p',
    context: 'kind-lab',
    server: 'https://127.0.0.1:6443',
    clusterMode: 'suite-cluster',
    // Under a canary upgrade the default istiod is still A whatever the run.
    versions: {
      kubernetes: 'v1.36.4',
      istioControlPlane: '1.27.9',
      istioProxies: [version],
      flagger: '1.44.0',
      nodeImage: 'n',
    },
    startedAt: '2026-11-27T08:00:00.000Z',
    endedAt: '2026-11-27T08:01:00.000Z',
    upTimings: [],
    scenarios: [...byScenario].map(([id, cs]) => ({
      id,
      title: id,
      section: '5.x',
      istioVersion: version,
      startedAt: '2026-11-27T08:00:00.000Z',
      endedAt: '2026-11-27T08:00:10.000Z',
      passed: cs.every(([, p]) => p),
      checks: cs.map(([check, passed]) => ({ check, passed, cause: passed ? 'ok' : 'broke' })),
      manifests: [],
      cleanup: { deleted: [], restored: [], errors: [] },
    })),
    missingResults: [],
    diagnostics: {},
    selected: [...byScenario.keys()],
    passed: Object.values(checks).every(Boolean),
  } as unknown as RunRecord
}
