import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadManifest, MANIFESTS_DIR } from './load.js'
import { BOOK_NAMESPACE, intoNamespace, nameIn, namespaceProblem, scenarioNamespace } from './namespace.js'
import { crossReferenceProblems } from './xrefs.js'

const files = ['apps', 'ch5'].flatMap((dir) =>
  readdirSync(join(MANIFESTS_DIR, dir)).map((f) => `${dir}/${f}`),
)

/** Every string in an object, with the key it sits under. */
function strings(value: unknown, key = ''): { key: string; text: string }[] {
  if (typeof value === 'string') return [{ key, text: value }]
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key))
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => strings(v, k))
  return []
}

describe('namespaceProblem', () => {
  it.each(['itc-staging', 'lab1', 'a'])('accepts %s', (name) => {
    expect(namespaceProblem(name)).toBeUndefined()
  })
  it.each([
    ['Lab', 'not a valid'],
    ['-lab', 'not a valid'],
    ['lab_1', 'not a valid'],
    ['a'.repeat(64), 'not a valid'],
    ['', 'not a valid'],
    ['kube-system', 'system namespace'],
    ['kube-anything', 'system namespace'],
    ['istio-system', 'system namespace'],
    ['default', 'system namespace'],
  ])('refuses %s', (name, why) => {
    expect(namespaceProblem(name)).toContain(why)
  })
})

describe('nameIn', () => {
  it.each([
    ['catalog.istioinaction', 'catalog.itc-staging'],
    ['catalog.istioinaction:80', 'catalog.itc-staging:80'],
    ['catalog.istioinaction-shadow', 'catalog.itc-staging-shadow'],
    ['curl -s catalog.istioinaction -H x', 'curl -s catalog.itc-staging -H x'],
    ['"catalog.istioinaction"', '"catalog.itc-staging"'],
    ['catalog.istioinaction.svc.cluster.local', 'catalog.itc-staging.svc.cluster.local'],
    [
      'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local',
      'outbound|80|version-v1|catalog.itc-staging.svc.cluster.local',
    ],
    ['catalog.istioinaction.io', 'catalog.itc-staging.istioinaction.io'],
    ['catalog.istioinaction.io:80', 'catalog.itc-staging.istioinaction.io:80'],
    ['istioinaction/catalog:latest', 'istioinaction/catalog:latest'],
    ['jsonplaceholder.typicode.com', 'jsonplaceholder.typicode.com'],
  ])('%s -> %s', (book, lab) => {
    expect(nameIn(book, 'itc-staging')).toBe(lab)
  })
  it("is the identity in the book's namespace", () => {
    expect(nameIn('catalog.istioinaction.io', BOOK_NAMESPACE)).toBe('catalog.istioinaction.io')
  })
})

describe.each(files)('%s in namespace itc-staging', (file) => {
  const book = loadManifest(file)
  const lab = intoNamespace(book, 'itc-staging')

  it('every object moves to the namespace, and the input is untouched', () => {
    for (const o of lab) expect(o.metadata?.namespace).toBe('itc-staging')
    for (const o of book) expect(o.metadata?.namespace).toBe(BOOK_NAMESPACE)
  })

  it('no name of the book namespace is left but image names and the edge hosts made distinct', () => {
    // A new manifest naming the namespace another way (a Sidecar's `istioinaction/*`, a
    // Telemetry selector) fails here until the rename knows it.
    const left = strings(lab).filter(
      ({ key, text }) =>
        text.includes(BOOK_NAMESPACE) &&
        !(key === 'image' && text.startsWith(`${BOOK_NAMESPACE}/`)) &&
        !/^[a-z0-9-]+\.itc-staging\.istioinaction\.io$/.test(text),
    )
    expect(left).toEqual([])
  })
})

describe('the lab in another namespace', () => {
  it('keeps its cross-references: each step of every file set resolves as in the book', () => {
    const all = files.flatMap(loadManifest)
    expect(crossReferenceProblems(intoNamespace(all, 'itc-staging'))).toEqual(crossReferenceProblems(all))
  })

  it('webapp calls catalog and forum in its own namespace', () => {
    const [webapp] = intoNamespace(
      loadManifest('apps/webapp.yaml').filter((o) => o.kind === 'Deployment'),
      'itc-staging',
    )
    const env = JSON.stringify(webapp)
    expect(env).toContain('"catalog.itc-staging"')
    expect(env).toContain('"forum.itc-staging"')
  })
})

describe('scenarioNamespace', () => {
  it('gives every registered scenario a namespace the suite may use', async () => {
    const { SCENARIOS } = await import('../../suites/index.js')
    const names = SCENARIOS.map((s) => scenarioNamespace(s.id))
    expect(new Set(names).size).toBe(SCENARIOS.length)
    for (const n of names) expect(namespaceProblem(n)).toBeUndefined()
    expect(scenarioNamespace('edge-routing')).toBe('itc-edge-routing')
  })
})
