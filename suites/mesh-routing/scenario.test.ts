import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('mesh-routing against the in-memory lab', () => {
  it("routes webapp's calls to v1 and proves it from webapp's proxy log, correlated by request id", async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['no-v2', true],
      ['proxy-log-v1-cluster', true],
    ])
    expect(fake.applied).toEqual(
      expect.arrayContaining(['Telemetry/webapp', 'VirtualService/catalog', 'Deployment/webapp']),
    )
    expect(fake.logReads).toEqual([
      { namespace: 'istioinaction', labelSelector: 'app=webapp', container: 'istio-proxy' },
    ])
    expect(fake.probes.every((p) => p.host === 'webapp.istioinaction.io' && p.path === '/api/catalog')).toBe(
      true,
    )
    expect(result.checks[1]?.cause).toMatch(
      /^all 688 calls went to outbound\|80\|version-v1\|catalog\.istioinaction\.svc\.cluster\.local \(correlated by x-request-id\)$/,
    )
    expect(fake.objects.size).toBe(0)
  })

  it("fails when webapp's log shows the v2 cluster although the bodies look like v1", async () => {
    const fake = new FakeLab()
    const realRead = fake.cluster.readLogs
    fake.cluster.readLogs = async (q, w) => {
      const read = await realRead(q, w)
      return {
        ...read,
        lines: read.lines.map((l, i) =>
          i === 5 ? { ...l, text: l.text.replace('version-v1', 'version-v2') } : l,
        ),
      }
    }
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[1]?.passed).toBe(false)
    expect(result.checks[1]?.cause).toContain(
      '1 of 688 calls went to outbound|80|version-v2|catalog.istioinaction.svc.cluster.local',
    )
  })
})
