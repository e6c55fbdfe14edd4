import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './temp-dir.js'

/** Writes a kubeconfig with the given contexts (each with its own cluster at `server`) to a temp file. */
export function writeKubeconfig(options: {
  currentContext?: string
  contexts: readonly string[]
  server?: string
  /** Per-context API servers, overriding `server`. */
  servers?: Readonly<Record<string, string>>
  /** Where to write it; a temp folder removed after the test (or block) otherwise. In a
   * `beforeAll`, pass a `makeTempDir` folder and remove it from the hook's teardown. */
  dir?: string
}): string {
  const dir = options.dir ?? tempDir('kubeconfig')
  const path = join(dir, 'config')
  const server = options.server ?? 'https://127.0.0.1:6443'
  const lines = ['apiVersion: v1', 'kind: Config']
  if (options.currentContext) lines.push(`current-context: ${options.currentContext}`)
  lines.push('contexts:')
  for (const c of options.contexts) lines.push(`- name: ${c}`, `  context: {cluster: ${c}, user: ${c}}`)
  lines.push('clusters:')
  for (const c of options.contexts) {
    lines.push(
      `- name: ${c}`,
      `  cluster: {server: "${options.servers?.[c] ?? server}", insecure-skip-tls-verify: true}`,
    )
  }
  lines.push('users:')
  for (const c of options.contexts) lines.push(`- name: ${c}`, '  user: {token: test-token}')
  writeFileSync(path, `${lines.join('\n')}\n`)
  return path
}

export function writeRaw(text: string): string {
  const dir = tempDir('kubeconfig')
  const path = join(dir, 'config')
  writeFileSync(path, text)
  return path
}
