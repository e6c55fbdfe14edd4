import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node'
import { stringify } from 'yaml'
import { TOOLS_DIR } from '../../cluster/resolve-tools.js'
import { ISTIOD_REF, istiodFacts } from '../istiod.js'
import { chooseApiVersion } from '../kube/api-versions.js'
import type { KubeClient } from '../kube/client.js'
import { describeError } from '../kube/describe-error.js'
import { type AnalyzeReport, analyzeArgs, chooseIstioctl, parseAnalyzeJson } from '../learn/analyze.js'
import { type ExecResult, execTool } from '../system/exec.js'
import { versionOnPath } from '../system/tool-version.js'
import type { DiagnosticsSource } from './diagnostics.js'

/** The kinds whose state explains a routing failure. */
const KINDS: readonly [group: string, kind: string][] = [
  ['networking.istio.io', 'VirtualService'],
  ['networking.istio.io', 'DestinationRule'],
  ['networking.istio.io', 'Gateway'],
  ['networking.istio.io', 'ServiceEntry'],
  ['networking.istio.io', 'Sidecar'],
  ['telemetry.istio.io', 'Telemetry'],
]

/** Runs an external tool with its arguments as an array (execTool; a recording one in tests). */
export type RunTool = (
  command: string,
  args: readonly string[],
  options?: { timeoutMs?: number },
) => Promise<ExecResult>

/**
 * The istioctl to analyze with, without downloading anything: the pinned one in .tools/ of the
 * cluster's Istio version, else istioctl on PATH, else the newest in .tools/ (analyze reads
 * configuration; a neighbouring version says nearly the same). Undefined: none here.
 */
export async function locateIstioctl(
  istioVersion: string,
  toolsDir = TOOLS_DIR,
): Promise<string | undefined> {
  const installed = existsSync(toolsDir)
    ? readdirSync(toolsDir)
        .map((d) => /^istio-(\d+\.\d+\.\d+)$/.exec(d)?.[1])
        .filter((v): v is string => v !== undefined)
        .map((version) => ({ version, path: join(toolsDir, `istio-${version}`, 'bin', 'istioctl') }))
        .filter((c) => existsSync(c.path))
    : []
  return chooseIstioctl({ wanted: istioVersion, onPath: await versionOnPath('istioctl'), installed })
}

export const NO_ISTIOCTL = 'no istioctl on PATH or in .tools/'

/**
 * `istioctl analyze -n <namespace> -o json` on one context: its messages, or why there are none
 * to show (no istioctl, a failure, output that is not its JSON). Never throws.
 */
export async function istioctlAnalyze(options: {
  readonly istioctl: string | undefined
  readonly namespace: string
  readonly context: string
  readonly kubeconfig?: string
  readonly run?: RunTool
}): Promise<AnalyzeReport> {
  if (!options.istioctl) return { kind: 'unavailable', reason: NO_ISTIOCTL }
  const run = options.run ?? execTool
  try {
    const out = await run(
      options.istioctl,
      analyzeArgs(options.namespace, options.context, options.kubeconfig),
      {
        timeoutMs: 90_000,
      },
    )
    const firstLine = (text: string) => text.trim().split('\n')[0] ?? ''
    if (out.exitCode !== 0)
      return {
        kind: 'failed',
        reason: `exit ${out.exitCode}: ${firstLine(out.stderr || out.stdout).slice(0, 200)}`,
      }
    const parsed = parseAnalyzeJson(out.stdout)
    if ('problem' in parsed)
      return {
        kind: 'failed',
        reason: `${parsed.problem}${out.stderr.trim() ? ` (${firstLine(out.stderr).slice(0, 200)})` : ''}`,
      }
    return { kind: 'messages', messages: parsed, tool: options.istioctl }
  } catch (error) {
    return { kind: 'failed', reason: describeError(error) }
  }
}

export interface DiagnosticsOptions {
  /** The kubeconfig the run used when given by --kubeconfig (istioctl reads $KUBECONFIG otherwise). */
  readonly kubeconfig?: string
  /** How istioctl is found, and run (tests: recording executables). */
  readonly istioctl?: (istioVersion: string) => Promise<string | undefined>
  readonly run?: RunTool
}

/** Diagnostics read from the cluster through the suite's client. */
export function clusterDiagnostics(client: KubeClient, options: DiagnosticsOptions = {}): DiagnosticsSource {
  return {
    async analyze(namespace) {
      const istiod = istiodFacts(await client.read<V1Deployment>(ISTIOD_REF).catch(() => undefined))
      return istioctlAnalyze({
        istioctl: await (options.istioctl ?? locateIstioctl)(istiod.version),
        namespace,
        context: client.context,
        ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.run ? { run: options.run } : {}),
      })
    },
    async istioResources(namespace) {
      const served = await client.servedKinds()
      const docs: string[] = []
      const kinds = [
        ...KINDS.map(([g, k]) => [chooseApiVersion(served, g, k), k] as const),
        ['flagger.app/v1beta1', 'Canary'] as const,
      ]
      for (const [apiVersion, kind] of kinds) {
        if (!apiVersion) continue
        const list = await client
          .list(apiVersion, kind, namespace)
          .catch((e: unknown) => [{ kind, error: String(e) }] as unknown as KubernetesObject[])
        for (const obj of list) {
          // List items come without apiVersion and kind; put them first, as manifests read.
          const {
            apiVersion: _v,
            kind: _k,
            metadata: rawMetadata,
            ...rest
          } = obj as KubernetesObject & Record<string, unknown>
          const { managedFields: _m, ...metadata } = (rawMetadata ?? {}) as Record<string, unknown>
          docs.push(stringify({ apiVersion, kind, metadata, ...rest }))
        }
      }
      return docs.join('---\n') || '# no Istio or Flagger resources in the namespace\n'
    },
    async proxyRoutes(namespace, labelSelector) {
      const pods = await client.core.listNamespacedPod({ namespace, labelSelector })
      const pod = pods.items.find((p) => p.status?.phase === 'Running')?.metadata?.name
      if (!pod) throw new Error(`no running pod matches ${labelSelector} in ${namespace}`)
      const r = await client.exec(namespace, pod, 'istio-proxy', [
        'pilot-agent',
        'request',
        'GET',
        'config_dump',
      ])
      const dump = JSON.parse(r.stdout) as { configs?: { '@type'?: string }[] }
      const routes = (dump.configs ?? []).filter((c) => String(c['@type']).endsWith('RoutesConfigDump'))
      return `${JSON.stringify({ pod, configs: routes }, null, 2)}\n`
    },
    async events(namespace) {
      const list = await client.core.listNamespacedEvent({ namespace })
      return list.items
        .map((e) => ({
          at: new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? 0).toISOString(),
          e,
        }))
        .sort((a, b) => (a.at < b.at ? -1 : 1))
        .map(
          ({ at, e }) =>
            `${at} ${e.type ?? ''} ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason ?? ''}: ${(e.message ?? '').trim()}`,
        )
        .join('\n')
    },
    async tail(query, lines) {
      const pods = await client.core.listNamespacedPod({
        namespace: query.namespace,
        labelSelector: query.labelSelector,
      })
      const out: { pod: string; text: string }[] = []
      for (const p of pods.items) {
        const name = p.metadata?.name ?? ''
        const text = await client.core.readNamespacedPodLog({
          name,
          namespace: query.namespace,
          container: query.container,
          tailLines: lines,
          timestamps: true,
        })
        out.push({ pod: name, text })
      }
      return out
    },
  }
}
