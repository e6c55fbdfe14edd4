/**
 * Writes the manifests tree the Istio oracle reads: manifests/ as it is, and every moved file
 * steps.json names (`@<namespace>/<file>`: itc-staging's, and each scenario's own namespace
 * itc-<id>) at that path, the file moved into the namespace by helpers/manifests/namespace.ts
 * intoNamespace, the one function `run --namespace` and the concurrent runs apply. The oracle
 * only reads files; the renaming stays in one place. generate.sh runs it.
 *
 *   npx tsx oracles/istio/manifests.ts OUT
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { stringify } from 'yaml'
import { MANIFESTS_DIR } from '../../helpers/manifests/load.js'
import { committedSteps, loadStepManifest } from '../../helpers/testing/istio-goldens.js'

const [out, ...rest] = process.argv.slice(2)
if (!out || rest.length > 0) {
  console.error(
    "manifests.ts: usage: manifests.ts OUT (the folder to write the oracle's manifests tree into)",
  )
  process.exit(2)
}
cpSync(MANIFESTS_DIR, out, { recursive: true })
const moved = new Set(
  Object.values(committedSteps().scenarios)
    .flatMap((steps) => steps.flatMap((step) => step.manifests))
    .filter((file) => file.startsWith('@')),
)
for (const file of moved) {
  const target = join(out, file)
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(
    target,
    loadStepManifest(file)
      .map((o) => stringify(o))
      .join('---\n'),
  )
}
