import { KubeConfig, type KubernetesObject, type RequestContext } from '@kubernetes/client-node'
import { SuiteError } from '../errors.js'
import { type ExecResult, KubeClient, type ObjectRef } from './client.js'

/**
 * A Kubernetes client that cannot change a cluster: for `check`, which works on any context a
 * learner names without an opt-in, because it never writes. Enforced twice, in the adapter:
 *
 * - the client's own mutating methods (apply, applyYaml, applyServed, delete, deleteAndWaitGone)
 *   refuse before anything is sent, and `exec` runs only the read commands `check` needs;
 * - underneath, its KubeConfig refuses every request that is not a GET before it leaves the
 *   process (create, update, patch, delete, deletecollection, evictions, any POST/PUT/PATCH/DELETE
 *   of the generated APIs, `core` and `apps` included), and opens a WebSocket (exec, attach,
 *   port-forward) only for an exec the client allowed.
 */
export class ReadOnlyError extends SuiteError {
  constructor(what: string) {
    super(`refused: ${what} would change the cluster, and this client only reads`, 2)
  }
}

/**
 * The only commands `check` runs in a container, as the book reads Envoy's state (`istioctl
 * proxy-config` does the same through the admin API): the config dump of an istio-proxy.
 */
export const READ_ONLY_EXEC: readonly { readonly container: string; readonly command: readonly string[] }[] =
  [{ container: 'istio-proxy', command: ['pilot-agent', 'request', 'GET', 'config_dump'] }]

/** Whether a command in a container is one of the allowed reads. Pure. */
export function execAllowed(container: string, command: readonly string[]): boolean {
  return READ_ONLY_EXEC.some(
    (e) =>
      e.container === container &&
      e.command.length === command.length &&
      e.command.every((w, i) => command[i] === w),
  )
}

/** HTTP methods that only read. HEAD and OPTIONS change nothing either, but no API here sends them. */
const READ_METHODS = new Set(['GET'])

/** A KubeConfig whose every request is checked before it is sent. */
export class ReadOnlyKubeConfig extends KubeConfig {
  /** WebSockets the client has allowed and not yet opened (one token per allowed exec). */
  private readonly permits = new Set<object>()

  static from(source: KubeConfig): ReadOnlyKubeConfig {
    const copy = new ReadOnlyKubeConfig()
    copy.loadFromOptions({
      clusters: source.getClusters(),
      users: source.getUsers(),
      contexts: source.getContexts(),
      currentContext: source.getCurrentContext(),
    })
    return copy
  }

  /** Every request of the generated APIs (core, apps, custom objects, KubernetesObjectApi). */
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const method = String(context.getHttpMethod()).toUpperCase()
    if (!READ_METHODS.has(method)) throw new ReadOnlyError(`${method} ${new URL(context.getUrl()).pathname}`)
    return super.applySecurityAuthentication(context)
  }

  /** Streams and WebSockets (exec, attach, port-forward, log follow) set their options here. */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    const method = (opts as { method?: string }).method
    if (method !== undefined) {
      if (!READ_METHODS.has(method.toUpperCase())) throw new ReadOnlyError(`${method} stream`)
    } else {
      // No method: a WebSocket upgrade. Only an exec the client allowed may open one.
      const token = this.permits.values().next().value
      if (token === undefined) throw new ReadOnlyError('a WebSocket (exec, attach or port-forward)')
      this.permits.delete(token)
    }
    return super.applyToHTTPSOptions(opts)
  }

  /** The client allows one WebSocket for an exec it has checked; `revoke` withdraws it if unused. */
  permitOneWebSocket(): { revoke: () => void } {
    const token = {}
    this.permits.add(token)
    // Opened or not, the permit is gone once the exec is over.
    return { revoke: () => this.permits.delete(token) }
  }
}

export class ReadOnlyKubeClient extends KubeClient {
  private readonly guard: ReadOnlyKubeConfig

  constructor(kubeConfig: KubeConfig, context: string) {
    const guard = ReadOnlyKubeConfig.from(kubeConfig)
    super(guard, context)
    this.guard = guard
  }

  override async apply(_objects: readonly KubernetesObject[]): Promise<KubernetesObject[]> {
    throw new ReadOnlyError('apply (server-side apply, a PATCH)')
  }

  override async applyYaml(_text: string): Promise<KubernetesObject[]> {
    throw new ReadOnlyError('apply')
  }

  override async applyServed(_objects: readonly KubernetesObject[]): Promise<KubernetesObject[]> {
    throw new ReadOnlyError('apply')
  }

  override async delete(ref: ObjectRef): Promise<boolean> {
    throw new ReadOnlyError(`delete ${ref.kind}/${ref.name}`)
  }

  override async deleteAndWaitGone(refs: readonly ObjectRef[], _timeoutMs: number): Promise<void> {
    throw new ReadOnlyError(`delete ${refs.map((r) => `${r.kind}/${r.name}`).join(', ')}`)
  }

  /** Runs a command only when it is one of READ_ONLY_EXEC; anything else is refused unsent. */
  override async exec(
    namespace: string,
    pod: string,
    container: string,
    command: readonly string[],
    timeoutMs?: number,
  ): Promise<ExecResult> {
    if (!execAllowed(container, command))
      throw new ReadOnlyError(
        `exec ${JSON.stringify([...command])} in ${pod}/${container} (not a read this client knows)`,
      )
    const permit = this.guard.permitOneWebSocket()
    try {
      return await super.exec(namespace, pod, container, command, timeoutMs)
    } finally {
      permit.revoke()
    }
  }
}
