import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../errors.js'
import { checkRunRecord } from '../../report/record-schema.js'
import { Interrupts } from '../../system/interrupt.js'
import { type startFakeApiServer, startOwnedCluster } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { CLUSTER_CONFIG, labNamespace } from '../../testing/run-fixtures.js'
import { tempDir } from '../../testing/temp-dir.js'
import { parseArgv } from '../args.js'
import { main } from '../main.js'
import { type RunDeps, runCommand } from './run.js'

/**
 * run --namespace and --adopt-namespace (issue 15, item 7): a platform team's staging cluster,
 * where the lab must live in a namespace of the team's choosing and never touch what others
 * put there. The API server is a fake on 127.0.0.1; the lab is the in-memory one.
 */
const OWN = 'kind-istio-conformance'
const STAGING = 'staging'
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
let api: Awaited<ReturnType<typeof startFakeApiServer>>
beforeAll(async () => {
  api = await startOwnedCluster({ gitVersion: 'v1.33.1', profile: 'book' })
})
afterAll(() => api.close())

const kubeconfig = () => writeKubeconfig({ currentContext: OWN, contexts: [OWN, STAGING], server: api.url })

/** A team's workload already in the namespace. */
const PAYMENTS: KubernetesObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'payments', namespace: 'itc-staging' },
  spec: { template: { metadata: { labels: { app: 'payments' } } } },
} as KubernetesObject

function deps(initial: readonly KubernetesObject[]) {
  const fakes: FakeLab[] = []
  const d: RunDeps = {
    adapters: (_client, _ingress, log) => {
      const fake = new FakeLab(initial)
      fake.internet = true
      fakes.push(fake)
      return { ...fake.adapters(), log }
    },
    now: () => new Date('2026-11-27T08:00:00Z'),
    reportsDir: tempDir('reports'),
    journalDir: tempDir('journal'),
    interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
  }
  return { deps: d, fakes }
}

async function run(argv: readonly string[], initial: readonly KubernetesObject[]) {
  const parsed = parseArgv(['run', ...argv, '--kubeconfig', kubeconfig()])
  if (parsed.kind !== 'command') throw new Error('expected a command')
  const { deps: d, fakes } = deps(initial)
  const out: string[] = []
  const outcome = await runCommand(parsed.args, (l) => out.push(l), d).catch((e: unknown) => e)
  return { outcome, out, fakes, reportsDir: d.reportsDir }
}

const STAGING_ARGS = ['--context', STAGING, '--allow-existing-cluster', '--egress', 'internet']

describe('run --namespace', () => {
  it('refuses a name that is no namespace, or a system one, before contacting anything (exit 2)', async () => {
    for (const [name, why] of [
      ['Lab_1', 'not a valid Kubernetes namespace name'],
      ['kube-system', 'is a system namespace'],
    ] as const) {
      const before = api.requests.length
      const err: string[] = []
      const code = await main(['run', 'edge-routing', '--namespace', name, '--kubeconfig', kubeconfig()], {
        out: () => undefined,
        err: (t) => err.push(t),
      })
      expect(code).toBe(2)
      expect(err[0]).toContain(`invalid --namespace: `)
      expect(err[0]).toContain(why)
      expect(api.requests.length).toBe(before)
    }
  })

  it('runs the lab in the named namespace on the suite\u2019s own cluster, and says so in run.json', async () => {
    const { outcome, out, fakes, reportsDir } = await run(
      ['edge-routing', '--namespace', 'itc-staging'],
      [...CLUSTER_CONFIG, labNamespace('itc-staging')],
    )
    expect(outcome, out.join('\n')).toBe(0)
    expect(fakes[0]?.probes.every((p) => p.host === 'catalog.itc-staging.istioinaction.io')).toBe(true)
    const record = JSON.parse(
      readFileSync(join(reportsDir, '2026-11-27T08-00-00Z-book', 'run.json'), 'utf8'),
    ) as Record<string, unknown>
    expect(record.namespace).toBe('itc-staging')
    expect(checkRunRecord(record)).toMatchObject({ ok: true })
  })

  it('refuses a namespace that does not exist, with the commands that create it (exit 2, nothing changed)', async () => {
    const { outcome, fakes } = await run(['edge-routing', '--namespace', 'itc-staging'], CLUSTER_CONFIG)
    expect(outcome).toBeInstanceOf(UsageError)
    expect((outcome as UsageError).message).toBe(`namespace itc-staging does not exist on context ${OWN}`)
    expect((outcome as UsageError).fix).toContain(
      `kubectl --context ${OWN} create namespace itc-staging && kubectl --context ${OWN} label namespace itc-staging istio-injection=enabled`,
    )
    expect(fakes[0]?.applied).toEqual([])
  })

  it('refuses a namespace without sidecar injection (exit 2, nothing changed)', async () => {
    const bare = { ...labNamespace('itc-staging'), metadata: { name: 'itc-staging', labels: {} } }
    const { outcome, fakes } = await run(
      ['edge-routing', '--namespace', 'itc-staging'],
      [...CLUSTER_CONFIG, bare],
    )
    expect((outcome as UsageError).message).toContain('namespace itc-staging has no sidecar injection')
    expect((outcome as UsageError).fix).toContain('label namespace itc-staging istio-injection=enabled')
    expect(fakes[0]?.applied).toEqual([])
  })
})

describe('run --allow-existing-cluster --namespace: never touch what others put there', () => {
  const cluster = [...CLUSTER_CONFIG, labNamespace('itc-staging'), PAYMENTS]

  it('refuses a namespace holding objects the suite did not create, naming them (exit 2, zero changes)', async () => {
    const before = api.requests.length
    const { outcome, fakes } = await run(
      ['edge-routing', ...STAGING_ARGS, '--namespace', 'itc-staging'],
      cluster,
    )
    expect(outcome).toBeInstanceOf(UsageError)
    expect((outcome as UsageError).message).toBe(
      'namespace itc-staging holds 1 object the suite did not create: Deployment/payments',
    )
    expect((outcome as UsageError).fix).toContain('--adopt-namespace')
    expect(fakes[0]?.applied).toEqual([])
    expect(api.requests.slice(before).filter((r) => MUTATING.has(r.method))).toEqual([])
  })

  it('with --adopt-namespace runs beside them, says so, and leaves them as they were', async () => {
    const { outcome, out, fakes } = await run(
      ['edge-routing', ...STAGING_ARGS, '--namespace', 'itc-staging', '--adopt-namespace'],
      cluster,
    )
    expect(outcome, out.join('\n')).toBe(0)
    expect(out.join('\n')).toContain(
      'namespace itc-staging: running beside 1 object(s) the suite did not create (--adopt-namespace): Deployment/payments',
    )
    expect(fakes[0]?.objects.get('Deployment/itc-staging/payments')).toEqual(PAYMENTS)
    expect(fakes[0]?.deleted).not.toContain('Deployment/payments')
    expect(fakes[0]?.applied).not.toContain('Deployment/payments')
    // The suite's own objects are gone again: only the namespace, its payments and the cluster config remain.
    expect([...(fakes[0]?.objects.keys() ?? [])].filter((k) => k.includes('/itc-staging/'))).toEqual([
      'Deployment/itc-staging/payments',
    ])
  })

  it('an empty namespace needs no adoption; the report names it', async () => {
    const { outcome, out, reportsDir } = await run(
      ['edge-routing', ...STAGING_ARGS, '--namespace', 'itc-staging'],
      [...CLUSTER_CONFIG, labNamespace('itc-staging')],
    )
    expect(outcome, out.join('\n')).toBe(0)
    expect(out[0]).toContain("not the suite's own cluster: only namespace itc-staging changes")
    const summary = readFileSync(join(reportsDir, '2026-11-27T08-00-00Z-book', 'summary.md'), 'utf8')
    expect(summary).toContain('only namespace itc-staging was changed')
  })

  it('refuses --adopt-namespace without --allow-existing-cluster, before contacting anything', async () => {
    const before = api.requests.length
    const { outcome } = await run(['edge-routing', '--adopt-namespace'], CLUSTER_CONFIG)
    expect((outcome as UsageError).message).toBe(
      '--adopt-namespace only applies with --allow-existing-cluster',
    )
    expect(api.requests.length).toBe(before)
  })
})
