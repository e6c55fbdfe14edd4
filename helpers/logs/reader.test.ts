import { KubeConfig } from '@kubernetes/client-node'
import { afterEach, describe, expect, it } from 'vitest'
import { KubeClient } from '../kube/client.js'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { json } from '../testing/recording-server.js'
import { readLogs } from './reader.js'
import { openLogWindow, selectWindow, sinceSecondsFor, splitTimestamped } from './window.js'

let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

describe('log window (pure)', () => {
  const window = openLogWindow(new Date('2026-11-27T07:00:10.000Z'), 5_000)

  it('keeps lines from the window start minus the skew, once each, oldest first', () => {
    const lines = [
      ...splitTimestamped(
        'a',
        'c',
        '2026-11-27T07:00:04.999999999Z too old\n2026-11-27T07:00:06.000000000Z kept 2\n',
      ),
      ...splitTimestamped(
        'a',
        'c',
        '2026-11-27T07:00:06.000000000Z kept 2\n2026-11-27T07:00:05.500000000Z kept 1\n',
      ),
      ...splitTimestamped('b', 'c', '2026-11-27T07:00:06.000000000Z kept 2\n'),
    ]
    expect(selectWindow(lines, window).map((l) => `${l.pod}:${l.text}`)).toEqual([
      'a:kept 1',
      'a:kept 2',
      'b:kept 2',
    ])
  })

  it("reaches back by the skew allowance, but never before the window's floor (its scenario's start)", () => {
    const lines = splitTimestamped(
      'catalog-v2-1',
      'catalog',
      '2026-11-27T07:00:07.000Z the scenario before\n2026-11-27T07:00:08.500Z this scenario\n2026-11-27T07:00:10.100Z measured\n',
    )
    const window = openLogWindow(new Date('2026-11-27T07:00:10.000Z'))
    expect(selectWindow(lines, window).map((l) => l.text)).toEqual([
      'the scenario before',
      'this scenario',
      'measured',
    ])
    expect(selectWindow(lines, { ...window, floor: '2026-11-27T07:00:08.000Z' }).map((l) => l.text)).toEqual([
      'this scenario',
      'measured',
    ])
  })

  it('strips colour codes and skips lines without a timestamp', () => {
    expect(
      splitTimestamped('p', 'c', '2026-11-27T07:00:06Z \u001b[32mgreen\u001b[0m\nno timestamp\n'),
    ).toEqual([{ pod: 'p', container: 'c', timestamp: '2026-11-27T07:00:06Z', text: 'green' }])
  })

  it('asks for enough seconds to cover the window and the skew', () => {
    expect(sinceSecondsFor(window, new Date('2026-11-27T07:01:10.000Z'))).toBe(65)
  })
})

describe('readLogs against a recording API server', () => {
  it('lists pods by selector and reads each one with timestamps, sinceSeconds and limitBytes', async () => {
    const api = await startFakeApiServer((req, res) => {
      const url = new URL(req.url, 'http://x')
      if (url.pathname === '/api/v1/namespaces/istioinaction/pods') {
        json(res, 200, {
          items: [{ metadata: { name: 'catalog-v2-1' } }, { metadata: { name: 'catalog-v2-2' } }],
        })
        return true
      }
      const log = /^\/api\/v1\/namespaces\/istioinaction\/pods\/(.+)\/log$/.exec(url.pathname)
      if (log) {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end(
          `2026-11-27T07:00:20.000000000Z GET catalog.istioinaction-shadow:80 /items 200 698 - 0.6 ms (${log[1]})\n`,
        )
        return true
      }
      return false
    })
    close = api.close
    const kc = new KubeConfig()
    kc.loadFromFile(writeKubeconfig({ currentContext: 'kind-t', contexts: ['kind-t'], server: api.url }))
    const window = openLogWindow(new Date('2026-11-27T07:00:10.000Z'))
    const read = await readLogs(
      new KubeClient(kc, 'kind-t'),
      { namespace: 'istioinaction', labelSelector: 'app=catalog,version=v2', container: 'catalog' },
      window,
      { now: new Date('2026-11-27T07:00:30.000Z'), limitBytesPerPod: 1_000_000 },
    )
    const podList = api.requests.find((r) => r.url.includes('/pods?'))
    expect(new URL(podList?.url ?? '', 'http://x').searchParams.get('labelSelector')).toBe(
      'app=catalog,version=v2',
    )
    const logCalls = api.requests
      .filter((r) => r.url.includes('/log?'))
      .map((r) => new URL(r.url, 'http://x').searchParams)
    expect(logCalls.map((q) => q.get('container'))).toEqual(['catalog', 'catalog'])
    expect(
      logCalls.every(
        (q) =>
          q.get('timestamps') === 'true' &&
          q.get('sinceSeconds') === '25' &&
          q.get('limitBytes') === '1000000',
      ),
    ).toBe(true)
    expect(read.pods).toEqual(['catalog-v2-1', 'catalog-v2-2'])
    expect(read.lines.map((l) => l.pod)).toEqual(['catalog-v2-1', 'catalog-v2-2'])
    expect(read.truncatedPods).toEqual([])
  })
})
