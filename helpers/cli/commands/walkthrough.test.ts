import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Interrupts } from '../../system/interrupt.js'
import { commandArgs } from '../../testing/cli-args.js'
import { type startFakeApiServer, startOwnedCluster } from '../../testing/fake-apiserver.js'
import { FakeLab } from '../../testing/fake-lab.js'
import { writeKubeconfig } from '../../testing/kubeconfig-fixtures.js'
import { CLUSTER_CONFIG } from '../../testing/run-fixtures.js'
import { tempDir } from '../../testing/temp-dir.js'
import { main } from '../main.js'
import { journalFor } from './connect.js'
import { restoreCommand } from './restore.js'
import { applyCommand, deleteCommand, type WalkthroughDeps, walkthroughCommand } from './walkthrough.js'

/**
 * The walkthrough's orchestration against the in-memory lab: the book's order, each change
 * shown (YAML, the book's command) before it is made, a pause per change on a terminal and
 * none without one, each check explained, sections undone between, and --keep leaving the last
 * section in place and in the journal for `restore`.
 */
const OWN = 'kind-istio-conformance'
let api: Awaited<ReturnType<typeof startFakeApiServer>>
beforeAll(async () => {
  api = await startOwnedCluster({ gitVersion: 'v1.26.15', profile: 'book' })
})
afterAll(() => api.close())

const args = commandArgs

interface Run {
  readonly code: number
  readonly out: string[]
  readonly fake: FakeLab
  /** The number of changes the lab had made at each pause. */
  readonly pauses: number[]
  readonly journalDir: string
}

async function walk(
  argv: string[],
  options: { terminal?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  const fake = new FakeLab(CLUSTER_CONFIG)
  const pauses: number[] = []
  const journalDir = tempDir('journal')
  const deps: WalkthroughDeps = {
    adapters: (_client, _ingress, log) => ({ ...fake.adapters(), log }),
    journalDir,
    interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
    prompt: options.terminal
      ? async () => {
          pauses.push(fake.applied.length + fake.deleted.length)
        }
      : undefined,
    env: options.env ?? {},
  }
  const kubeconfig = writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url })
  const out: string[] = []
  const code = await walkthroughCommand(
    args(['walkthrough', ...argv, '--kubeconfig', kubeconfig]),
    (l) => out.push(l),
    deps,
  )
  return { code, out, fake, pauses, journalDir }
}

describe('walkthrough', () => {
  it("runs the chosen sections in the book's order, showing each change before making it, then undoing it", async () => {
    const r = await walk(['subset-v1', 'edge-routing'])
    const text = r.out.join('\n')
    expect(r.code).toBe(0)
    // Book order, whatever order they were named in.
    expect(text.indexOf('== 5.2.2 Route edge traffic to catalog')).toBeLessThan(
      text.indexOf('== 5.2.4 Pin all edge traffic'),
    )
    expect(r.out).toContain('the book shows: with catalog v2 running, zero responses carry imageUrl')
    expect(r.out).toContain('first, as the lab does: kubectl delete deployment catalog-v2 -n istioinaction')
    expect(r.out).toContain('-- step all-to-v1')
    expect(r.out).toContain('# manifests/ch5/edge-vs-catalog-v1.yaml')
    expect(r.out).toContain('  kind: VirtualService')
    expect(r.out).toContain('the book runs: kubectl apply -f manifests/ch5/edge-vs-catalog-v1.yaml')
    expect(text).toMatch(
      / {3}PASS no-v2: zero imageUrl responses \(sized to catch a 1% leak, miss <= 1e-3\)\n {8}observed: all 688 responses were v1/,
    )
    // The YAML and the command come before the change, the explanation after it.
    expect(
      text.indexOf('the book runs: kubectl apply -f manifests/ch5/edge-vs-catalog-v1.yaml'),
    ).toBeLessThan(text.indexOf('applied all-to-v1'))
    expect(text.indexOf('applied all-to-v1')).toBeLessThan(text.indexOf('PASS no-v2'))
    expect(r.out.filter((l) => l === "undoing this section's changes before the next one")).toHaveLength(2)
    expect(r.out.at(-1)).toBe('2 of 2 sections behaved as the book says')
    expect(r.fake.objects.size).toBe(CLUSTER_CONFIG.length)
    expect(r.pauses).toEqual([])
    expect(journalFor(OWN, api.url, r.journalDir).entries()).toEqual([])
  })

  it('on a terminal, waits for Enter before every change, and only then makes it', async () => {
    const r = await walk(['subset-v1'], { terminal: true })
    // subset-v1 applies two sets: two pauses, the first before anything changed, the second
    // after the six objects of the first set and before the VirtualService.
    expect(r.pauses).toEqual([0, 6])
    expect(r.code).toBe(0)
  })

  it('explains a failing check with its hint, the command named for the suite context, and exits 1', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.override = () => 'error'
    const out: string[] = []
    const code = await walkthroughCommand(
      args([
        'walkthrough',
        'edge-routing',
        '--kubeconfig',
        writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url }),
      ]),
      (l) => out.push(l),
      {
        adapters: (_c, _i, log) => ({ ...fake.adapters(), log }),
        journalDir: tempDir('journal'),
        interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
        prompt: undefined,
        env: {},
      },
    )
    expect(code).toBe(1)
    expect(out.join('\n')).toContain(
      "hint: Is the Gateway's selector (istio: ingressgateway) matching the gateway pods, and the VirtualService bound to catalog-gateway for host catalog.istioinaction.io? See `istioctl --context kind-istio-conformance proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`.",
    )
    expect(out.at(-1)).toBe('0 of 1 sections behaved as the book says')
  })

  it('shows the mesh-config edit as the book does it (istioctl install --set meshConfig...)', async () => {
    const r = await walk(['egress-registry-only'])
    expect(r.out).toContain(
      'the book runs: istioctl install --set meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY; the suite edits ConfigMap/istio-system/istio to the same effect (undone afterwards)',
    )
    expect(r.code).toBe(0)
    expect(r.fake.objects.get('ConfigMap/istio-system/istio')).toEqual(CLUSTER_CONFIG[0])
  })

  it('--keep leaves the last section in place and in the journal; restore undoes it', async () => {
    const r = await walk(['edge-routing', 'subset-v1', '--keep'])
    const kept = journalFor(OWN, api.url, r.journalDir).entries()
    expect(kept.map((e) => `${e.scenario} ${e.ref.kind}/${e.ref.name}`)).toEqual([
      'subset-v1 ServiceAccount/catalog',
      'subset-v1 Service/catalog',
      'subset-v1 Deployment/catalog',
      'subset-v1 Deployment/catalog-v2',
      'subset-v1 Gateway/catalog-gateway',
      'subset-v1 DestinationRule/catalog',
      'subset-v1 VirtualService/catalog-vs-from-gw',
    ])
    expect(r.fake.objects.has('VirtualService/istioinaction/catalog-vs-from-gw')).toBe(true)
    expect(r.out.at(-3)).toMatch(
      /^kept in place for the class to explore: 7 change\(s\) of subset-v1 stay in the journal .+; undo them with `npm run conformance -- restore`$/,
    )
    expect(r.code).toBe(0)

    const restored: string[] = []
    const code = await restoreCommand(
      args([
        'restore',
        '--kubeconfig',
        writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: api.url }),
      ]),
      (l) => restored.push(l),
      { cluster: () => r.fake.cluster, journalDir: r.journalDir },
    )
    expect(code).toBe(0)
    expect(restored).toContain('  delete VirtualService/istioinaction/catalog-vs-from-gw (subset-v1)')
    expect(r.fake.objects.size).toBe(CLUSTER_CONFIG.length)
    expect(journalFor(OWN, api.url, r.journalDir).entries()).toEqual([])
  })

  it('speaks Korean with --lang ko, keeping Istio terms and commands', async () => {
    const r = await walk(['subset-v1', '--lang', 'ko'])
    expect(r.out).toContain(
      '== 5.2.4 DestinationRule subset으로 모든 엣지 트래픽을 catalog v1에 고정하기 (subset-v1)',
    )
    expect(r.out).toContain('책의 명령: kubectl apply -f manifests/ch5/edge-vs-catalog-v1.yaml')
    expect(r.out.join('\n')).toMatch(
      / {3}통과 no-v2: imageUrl 응답 0개 .*\n {8}관측: 응답 688개가 모두 v1\(이\)었습니다/,
    )
    expect(r.out.at(-1)).toBe('1개 절 중 1개가 책대로 동작했습니다')
  })

  it('refuses a cluster that is not the suite’s own (no opt-in exists for it)', async () => {
    const err: string[] = []
    const kubeconfig = writeKubeconfig({
      currentContext: 'prod',
      contexts: ['prod', OWN],
      servers: { prod: 'https://10.0.0.1:6443', [OWN]: 'https://10.0.0.2:6443' },
    })
    const code = await main(['walkthrough', '--kubeconfig', kubeconfig], {
      out: () => undefined,
      err: (t) => err.push(t),
    })
    expect(code).toBe(2)
    expect(err[0]).toContain(OWN)
  })

  it('has help', async () => {
    const out: string[] = []
    expect(await main(['walkthrough', '--help'], { out: (t) => out.push(t), err: () => undefined })).toBe(0)
    expect(out.join('\n')).toContain('walkthrough [scenario-id...] [--keep] [--lang ko]')
  })

  it('names the book commands', () => {
    expect(applyCommand(['apps/catalog.yaml', 'ch5/edge-gateway.yaml'])).toBe(
      'kubectl apply -f manifests/apps/catalog.yaml -f manifests/ch5/edge-gateway.yaml',
    )
    expect(
      deleteCommand([{ apiVersion: 'v1', kind: 'Service', name: 'catalog', namespace: 'istioinaction' }]),
    ).toBe('kubectl delete service catalog -n istioinaction')
  })
})
