import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The import rules of ARCHITECTURE.md, checked over the source tree: imports only run downwards
 * (CLI -> scenarios -> harness -> evidence/reports -> adapters -> pure), and product code never
 * imports the test doubles. The first matching prefix names a file's layer.
 */
const LAYERS: readonly (readonly [prefix: string, layer: number, room: string])[] = [
  // Pure logic and data inside adapter rooms: decided without I/O, so anything may use them.
  ['helpers/http/classify.ts', 0, 'pure'],
  ['helpers/http/target.ts', 0, 'pure'],
  ['helpers/kube/context-guard.ts', 0, 'pure'],
  ['helpers/kube/ownership.ts', 0, 'pure'],
  ['helpers/kube/api-versions.ts', 0, 'pure'],
  ['helpers/kube/describe-error.ts', 0, 'pure'],
  ['helpers/logs/parse.ts', 0, 'pure'],
  ['helpers/logs/window.ts', 0, 'pure'],
  ['helpers/routes/inspect.ts', 0, 'pure'],
  ['helpers/routes/match.ts', 0, 'pure'],
  ['helpers/manifests/xrefs.ts', 0, 'pure'],
  ['helpers/manifests/namespace.ts', 0, 'pure'],
  ['helpers/kube/lab-namespace.ts', 0, 'pure'],
  ['cluster/profiles.ts', 0, 'pure'],
  ['cluster/kind-config.ts', 0, 'pure'],
  ['cluster/istio-operator.ts', 0, 'pure'],
  ['cluster/health.ts', 0, 'pure'],
  ['cluster/istio-releases.ts', 0, 'pure'],
  ['cluster/rehearsal.ts', 0, 'pure'],
  ['cluster/up-phases.ts', 0, 'pure'],
  ['helpers/schedule/', 0, 'pure'],
  ['helpers/stats/', 0, 'pure'],
  ['helpers/text/', 0, 'pure'],
  ['helpers/errors.ts', 0, 'pure'],
  ['helpers/poll.ts', 0, 'pure'],
  ['helpers/mesh-edits.ts', 0, 'pure'],
  ['helpers/istio-behaviour.ts', 0, 'pure'],
  ['helpers/istiod.ts', 0, 'pure'],
  ['helpers/learn/', 0, 'pure'],
  ['helpers/i18n/', 0, 'pure'],
  // Adapters: the only code that talks to the cluster, the network, files and other programs.
  ['helpers/kube/', 1, 'adapters'],
  ['helpers/http/', 1, 'adapters'],
  ['helpers/system/', 1, 'adapters'],
  ['helpers/logs/', 1, 'adapters'],
  ['helpers/routes/', 1, 'adapters'],
  ['helpers/manifests/', 1, 'adapters'],
  ['helpers/progress.ts', 1, 'adapters'],
  ['cluster/', 1, 'adapters'],
  // Evidence and reports: judges and writers.
  ['helpers/evidence/', 2, 'evidence/reports'],
  ['helpers/flagger/', 2, 'evidence/reports'],
  ['helpers/report/', 2, 'evidence/reports'],
  ['helpers/runner/', 3, 'harness'],
  ['suites/', 4, 'scenarios'],
  ['helpers/cli/', 5, 'cli'],
  ['helpers/bench/', 5, 'cli'],
]

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function layerOf(file: string): { layer: number; room: string } | undefined {
  const hit = LAYERS.find(([prefix]) => file === prefix || file.startsWith(prefix))
  return hit ? { layer: hit[1], room: hit[2] } : undefined
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'node_modules' ? [] : sources(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

const isTest = (f: string) => f.endsWith('.test.ts') || f.startsWith('helpers/testing/')
const product = ['helpers', 'suites', 'cluster'].flatMap(sources).filter((f) => !isTest(f))

/** Relative imports of a file (static and dynamic), resolved to paths from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const found = [...text.matchAll(/(?:from\s+|import\()\s*'(\.[^']+)'/g)].map((m) => m[1] as string)
  return found.map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'))
}

describe('import rules (ARCHITECTURE.md)', () => {
  it('knows the layer of every product file', () => {
    expect(product.filter((f) => !layerOf(f))).toEqual([])
  })

  it('has no import that runs from a lower layer up to a higher one', () => {
    const upward: string[] = []
    for (const file of product) {
      const from = layerOf(file)
      for (const target of importsOf(file)) {
        const to = layerOf(target)
        if (from && to && to.layer > from.layer)
          upward.push(`${file} (${from.room}) imports ${relative('.', target)} (${to.room})`)
      }
    }
    expect(upward).toEqual([])
  })

  it('keeps test doubles out of product code', () => {
    const leaks = product.flatMap((file) =>
      importsOf(file)
        .filter((t) => t.startsWith('helpers/testing/'))
        .map((t) => `${file} imports ${t}`),
    )
    expect(leaks).toEqual([])
  })

  it('catches an upward import when there is one', () => {
    // The rule itself: a harness file importing the CLI would be reported.
    const from = layerOf('helpers/runner/lab.ts')
    const to = layerOf('helpers/cli/spec.ts')
    expect(from && to && to.layer > from.layer).toBe(true)
    expect(importsOf('helpers/runner/lab.ts').every((t) => !t.startsWith('helpers/cli/'))).toBe(true)
  })
})
