import { existsSync } from 'node:fs'
import type { V1Pod } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/testing/temp-dir.js'
import { proxiesOf } from './rehearsal-adapter.js'
import { fileIntentStore, IntentJournal } from './rehearsal-journal.js'

const pod = (
  name: string,
  image: string | undefined,
  options: { native?: boolean; deleting?: boolean } = {},
): V1Pod => {
  const proxy = image ? [{ name: 'istio-proxy', image }] : []
  return {
    metadata: {
      name,
      namespace: 'istioinaction',
      ...(options.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: {
      containers: [{ name: 'app', image: 'istioinaction/catalog:latest' }, ...(options.native ? [] : proxy)],
      ...(options.native ? { initContainers: proxy } : {}),
    },
  }
}

describe('proxiesOf', () => {
  it('reads the proxy version of regular and native sidecars, and ignores pods being deleted or without a proxy', () => {
    expect(
      proxiesOf([
        pod('catalog-1', 'docker.io/istio/proxyv2:1.30.5'),
        pod('webapp-1', 'registry.istio.io/release/proxyv2:1.31.1', { native: true }),
        pod('catalog-0', 'docker.io/istio/proxyv2:1.29.8', { deleting: true }),
        pod('plain', undefined),
      ]),
    ).toEqual([
      { pod: 'istioinaction/catalog-1', version: '1.30.5' },
      { pod: 'istioinaction/webapp-1', version: '1.31.1' },
    ])
  })
})

describe('the rehearsal journal on disk', () => {
  it('is written before each change, read back by the next process, and removed once empty', () => {
    const dir = tempDir('journal')
    const store = fileIntentStore(dir, 'kind-lab-0000.json')
    const journal = new IntentJournal(store)
    journal.record('kind-lab', '1.30.5', {
      kind: 'install',
      version: '1.31.1',
      revision: '1-31-1',
      undo: 'u',
    })
    expect(existsSync(store.location)).toBe(true)
    const next = new IntentJournal(fileIntentStore(dir, 'kind-lab-0000.json'))
    expect(next.from).toBe('1.30.5')
    expect(next.intents()).toEqual([{ kind: 'install', version: '1.31.1', revision: '1-31-1', undo: 'u' }])
    next.reset()
    expect(existsSync(store.location)).toBe(false)
  })
})
