import { Writable } from 'node:stream'
import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  createConfiguration,
  Exec,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  type V1ConfigMap,
  type V1Status,
} from '@kubernetes/client-node'
import { parseAllDocuments } from 'yaml'
import { type Clock, type PollResult, pollUntil } from '../poll.js'
import {
  chooseApiVersion,
  REVERSIONED_GROUPS,
  type ServedKinds,
  withServedApiVersions,
} from './api-versions.js'
import { deploymentRollout, podStates, recentWarnings } from './readiness.js'

export interface ExecResult {
  readonly stdout: string
  readonly stderr: string
  /** The API server's V1Status for the command: Success, or Failure with the exit code. */
  readonly status: string
  readonly exitCode: number
}

/**
 * The messages of HTTP `Warning` headers (RFC 7234: `299 - "text"`, several joined by ", "),
 * as the API server sends admission webhooks' warnings. Pure.
 */
export function warningMessages(header: string | undefined): string[] {
  if (!header) return []
  return [...header.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) =>
    (m[1] as string).replace(/\\(.)/g, '$1'),
  )
}

/** KubernetesObjectApi on a configuration of our own, with the context's default namespace. */
class ObjectApi extends KubernetesObjectApi {
  static create(kubeConfig: KubeConfig, configuration: ConstructorParameters<typeof KubernetesObjectApi>[0]) {
    const api = new ObjectApi(configuration)
    api.setDefaultNamespace(kubeConfig)
    return api
  }
}

/** Field manager for server-side apply: the suite owns the fields it sets, and only those. */
export const FIELD_MANAGER = 'istio-traffic-conformance'

export interface ObjectRef {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace?: string
}

export function refOf(obj: KubernetesObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    name: obj.metadata?.name ?? '',
    ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
  }
}

/** Splits a multi-document YAML text into objects, skipping empty documents. Pure. */
export function parseManifests(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0]?.message ?? ''}`)
      return doc.toJS() as KubernetesObject | null
    })
    .filter((o): o is KubernetesObject => o !== null && typeof o === 'object' && Boolean(o.kind))
}

/**
 * The suite's only door to the Kubernetes API, bound to one (already guarded) context.
 * Thin: it sends requests and returns what the server said; decisions live in pure helpers.
 */
export class KubeClient {
  private readonly objects: KubernetesObjectApi
  readonly core: CoreV1Api
  readonly apps: AppsV1Api

  /** Warnings the API server sent with responses (admission webhooks warn without refusing). */
  private readonly warnings: string[] = []

  constructor(
    readonly kubeConfig: KubeConfig,
    readonly context: string,
    private readonly clock?: Clock,
  ) {
    kubeConfig.setCurrentContext(context)
    // As kubeConfig.makeApiClient builds it, plus a middleware that keeps Warning headers:
    // Istio's validation webhook warns about a VirtualService rule it will not translate.
    const server = kubeConfig.getCurrentCluster()?.server
    if (!server) throw new Error(`context ${context} has no cluster`)
    this.objects = ObjectApi.create(
      kubeConfig,
      createConfiguration({
        baseServer: new ServerConfiguration(server, {}),
        authMethods: { default: kubeConfig },
        promiseMiddleware: [
          {
            pre: async (request) => request,
            post: async (response) => {
              this.warnings.push(...warningMessages(response.headers.warning))
              return response
            },
          },
        ],
      }),
    )
    this.core = kubeConfig.makeApiClient(CoreV1Api)
    this.apps = kubeConfig.makeApiClient(AppsV1Api)
  }

  /** Server-side apply, forcing ownership of conflicting fields: the suite's manifests win. */
  async apply(objects: readonly KubernetesObject[]): Promise<KubernetesObject[]> {
    const applied: KubernetesObject[] = []
    for (const obj of objects) {
      applied.push(
        await this.objects.patch(
          obj,
          undefined,
          undefined,
          FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        ),
      )
    }
    return applied
  }

  /** The warnings received since the last call, oldest first. */
  takeWarnings(): string[] {
    return this.warnings.splice(0)
  }

  applyYaml(text: string): Promise<KubernetesObject[]> {
    return this.apply(parseManifests(text))
  }

  /** The object, or undefined when the server answers 404. */
  async read<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.objects.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      })) as T
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  /** Every object of a kind in a namespace (an empty list where the kind is not served). */
  async list(apiVersion: string, kind: string, namespace: string): Promise<KubernetesObject[]> {
    return (await this.objects.list(apiVersion, kind, namespace)).items
  }

  /** Deletes the object; absent is fine. Returns whether something was deleted. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.objects.delete({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      })
      return true
    } catch (error) {
      if (isNotFound(error)) return false
      throw error
    }
  }

  private served: ServedKinds | undefined

  /** For each Istio API group: the versions the server serves and the kinds in each. */
  async servedKinds(): Promise<ServedKinds> {
    if (this.served) return this.served
    const groups = await this.kubeConfig.makeApiClient(ApisApi).getAPIVersions()
    const custom = this.kubeConfig.makeApiClient(CustomObjectsApi)
    const served: Record<string, Record<string, string[]>> = {}
    for (const group of groups.groups) {
      if (!(REVERSIONED_GROUPS as readonly string[]).includes(group.name)) continue
      served[group.name] = {}
      for (const v of group.versions) {
        const resources = await custom.getAPIResources({ group: group.name, version: v.version })
        ;(served[group.name] as Record<string, string[]>)[v.version] = resources.resources
          .filter((r) => !r.name.includes('/'))
          .map((r) => r.kind)
      }
    }
    this.served = served
    return served
  }

  /** A reference at the newest apiVersion this server serves for its kind (Istio groups only). */
  async servedRef(ref: ObjectRef): Promise<ObjectRef> {
    const group = ref.apiVersion.split('/')[0] ?? ''
    if (!ref.apiVersion.includes('/') || !(REVERSIONED_GROUPS as readonly string[]).includes(group))
      return ref
    const chosen = chooseApiVersion(await this.servedKinds(), group, ref.kind)
    return chosen ? { ...ref, apiVersion: chosen } : ref
  }

  /** Applies objects with each Istio kind at the newest apiVersion this server serves. */
  async applyServed(objects: readonly KubernetesObject[]): Promise<KubernetesObject[]> {
    return this.apply(withServedApiVersions(objects, await this.servedKinds()))
  }

  /** Deletes the objects and waits until none of them can be read any more. */
  async deleteAndWaitGone(refs: readonly ObjectRef[], timeoutMs: number): Promise<void> {
    for (const ref of refs) await this.delete(ref)
    await pollUntil(
      `${refs.map((r) => `${r.kind}/${r.name}`).join(', ')} deleted`,
      async (): Promise<PollResult<true>> => {
        const left: string[] = []
        for (const ref of refs) if (await this.read(ref)) left.push(`${ref.kind}/${ref.name}`)
        return left.length
          ? { done: false, state: `still present: ${left.join(', ')}` }
          : { done: true, value: true }
      },
      { timeoutMs, intervalMs: 1_000, ...(this.clock ? { clock: this.clock } : {}) },
    )
  }

  /**
   * Waits until `judge` says the object (or its absence) is what the caller needs, e.g. a
   * Canary's status.phase; on timeout the judge's last state is in the message.
   */
  async waitFor<T extends KubernetesObject>(
    ref: ObjectRef,
    what: string,
    judge: (obj: T | undefined) => { done: boolean; state: string },
    timeoutMs: number,
    intervalMs = 2_000,
  ): Promise<T | undefined> {
    return pollUntil(
      what,
      async (): Promise<PollResult<T | undefined>> => {
        const obj = await this.read<T>(ref)
        const verdict = judge(obj)
        return verdict.done ? { done: true, value: obj } : { done: false, state: verdict.state }
      },
      { timeoutMs, intervalMs, ...(this.clock ? { clock: this.clock } : {}) },
    )
  }

  /** Runs a command in a container and collects its output (the API's exec subresource). */
  async exec(
    namespace: string,
    pod: string,
    container: string,
    command: readonly string[],
    timeoutMs = 60_000,
  ): Promise<ExecResult> {
    const out: Buffer[] = []
    const err: Buffer[] = []
    const sink = (into: Buffer[]) =>
      new Writable({
        write(chunk: Buffer, _enc, done) {
          into.push(chunk)
          done()
        },
      })
    const status = await new Promise<V1Status>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`exec ${command.join(' ')} in ${pod}/${container}: no result within ${timeoutMs} ms`),
          ),
        timeoutMs,
      )
      new Exec(this.kubeConfig)
        .exec(namespace, pod, container, [...command], sink(out), sink(err), null, false, (s) => {
          clearTimeout(timer)
          resolve(s)
        })
        .catch((error: unknown) => {
          clearTimeout(timer)
          reject(error)
        })
    })
    const exitCause = status.details?.causes?.find((c) => c.reason === 'ExitCode')
    return {
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      status: status.status ?? 'Unknown',
      exitCode: status.status === 'Success' ? 0 : Number(exitCause?.message ?? 1),
    }
  }

  async configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    return this.read<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace })
  }

  /** Waits until at least `min` pods match the selector and every matching pod is Ready. */
  async waitForPodsReady(
    namespace: string,
    labelSelector: string,
    timeoutMs: number,
    min = 1,
  ): Promise<void> {
    await pollUntil(
      `pods ${labelSelector} in ${namespace} ready`,
      async (): Promise<PollResult<true>> => {
        const pods = (await this.core.listNamespacedPod({ namespace, labelSelector })).items.filter(
          (p) => !p.metadata?.deletionTimestamp,
        )
        const ready = pods.filter((p) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        )
        if (pods.length >= min && ready.length === pods.length) return { done: true, value: true }
        return { done: false, state: `${ready.length}/${pods.length} ready: ${podStates(pods)}` }
      },
      { timeoutMs, intervalMs: 2_000, ...(this.clock ? { clock: this.clock } : {}) },
    )
  }

  /** Waits until every named Deployment has rolled out; on timeout says what each looked like. */
  async waitForDeployments(namespace: string, names: readonly string[], timeoutMs: number): Promise<void> {
    await pollUntil(
      `deployments ${names.join(', ')} in ${namespace} ready`,
      async (): Promise<PollResult<true>> => {
        const states: string[] = []
        let allReady = true
        for (const name of names) {
          const deploy = await this.read<import('@kubernetes/client-node').V1Deployment>({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name,
            namespace,
          })
          if (!deploy) {
            allReady = false
            states.push(`${name} absent`)
            continue
          }
          const rollout = deploymentRollout(deploy)
          allReady &&= rollout.ready
          if (!rollout.ready) {
            const selector = Object.entries(deploy.spec?.selector.matchLabels ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(',')
            const pods = await this.core.listNamespacedPod({ namespace, labelSelector: selector })
            states.push(`${rollout.state} [${podStates(pods.items)}]`)
          } else {
            states.push(rollout.state)
          }
        }
        if (allReady) return { done: true, value: true }
        const events = await this.core.listNamespacedEvent({ namespace })
        const warnings = recentWarnings(events.items)
        return { done: false, state: `${states.join('; ')}${warnings ? `; warnings: ${warnings}` : ''}` }
      },
      { timeoutMs, intervalMs: 2_000, ...(this.clock ? { clock: this.clock } : {}) },
    )
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404
}
