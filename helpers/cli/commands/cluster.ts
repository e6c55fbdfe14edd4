import { join } from 'node:path'
import { createClusterApi } from '../../../cluster/api-adapter.js'
import { createClusterCli } from '../../../cluster/cli-adapter.js'
import { profileFor } from '../../../cluster/istio-releases.js'
import { DEFAULT_PROFILE, type Profile, resolveProfile } from '../../../cluster/profiles.js'
import { resolveClusterTools, resolveTool } from '../../../cluster/resolve-tools.js'
import { hostPlatform } from '../../../cluster/tools.js'
import { down, type UpResult, up, upTimingsReport } from '../../../cluster/up.js'
import { UsageError } from '../../errors.js'
import { KubeClient } from '../../kube/client.js'
import { suiteContextName } from '../../kube/context-guard.js'
import { loadKubeConfig } from '../../kube/kubeconfig.js'
import { Phases, type PhaseTiming } from '../../progress.js'
import { REPORTS_DIR, stamp } from '../../runner/paths.js'
import { ingressTarget, realLabAdapters } from '../../runner/real-lab.js'
import { execTool } from '../../system/exec.js'
import { writeJson } from '../../system/json-file.js'
import type { ParsedArgs } from '../args.js'
import { journalFor, replayJournal } from './connect.js'

async function requireDocker(): Promise<void> {
  const docker = await execTool('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 })
  if (docker.exitCode !== 0) {
    throw new UsageError(
      `Docker daemon not reachable: ${(docker.stderr.trim().split('\n')[0] ?? '') || `docker exited ${docker.exitCode}`}`,
      "start Docker and check with 'npm run conformance -- doctor'",
    )
  }
}

/**
 * `up`: the suite's own cluster only. The context is derived from --name (kind-<name>),
 * never taken from the kubeconfig, so `up` cannot touch another cluster.
 */
export async function upCommand(
  args: ParsedArgs,
  out: (line: string) => void,
): Promise<UpResult & { timings: readonly PhaseTiming[] }> {
  const profile = profileFor(args.values)
  const name = args.values.name as string
  const kubeconfig = args.values.kubeconfig
  const context = suiteContextName(name)
  const platform = hostPlatform()
  await requireDocker()
  const phases = new Phases(out)
  const startedAt = new Date()
  let result: UpResult | undefined
  let failure: string | undefined
  try {
    const { paths, resolved } = await phases.run(
      'tools',
      `kind ${profile.kind.version}, istioctl ${profile.istio.version}, helm ${profile.helm.version}`,
      () => resolveClusterTools(profile, platform),
    )
    for (const [tool, r] of Object.entries(resolved))
      out(`           ${tool} ${r.version} from ${r.source === 'path' ? 'PATH' : r.path}`)
    const client = () => new KubeClient(loadKubeConfig(kubeconfig).kubeConfig, context)
    const journal = () => journalFor(context, loadKubeConfig(kubeconfig).servers[context] ?? '')
    result = await up(profile, name, {
      cli: createClusterCli(paths, { profile, context, kubeconfig }),
      api: async () => createClusterApi(client()),
      phases,
      // kind has just written the context (kind export kubeconfig): it points at this cluster.
      recover: () =>
        replayJournal(
          journal(),
          realLabAdapters(client(), ingressTarget('127.0.0.1:30000'), () => undefined).cluster,
          out,
        ),
      created: () => {
        const old = journal()
        if (old.entries().length === 0) return
        out(
          `journal ${old.location}: ${old.entries().length} entries belonged to a cluster that no longer exists`,
        )
        old.reset()
      },
    })
    out(summaryLine(result, profile, name))
    // Without the starts: run.json's schema describes upTimings as phase, seconds, outcome, detail.
    return { ...result, timings: phases.timings }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error)
    throw error
  } finally {
    out('')
    // Every phase with its start, the critical path marked and named: the phases that decided
    // how long up took (cluster/up-phases.ts).
    const report = upTimingsReport(phases.spans)
    out(report.text)
    const file = join(REPORTS_DIR, `up-${stamp(startedAt)}-${profile.name}.json`)
    await writeJson(file, {
      command: 'up',
      cluster: name,
      context,
      profile: profile.name,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      decision: result?.decision,
      record: result?.record,
      failure,
      phases: phases.spans,
      criticalPath: report.criticalPath,
    })
    out(`timings written to ${file}`)
  }
}

function summaryLine(result: UpResult, profile: Profile, name: string): string {
  const what = {
    create: 'created',
    verified: 'verified (already healthy, nothing changed)',
    repair: 'repaired',
    refuse: 'refused',
  }[result.decision.action]
  return `cluster '${name}' ${what}: Istio ${profile.istio.version}, Kubernetes ${profile.kind.kubernetesVersion}, ingress http://127.0.0.1:30000 (send a Host header)`
}

/** `down`: deletes the suite's kind cluster by name and nothing else. */
export async function downCommand(args: ParsedArgs, out: (line: string) => void): Promise<void> {
  const name = args.values.name as string
  const profile = resolveProfile(DEFAULT_PROFILE)
  await requireDocker()
  const kind = await resolveTool('kind', profile, hostPlatform())
  const cli = createClusterCli(
    { kind: kind.path, istioctl: 'istioctl', helm: 'helm', docker: 'docker', istioDir: '' },
    { profile, context: suiteContextName(name), kubeconfig: args.values.kubeconfig },
  )
  out(
    (await down(name, cli))
      ? `deleted kind cluster '${name}'`
      : `no kind cluster named '${name}': nothing to delete`,
  )
}
