import { describe, expect, it } from 'vitest'
import { outboundPolicyOf } from '../../helpers/mesh-edits.js'
import { DEFAULT_OPTIONS } from '../../helpers/runner/define.js'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

const MESH = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh: 'accessLogFile: /dev/stdout\n' },
}
const meshOf = (fake: FakeLab) =>
  (fake.objects.get('ConfigMap/istio-system/istio') as { data: { mesh: string } } | undefined)?.data.mesh ??
  ''

describe('egress-registry-only against the in-memory lab', () => {
  it('blocks egress through the mesh config, proves it three ways, and restores the mesh config', async () => {
    const fake = new FakeLab([MESH])
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
    expect(fake.logReads.map((q) => q.labelSelector)).toEqual(['app=webapp', 'app=forum'])
    expect(meshOf(fake)).toBe('accessLogFile: /dev/stdout\n')
    expect(result.cleanup.restored).toContain('ConfigMap/istio')
  })

  it('falls back to wget when the image has no curl', async () => {
    const fake = new FakeLab([MESH])
    fake.execTools = new Set(['wget'])
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[1]?.passed).toBe(true)
    expect(fake.execs.map((e) => e.command[0])).toEqual(['curl', 'wget'])
  })

  it('on an existing cluster uses a namespace Sidecar and never touches the mesh config', async () => {
    const fake = new FakeLab([MESH])
    const result = await runScenario(scenario, fake.adapters(), { ...DEFAULT_OPTIONS, existingCluster: true })
    expect(result.passed).toBe(true)
    expect(fake.applied).toContain('Sidecar/default')
    expect(fake.applied).not.toContain('ConfigMap/istio')
    expect(fake.objects.has('Sidecar/istioinaction/default')).toBe(false)
  })

  it('restores the mesh config after a failing probe', async () => {
    const fake = new FakeLab([MESH])
    fake.override = (probe) => (probe.path === '/api/users' ? 'error' : undefined)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(false)
    expect(result.checks.every((c) => !c.passed)).toBe(true)
    expect(outboundPolicyOf(meshOf(fake))).toBe('ALLOW_ANY')
  })
})
