import { describe, expect, it } from 'vitest'
import { UsageError } from '../errors.js'
import { writeKubeconfig, writeRaw } from '../testing/kubeconfig-fixtures.js'
import { guardContext } from './context-guard.js'
import { loadKubeConfig } from './kubeconfig.js'

const OWN = 'kind-istio-conformance'

/** Loads a real temp kubeconfig file, then asks the guard; returns the context or the error. */
function guardFromFile(
  file: { currentContext?: string; contexts: string[] },
  flags: { context?: string; allowExisting?: boolean } = {},
): string | UsageError {
  const loaded = loadKubeConfig(writeKubeconfig(file))
  try {
    return guardContext({
      clusterName: 'istio-conformance',
      requestedContext: flags.context,
      currentContext: loaded.currentContext,
      knownContexts: loaded.contexts,
      servers: loaded.servers,
      allowExistingCluster: flags.allowExisting ?? false,
      kubeconfigSource: loaded.source,
    })
  } catch (error) {
    if (error instanceof UsageError) return error
    throw error
  }
}

describe('guardContext with temporary kubeconfig files', () => {
  it("accepts the suite's own kind context when it is current", () => {
    expect(guardFromFile({ currentContext: OWN, contexts: [OWN, 'prod'] })).toBe(OWN)
  })

  it('refuses a current context that is not the suite cluster, naming it and the flags', () => {
    const result = guardFromFile({ currentContext: 'prod', contexts: [OWN, 'prod'] })
    expect(result).toBeInstanceOf(UsageError)
    const error = result as UsageError
    expect(error.message).toContain("'prod'")
    expect(error.fix).toContain('--context prod --allow-existing-cluster')
    expect(error.exitCode).toBe(2)
  })

  it('selects the suite context with --context even when another is current', () => {
    expect(guardFromFile({ currentContext: 'prod', contexts: [OWN, 'prod'] }, { context: OWN })).toBe(OWN)
  })

  it('allows another context only when named with --context and --allow-existing-cluster', () => {
    const files = { currentContext: OWN, contexts: [OWN, 'staging'] }
    expect(guardFromFile(files, { context: 'staging' })).toBeInstanceOf(UsageError)
    expect(guardFromFile(files, { context: 'staging', allowExisting: true })).toBe('staging')
  })

  it('does not let --allow-existing-cluster bless the current context implicitly', () => {
    const result = guardFromFile({ currentContext: 'prod', contexts: ['prod'] }, { allowExisting: true })
    expect((result as UsageError).message).toContain('--allow-existing-cluster needs the cluster named')
  })

  it('reports a missing current context with the command that creates the cluster', () => {
    const result = guardFromFile({ contexts: ['prod'] }) as UsageError
    expect(result.message).toContain('has no current context')
    expect(result.fix).toContain('npm run conformance -- up')
  })

  it("refuses a context named like the suite's whose API server is not on loopback", () => {
    const loaded = loadKubeConfig(
      writeKubeconfig({ currentContext: OWN, contexts: [OWN], server: 'https://10.0.0.5:6443' }),
    )
    const error = catchUsage(() =>
      guardContext({
        clusterName: 'istio-conformance',
        requestedContext: undefined,
        currentContext: loaded.currentContext,
        knownContexts: loaded.contexts,
        servers: loaded.servers,
        allowExistingCluster: false,
        kubeconfigSource: loaded.source,
      }),
    )
    expect(error.message).toBe(
      "refusing to change context 'kind-istio-conformance': its API server https://10.0.0.5:6443 is not on this machine's loopback interface, so it is not the suite's kind cluster",
    )
    expect(error.fix).toContain('--context kind-istio-conformance --allow-existing-cluster')
  })

  it('says so when a context names a cluster the kubeconfig does not define', () => {
    const path = writeRaw(
      `apiVersion: v1\nkind: Config\ncurrent-context: ${OWN}\ncontexts:\n- name: ${OWN}\n  context: {cluster: gone, user: u}\nusers:\n- name: u\n  user: {token: t}\n`,
    )
    const loaded = loadKubeConfig(path)
    const error = catchUsage(() =>
      guardContext({
        clusterName: 'istio-conformance',
        requestedContext: undefined,
        currentContext: loaded.currentContext,
        knownContexts: loaded.contexts,
        servers: loaded.servers,
        allowExistingCluster: false,
        kubeconfigSource: loaded.source,
      }),
    )
    expect(error.message).toBe(`context '${OWN}' in ${path} names a cluster the kubeconfig does not define`)
  })

  it('reports an unknown --context with the contexts that exist', () => {
    const result = guardFromFile({ currentContext: OWN, contexts: [OWN] }, { context: 'nope' }) as UsageError
    expect(result.message).toContain("context 'nope' is not defined")
    expect(result.message).toContain(OWN)
  })
})

function catchUsage(f: () => unknown): UsageError {
  try {
    f()
  } catch (error) {
    if (error instanceof UsageError) return error
    throw error
  }
  throw new Error('expected a UsageError')
}

describe('loadKubeConfig', () => {
  it('turns a malformed file into a one-line UsageError naming the file', () => {
    const path = writeRaw('apiVersion: v1\ncontexts: [unclosed\n')
    expect(() => loadKubeConfig(path)).toThrow(UsageError)
    try {
      loadKubeConfig(path)
    } catch (error) {
      expect((error as UsageError).message).toContain(`malformed kubeconfig ${path}`)
      expect((error as UsageError).message).not.toContain('\n')
    }
  })

  it('rejects a structurally broken file (context without a name)', () => {
    expect(() => loadKubeConfig(writeRaw('contexts:\n- context: {cluster: c}\n'))).toThrow(
      /malformed kubeconfig/,
    )
  })

  it('rejects a --kubeconfig path that does not exist', () => {
    expect(() => loadKubeConfig('/nonexistent/kubeconfig')).toThrow(/does not exist/)
  })

  it('merges $KUBECONFIG path lists with the first file winning the current context', () => {
    const a = writeKubeconfig({ currentContext: 'a', contexts: ['a'] })
    const b = writeKubeconfig({ currentContext: 'b', contexts: ['b'] })
    const loaded = loadKubeConfig(undefined, { KUBECONFIG: `${a}:${b}` })
    expect(loaded.currentContext).toBe('a')
    expect(loaded.contexts).toEqual(['a', 'b'])
  })

  it('says there is no kubeconfig at all, naming the paths and the command that writes one', () => {
    const error = catchUsage(() => loadKubeConfig(undefined, { HOME: '/nonexistent-home' }))
    expect(error.message).toBe('no kubeconfig: /nonexistent-home/.kube/config does not exist')
    expect(error.fix).toContain('npm run conformance -- up')
  })

  it('says an empty kubeconfig is empty', () => {
    const path = writeRaw('  \n')
    expect(catchUsage(() => loadKubeConfig(path)).message).toBe(`kubeconfig ${path} is empty`)
  })

  it("lists each context's API server", () => {
    const path = writeKubeconfig({
      contexts: [OWN, 'prod'],
      servers: { [OWN]: 'https://127.0.0.1:41000', prod: 'https://prod.example:6443' },
    })
    expect(loadKubeConfig(path).servers).toEqual({
      [OWN]: 'https://127.0.0.1:41000',
      prod: 'https://prod.example:6443',
    })
  })
})
