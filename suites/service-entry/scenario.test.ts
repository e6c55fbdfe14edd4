import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS } from '../../helpers/runner/define.js'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { delayPush } from '../../helpers/testing/push-delay.js'
import { scenario } from './scenario.js'

const MESH = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh: 'accessLogFile: /dev/stdout\n' },
}
const COREFILE = '.:53 {\n    errors\n    forward . /etc/resolv.conf\n    reload\n}\n'
const COREDNS = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'coredns', namespace: 'kube-system' },
  data: { Corefile: COREFILE },
}
const corefileOf = (fake: FakeLab) =>
  (fake.objects.get('ConfigMap/kube-system/coredns') as { data: { Corefile: string } }).data.Corefile

describe('service-entry against the in-memory lab', () => {
  it('hermetic: starts a stand-in, points DNS at it, applies the ServiceEntry, then undoes all of it', async () => {
    const fake = new FakeLab([MESH, COREDNS])
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['users-200', true],
      ['forum-se-cluster', true],
    ])
    expect(result.checks[1]?.cause).toMatch(
      /show the ServiceEntry's cluster outbound\|80\|\|jsonplaceholder\.typicode\.com$/,
    )
    expect(fake.standIns).toEqual([{ address: '172.18.0.20', stopped: true }])
    expect(fake.applied).toEqual(
      expect.arrayContaining(['ConfigMap/coredns', 'ServiceEntry/jsonplaceholder']),
    )
    expect(corefileOf(fake)).toBe(COREFILE)
    expect(fake.objects.has('ServiceEntry/istioinaction/jsonplaceholder')).toBe(false)
  })

  it('internet: no stand-in, no DNS edit, fewer requests', async () => {
    const fake = new FakeLab([MESH, COREDNS])
    fake.internet = true
    const result = await runScenario(scenario, fake.adapters(), { ...DEFAULT_OPTIONS, egress: 'internet' })
    expect(result.passed).toBe(true)
    expect(fake.standIns).toEqual([])
    expect(fake.applied).not.toContain('ConfigMap/coredns')
    expect(result.checks[0]?.verdict).toMatchObject({ n: 135 })
  })

  it('refuses hermetic mode on an existing cluster, and cleans up', async () => {
    const fake = new FakeLab([MESH, COREDNS])
    const result = await runScenario(scenario, fake.adapters(), { ...DEFAULT_OPTIONS, existingCluster: true })
    expect(result.error).toContain('run with --egress internet')
    expect(result.checks.every((c) => !c.passed)).toBe(true)
    expect(fake.objects.has('Sidecar/istioinaction/default')).toBe(false)
  })

  it('fails while forum still gets block_all (ServiceEntry ineffective), and still restores DNS and stops the stand-in', async () => {
    const fake = new FakeLab([MESH, COREDNS])
    const apply = fake.cluster.apply
    fake.cluster.apply = async (objects) => apply(objects.filter((o) => o.kind !== 'ServiceEntry'))
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[0]?.cause).toContain('not observed: 3 consecutive v1 responses')
    expect(corefileOf(fake)).toBe(COREFILE)
    expect(fake.standIns[0]?.stopped).toBe(true)
  })

  it("passes when the gate's calls met block_all before istiod pushed the ServiceEntry", async () => {
    // The convergence gate's first calls still meet block_all (delayPush: istiod's debounce).
    // Those lines are seconds older than the measured window but inside the log read's skew
    // allowance; they are the gate's, not the measured calls'.
    const fake = new FakeLab([MESH, COREDNS])
    delayPush(fake, (objects) => objects.filter((o) => o.kind === 'ServiceEntry'))
    const result = await runScenario(scenario, fake.adapters())
    expect(fake.logs.some((l) => l.pod.startsWith('forum') && l.text.endsWith(' block_all'))).toBe(true)
    expect(result.checks.map((c) => [c.check, c.passed, c.cause])).toEqual([
      ['users-200', true, expect.any(String)],
      ['forum-se-cluster', true, expect.stringMatching(/show the ServiceEntry's cluster/)],
    ])
  })
})
