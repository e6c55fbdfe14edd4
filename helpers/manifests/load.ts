import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubernetesObject } from '@kubernetes/client-node'
import { parseManifests } from '../kube/client.js'

/** `manifests/` at the project root: YAML only. */
export const MANIFESTS_DIR = fileURLToPath(new URL('../../manifests', import.meta.url))

/** The objects of one manifest file, given relative to manifests/ (e.g. ch5/catalog-dr.yaml). */
export function loadManifest(relativePath: string): KubernetesObject[] {
  return parseManifests(readFileSync(join(MANIFESTS_DIR, relativePath), 'utf8'))
}
