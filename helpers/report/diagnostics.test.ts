import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { scenario as subsetV1 } from '../../suites/subset-v1/scenario.js'
import { KubeClient } from '../kube/client.js'
import { runScenario } from '../runner/scenario.js'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { FakeLab } from '../testing/fake-lab.js'
import { CONTROL_CHARACTER, HOSTILE, HOSTILE_TEXT } from '../testing/hostile.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json } from '../testing/recording-server.js'
import { tempDir } from '../testing/temp-dir.js'
import { capText, type DiagnosticsSource, writeDiagnostics } from './diagnostics.js'
import { clusterDiagnostics } from './diagnostics-source.js'

describe('writeDiagnostics', () => {
  const source: DiagnosticsSource = {
    istioResources: async () => 'kind: VirtualService\n',
    proxyRoutes: async (_ns, selector) => {
      if (selector === 'app=webapp') throw new Error('no running pod matches app=webapp in istioinaction')
      return '{"configs":[]}'
    },
    events: async () => 'x'.repeat(5000),
    tail: async (q) => [{ pod: `${q.labelSelector.replace('app=', '')}-1`, text: 'last line\n' }],
  }

  it('writes each part, caps big files, records what it could not collect, and reads each container once', async () => {
    const dir = tempDir('diag')
    const query = { namespace: 'istioinaction', labelSelector: 'app=webapp', container: 'istio-proxy' }
    const files = await writeDiagnostics(dir, source, 'istioinaction', [query, query], 1000)
    expect(files).toEqual([
      'resources.yaml',
      'routes-ingressgateway.json',
      'routes-webapp.json.error.txt',
      'events.txt',
      join('logs', 'webapp-1_istio-proxy.log'),
    ])
    expect(readFileSync(join(dir, 'routes-webapp.json.error.txt'), 'utf8')).toContain(
      'no running pod matches app=webapp',
    )
    const events = readFileSync(join(dir, 'events.txt'), 'utf8')
    expect(Buffer.byteLength(events)).toBeLessThanOrEqual(1000)
    expect(events).toMatch(/^\[truncated: kept the last 1000 of 5000 bytes\]/)
  })

  it('keeps what the cluster said line for line, without escapes that would act on a terminal', async () => {
    const dir = tempDir('diag')
    const hostile: DiagnosticsSource = {
      istioResources: async () => `kind: VirtualService\n# ${HOSTILE_TEXT}\n`,
      proxyRoutes: async () => {
        throw new Error(HOSTILE.oscTitle)
      },
      events: async () => `first ${HOSTILE.ansiColour}\nsecond ${HOSTILE.osc8}\n`,
      tail: async () => [{ pod: `pod-${HOSTILE.controls}`, text: `${HOSTILE.controls}\nline 2\n` }],
    }
    const query = { namespace: 'istioinaction', labelSelector: 'app=webapp', container: 'istio-proxy' }
    const files = await writeDiagnostics(dir, hostile, 'istioinaction', [query])
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(CONTROL_CHARACTER)
    expect(readFileSync(join(dir, 'events.txt'), 'utf8')).toBe('first red  cleared\nsecond hyperlink\n')
    expect(readFileSync(join(dir, 'routes-webapp.json.error.txt'), 'utf8')).toBe('after title\n')
  })

  it('capText leaves small texts alone', () => {
    expect(capText('abc', 10)).toBe('abc')
  })
})

describe('diagnostics on failure', () => {
  it('are collected before cleanup, only when something failed', async () => {
    const order: string[] = []
    const failing = new FakeLab()
    let n = 0
    failing.override = () => (++n === 50 ? 'v2' : undefined)
    const result = await runScenario(subsetV1, failing.adapters(), undefined, async () => {
      order.push(`diagnostics with ${failing.objects.size} objects present`)
    })
    expect(result.passed).toBe(false)
    expect(order).toEqual([expect.stringMatching(/^diagnostics with [1-9]\d* objects present$/)])
    expect(failing.objects.size).toBe(0)

    const passing = new FakeLab()
    await runScenario(subsetV1, passing.adapters(), undefined, async () => {
      order.push('called on a pass')
    })
    expect(order).toHaveLength(1)
  })
})

describe('clusterDiagnostics against a recording API server', () => {
  it('lists the namespace events, oldest first', async () => {
    const api = await startFakeApiServer((req, res) => {
      if (req.url.startsWith('/api/v1/namespaces/istioinaction/events')) {
        json(res, 200, {
          items: [
            {
              metadata: {},
              type: 'Normal',
              reason: 'Synced',
              message: 'Advance catalog-release.istioinaction canary weight 20',
              lastTimestamp: '2026-11-27T08:00:20Z',
              involvedObject: { kind: 'Canary', name: 'catalog-release' },
            },
            {
              metadata: {},
              type: 'Normal',
              reason: 'Synced',
              message: 'Advance catalog-release.istioinaction canary weight 10',
              lastTimestamp: '2026-11-27T08:00:10Z',
              involvedObject: { kind: 'Canary', name: 'catalog-release' },
            },
          ],
        })
        return true
      }
      return false
    })
    try {
      const kc = new KubeConfig()
      kc.loadFromFile(writeKubeconfig({ currentContext: 'kind-t', contexts: ['kind-t'], server: api.url }))
      const text = await clusterDiagnostics(new KubeClient(kc, 'kind-t')).events('istioinaction')
      expect(text.split('\n')).toEqual([
        '2026-11-27T08:00:10.000Z Normal Canary/catalog-release Synced: Advance catalog-release.istioinaction canary weight 10',
        '2026-11-27T08:00:20.000Z Normal Canary/catalog-release Synced: Advance catalog-release.istioinaction canary weight 20',
      ])
    } finally {
      await api.close()
    }
  })
})
