import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('mesh-routing against the in-memory lab', () => {
  it("routes webapp's calls to v1 and proves it from webapp's proxy log: every call since the window opened", async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['no-v2', true],
      ['proxy-log-v1-cluster', true],
    ])
    expect(fake.applied).toEqual(
      expect.arrayContaining(['Telemetry/webapp', 'VirtualService/catalog', 'Deployment/webapp']),
    )
    expect(fake.logReads).toEqual(
      fake.logReads.map(() => ({
        namespace: 'istioinaction',
        labelSelector: 'app=webapp',
        container: 'istio-proxy',
      })),
    )
    expect(fake.probes.every((p) => p.host === 'webapp.istioinaction.io' && p.path === '/api/catalog')).toBe(
      true,
    )
    // The main path: the gateway replaces the client's x-request-id (Istio >= 1.25), so the
    // calls are those webapp started since the window opened, which only the measured traffic made.
    expect(result.checks[1]?.cause).toMatch(
      /^all 688 calls went to outbound\|80\|version-v1\|catalog\.istioinaction\.svc\.cluster\.local \(calls started since .* \(no request id matched\)\)$/,
    )
    expect(fake.objects.size).toBe(0)
  })

  it('correlates by x-request-id where the gateway keeps the client id (the book profile)', async () => {
    const fake = new FakeLab()
    fake.gatewayKeepsClientRequestId = true
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[1]?.cause).toMatch(/^all 688 calls went to .* \(correlated by x-request-id\)$/)
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
