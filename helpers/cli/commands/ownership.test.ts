import { afterEach, describe, expect, it } from 'vitest'
import { Interrupts } from '../../system/interrupt.js'
import { commandArgs } from '../../testing/cli-args.js'
import { startFakeApiServer } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { json } from '../../testing/recording-server.js'
import { CLUSTER_CONFIG } from '../../testing/run-fixtures.js'
import { tempDir } from '../../testing/temp-dir.js'
import { main } from '../main.js'
import { restoreCommand } from './restore.js'
import { type RunDeps, runCommand } from './run.js'

/**
 * Ownership, not names: every cluster-changing command proves the cluster is the suite's own
 * before its first write, and refuses (exit 2) without a single mutating request otherwise.
 */
const OWN = 'kind-istio-conformance'
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

type Api = Awaited<ReturnType<typeof startFakeApiServer>>
const servers: Api[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** A fake API server on 127.0.0.1 holding (or not) the ownership record. */
async function cluster(record: Record<string, string> | undefined): Promise<Api> {
  const api = await startFakeApiServer((req, res) => {
    if (req.url === '/version') json(res, 200, { gitVersion: 'v1.36.4' })
    else if (req.url.startsWith('/api/v1/namespaces/kube-system/configmaps/istio-traffic-conformance')) {
      if (record) json(res, 200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: record })
      else json(res, 404, { kind: 'Status', code: 404, reason: 'NotFound' })
    } else return false
    return true
  })
  servers.push(api)
  return api
}

const mutations = (api: Api) => api.requests.filter((r) => MUTATING.has(r.method))

async function cli(argv: string[]) {
  const err: string[] = []
  const code = await main(argv, { out: () => undefined, err: (t) => err.push(t) })
  return { code, err }
}

function runDeps(fakes: FakeLab[] = []): RunDeps {
  return {
    adapters: (_client, _ingress, log) => {
      const fake = new FakeLab(CLUSTER_CONFIG)
      fakes.push(fake)
      return { ...fake.adapters(), log }
    },
    now: () => new Date('2026-11-27T08:00:00Z'),
    reportsDir: tempDir('reports'),
    journalDir: tempDir('journal'),
    interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
  }
}

const args = commandArgs

describe('cluster-changing commands prove ownership first', () => {
  it.each([[['run', 'edge-routing']], [['run', 'egress-registry-only']], [['restore']]])(
    '%j on a cluster without the ownership record: exit 2, zero mutating requests',
    async (argv) => {
      const api = await cluster(undefined)
      const kubeconfig = writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url })
      const { code, err } = await cli([...argv, '--kubeconfig', kubeconfig])
      expect(code).toBe(2)
      expect(err[0]).toBe(
        `error: refusing to change context '${OWN}' (${api.url}): it holds no ownership record (ConfigMap kube-system/istio-traffic-conformance), which 'up' writes`,
      )
      expect(err[1]).toContain('--allow-existing-cluster')
      expect(mutations(api)).toEqual([])
    },
  )

  it('refuses a record that names another cluster, and one written before records named their cluster', async () => {
    const other = await cluster({ profile: 'current', cluster: 'someone-else' })
    const a = await cli([
      'run',
      '--kubeconfig',
      writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: other.url }),
    ])
    expect(a.code).toBe(2)
    expect(a.err[0]).toContain("its ownership record names cluster 'someone-else', not 'istio-conformance'")
    const old = await cluster({ profile: 'book' })
    const b = await cli([
      'run',
      '--kubeconfig',
      writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: old.url }),
    ])
    expect(b.code).toBe(2)
    expect(b.err[1]).toContain('up --name istio-conformance --profile book')
    expect([...mutations(other), ...mutations(old)]).toEqual([])
  })

  it('--name other --context kind-other is held to the same proof', async () => {
    const api = await cluster({ profile: 'current', cluster: 'istio-conformance' })
    const kubeconfig = writeKubeconfig({
      currentContext: 'kind-other',
      contexts: ['kind-other'],
      server: api.url,
    })
    const { code, err } = await cli([
      'run',
      '--name',
      'other',
      '--context',
      'kind-other',
      '--kubeconfig',
      kubeconfig,
    ])
    expect(code).toBe(2)
    expect(err[0]).toContain("its ownership record names cluster 'istio-conformance', not 'other'")
    expect(mutations(api)).toEqual([])
  })

  it("refuses a context named like the suite's whose server is not on loopback, without contacting it", async () => {
    // 0.0.0.0 reaches this machine's listeners, so the fake server would see any request made.
    const api = await cluster({ profile: 'current', cluster: 'istio-conformance' })
    const kubeconfig = writeKubeconfig({
      currentContext: OWN,
      contexts: [OWN],
      server: `http://0.0.0.0:${api.port}`,
    })
    const { code, err } = await cli(['run', '--kubeconfig', kubeconfig])
    expect(code).toBe(2)
    expect(err[0]).toContain(
      `its API server http://0.0.0.0:${api.port} is not on this machine's loopback interface`,
    )
    expect(api.requests).toEqual([])
  })

  it('proceeds when the record names this cluster', async () => {
    const api = await cluster({ profile: 'book', cluster: 'istio-conformance' })
    const fakes: FakeLab[] = []
    const out: string[] = []
    const code = await runCommand(
      args([
        'run',
        'edge-routing',
        '--kubeconfig',
        writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url }),
      ]),
      (l) => out.push(l),
      runDeps(fakes),
    )
    expect(code).toBe(0)
    expect(out[0]).toContain("the suite's cluster 'istio-conformance' (profile book)")
    expect(fakes[0]?.applied.length).toBeGreaterThan(0)
  })

  it('restore on an owned cluster with an empty journal says so and changes nothing', async () => {
    const api = await cluster({ profile: 'book', cluster: 'istio-conformance' })
    const out: string[] = []
    const code = await restoreCommand(
      args([
        'restore',
        '--kubeconfig',
        writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url }),
      ]),
      (l) => out.push(l),
      { cluster: () => new FakeLab().cluster, journalDir: tempDir('journal') },
    )
    expect(code).toBe(0)
    expect(out.at(-1)).toMatch(/^nothing to restore: the journal of context kind-istio-conformance is empty/)
    expect(mutations(api)).toEqual([])
  })
})
