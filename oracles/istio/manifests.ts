/**
 * Writes the manifests tree the Istio oracle reads: manifests/ as it is, and for every namespace
 * of GOLDEN_NAMESPACES a folder `@<namespace>/` with each file moved into that namespace by
 * helpers/manifests/namespace.ts intoNamespace, the one function `run --namespace` applies.
 * The oracle only reads files; the renaming stays in one place. generate.sh runs it.
 *
 *   npx tsx oracles/istio/manifests.ts OUT
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { stringify } from 'yaml'
import { loadManifest, MANIFESTS_DIR } from '../../helpers/manifests/load.js'
import { intoNamespace } from '../../helpers/manifests/namespace.js'
import { GOLDEN_NAMESPACES } from '../../helpers/testing/istio-goldens.js'

const [out, ...rest] = process.argv.slice(2)
if (!out || rest.length > 0) {
  console.error(
    "manifests.ts: usage: manifests.ts OUT (the folder to write the oracle's manifests tree into)",
  )
  process.exit(2)
}
cpSync(MANIFESTS_DIR, out, { recursive: true })
const files = readdirSync(MANIFESTS_DIR, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
  .map((e) => join(e.parentPath, e.name).slice(MANIFESTS_DIR.length + 1))
for (const namespace of GOLDEN_NAMESPACES)
  for (const file of files) {
    const target = join(out, `@${namespace}`, file)
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(
      target,
      intoNamespace(loadManifest(file), namespace)
        .map((o) => stringify(o))
        .join('---\n'),
    )
  }
