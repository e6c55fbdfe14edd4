import { describe, expect, it } from 'vitest'
import { outboundPolicyOf } from '../../helpers/mesh-edits.js'
import { DEFAULT_OPTIONS } from '../../helpers/runner/define.js'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { delayPush } from '../../helpers/testing/push-delay.js'
import { CLUSTER_CONFIG } from '../../helpers/testing/run-fixtures.js'
import { scenario } from './scenario.js'

const COREDNS = CLUSTER_CONFIG[1]
const meshOf = (fake: FakeLab) =>
  (fake.objects.get('ConfigMap/istio-system/istio') as { data: { mesh: string } } | undefined)?.data.mesh ??
  ''

describe('egress-registry-only against the in-memory lab', () => {
  it('blocks egress through the mesh config, proves it three ways, and restores the mesh config', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed, c.cause])).toEqual([
      ['blackhole-tcp', true, '1 access-log line(s) show BlackHoleCluster with flag UH'],
      [
        'users-500',
        true,
        expect.stringContaining('all 688 responses were blocked (500 error calling Forum service)'),
      ],
      [
        'forum-block-all',
        true,
        expect.stringMatching(/^\d+ access-log line\(s\) show GET \/users 502 direct_response block_all$/),
      ],
    ])
    expect(fake.execs[0]).toMatchObject({
      selector: 'app=webapp',
      container: 'webapp',
      command: ['curl', '-sS', '--max-time', '5', 'https://203.0.113.10/'],
    })
    // The call is made once; its line is read until Envoy's 1 s flush has delivered it.
    expect(fake.execs).toHaveLength(1)
    expect([...new Set(fake.logReads.map((q) => q.labelSelector))]).toEqual(['app=webapp', 'app=forum'])
    expect(meshOf(fake)).toBe('accessLogFile: /dev/stdout\n')
    expect(result.cleanup.restored).toEqual(expect.arrayContaining(['ConfigMap/istio', 'ConfigMap/coredns']))
    expect(fake.objects.get('ConfigMap/kube-system/coredns')).toEqual(COREDNS)
  })

  it('answers the outside host from the cluster DNS, since forum resolves it before Envoy blocks the call', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    const corefiles: string[] = []
    const apply = fake.cluster.apply
    fake.cluster.apply = async (objects) => {
      for (const o of objects)
        if (o.metadata?.name === 'coredns')
          corefiles.push((o as { data: { Corefile: string } }).data.Corefile)
      return apply(objects)
    }
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[2]?.passed).toBe(true)
    expect(corefiles[0]).toContain('203.0.113.10 jsonplaceholder.typicode.com')
  })

  it('without DNS for the outside host forum never calls out, and forum-block-all says no line shows it', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    // A cluster that is not the suite's own keeps its DNS; this one cannot resolve the host.
    const result = await runScenario(scenario, fake.adapters(), { ...DEFAULT_OPTIONS, existingCluster: true })
    expect(result.checks[2]).toMatchObject({
      passed: false,
      cause: expect.stringMatching(/^no access-log line shows GET \/users 502/),
    })
    expect(result.checks[2]?.hint).toContain('could not resolve jsonplaceholder.typicode.com')
  })

  it('falls back to wget when the image has no curl', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.execTools = new Set(['wget'])
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[1]?.passed).toBe(true)
    expect(fake.execs.map((e) => e.command[0])).toEqual(['curl', 'wget'])
  })

  it('on an existing cluster uses a namespace Sidecar and never touches mesh-wide config', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.internet = true // the learner's cluster resolves the outside host itself
    const result = await runScenario(scenario, fake.adapters(), { ...DEFAULT_OPTIONS, existingCluster: true })
    expect(result.passed).toBe(true)
    expect(fake.applied).toContain('Sidecar/default')
    expect(fake.applied).not.toContain('ConfigMap/istio')
    expect(fake.applied).not.toContain('ConfigMap/coredns')
    expect(fake.objects.has('Sidecar/istioinaction/default')).toBe(false)
  })

  it('restores the mesh config after a failing probe', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.override = (probe) => (probe.path === '/api/users' ? 'error' : undefined)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(false)
    expect(result.checks.every((c) => !c.passed)).toBe(true)
    expect(outboundPolicyOf(meshOf(fake))).toBe('ALLOW_ANY')
  })

  it("passes when the gate's calls still left through PassthroughCluster before the policy reached the proxies", async () => {
    // istiod pushes the edited mesh config after its ConfigMap watch and debounce, so the
    // convergence gate's first calls still leave through PassthroughCluster: the check forbids
    // that cluster, but only for the calls made since the measured window opened.
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.internet = true
    delayPush(fake, (objects) =>
      outboundPolicyOf(meshOf(fake)) === 'ALLOW_ANY'
        ? objects.filter((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'istio')
        : [],
    )
    const result = await runScenario(scenario, fake.adapters())
    expect(fake.logs.some((l) => l.pod.startsWith('forum') && l.text.includes(' PassthroughCluster '))).toBe(
      true,
    )
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['blackhole-tcp', true],
      ['users-500', true],
      ['forum-block-all', true],
    ])
  })
})
