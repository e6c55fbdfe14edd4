/**
 * Writes oracles/istio/steps.json (the Istio oracle's input) from the scenario registry: every
 * step of every scenario, as helpers/testing/istio-goldens.ts deriveSteps defines them.
 * `npm run goldens` runs it before the oracles; helpers/routes/goldens.test.ts fails when the
 * committed file differs from what the registry gives.
 *
 *   npx tsx oracles/istio/steps.ts           # write steps.json
 *   npx tsx oracles/istio/steps.ts --check   # exit 1 if steps.json is stale
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { loadManifest } from '../../helpers/manifests/load.js'
import { deriveSteps, renderSteps, STEPS_FILE } from '../../helpers/testing/istio-goldens.js'
import { SCENARIOS } from '../../suites/index.js'
import { BASE_LAB } from '../../suites/shared.js'

const args = process.argv.slice(2)
if (args.some((a) => a !== '--check')) {
  console.error(`steps.ts: unknown argument ${args.find((a) => a !== '--check')}; usage: steps.ts [--check]`)
  process.exit(2)
}
const text = renderSteps(deriveSteps(SCENARIOS, loadManifest, BASE_LAB))
const current = readFileSync(STEPS_FILE, 'utf8')
if (args.includes('--check')) {
  if (text !== current) {
    console.error('steps.ts: oracles/istio/steps.json is stale; run `npm run goldens -- istio` and commit it')
    process.exit(1)
  }
} else if (text !== current) {
  writeFileSync(STEPS_FILE, text)
  console.error('== steps.json: rewritten from the scenario registry')
} else {
  console.error('== steps.json: current')
}
