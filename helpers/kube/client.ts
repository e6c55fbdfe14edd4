import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1ConfigMap,
} from '@kubernetes/client-node'
import { parseAllDocuments } from 'yaml'
import { type Clock, type PollResult, pollUntil } from '../poll.js'
import { deploymentRollout, podStates, recentWarnings } from './readiness.js'

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

  constructor(
    readonly kubeConfig: KubeConfig,
    readonly context: string,
    private readonly clock?: Clock,
  ) {
    kubeConfig.setCurrentContext(context)
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig)
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

  async configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    return this.read<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace })
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
