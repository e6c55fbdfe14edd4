import { connect } from 'node:net'
import { SCENARIO_IDS, SCENARIOS } from '../../../suites/index.js'
import { ALLOWED_LABELS, BLOCKED_LABELS } from '../../../suites/shared.js'
import { choices, SuiteError, UsageError } from '../../errors.js'
import type { Evidence } from '../../evidence/index.js'
import type { Target } from '../../http/target.js'
import { localizeCause } from '../../i18n/causes.js'
import { chooseLang, type Lang } from '../../i18n/lang.js'
import { type MessageKey, t, type Vars } from '../../i18n/messages.js'
import type { KubeClient } from '../../kube/client.js'
import { describeError } from '../../kube/describe-error.js'
import { loadKubeConfig } from '../../kube/kubeconfig.js'
import { checkReachable } from '../../kube/reachability.js'
import { ReadOnlyKubeClient, ReadOnlyKubeConfig } from '../../kube/read-only.js'
import { type AnalyzeReport, sortMessages } from '../../learn/analyze.js'
import { type ClusterNames, forCluster } from '../../learn/commands.js'
import { describeStep, stepLabel } from '../../learn/describe.js'
import {
  deriveExpectations,
  EDGE_HOST,
  type Expectation,
  OUTSIDE_HOST,
  tableHolds,
  type Unmeasured,
} from '../../learn/expect.js'
import { findMistakes, type IngressFacts, type Mistake } from '../../learn/mistakes.js'
import type { LabSnapshot } from '../../learn/snapshot.js'
import { buildSteps, liveState, type Recognition, recognise, type StepSetSource } from '../../learn/steps.js'
import { loadManifest } from '../../manifests/load.js'
import { BOOK_NAMESPACE as NAMESPACE } from '../../manifests/namespace.js'
import {
  istioctlAnalyze,
  locateIstioctl,
  NO_ISTIOCTL,
  type RunTool,
} from '../../report/diagnostics-source.js'
import type { CheckResult } from '../../report/model.js'
import type { CheckSpec, ScenarioDefinition } from '../../runner/define.js'
import { Lab, type LabAdapters, type Measurement } from '../../runner/lab.js'
import { ingressTarget, realLabAdapters } from '../../runner/real-lab.js'
import type { Timeouts } from '../../runner/timeouts.js'
import { NO_FOOTPRINT } from '../../schedule/concurrent.js'
import { ONLY_ONE_VERSION, observed, shareOf } from '../../stats/check-designs.js'
import { percent } from '../../text/format.js'
import type { ParsedArgs } from '../args.js'
import { INGRESS_SELECTOR, readSnapshot } from './check-snapshot.js'

/**
 * `check [scenario-id...]`: observe a learner's lab without touching it. Reads the lab
 * namespace through the read-only client, recognises the chapter-5 step it is at (or the
 * closest), names the typical mistakes, shows what `istioctl analyze` says, derives the
 * behaviour the live objects imply and measures it through the ingress with the statistics of
 * `run` (the Lab's own measuring, over a cluster adapter that refuses every change). Exit 0:
 * the behaviour matches the live configuration and the recognised step; 1: it does not, or the
 * cluster is at no step; 2: it cannot tell (no lab namespace, nothing measurable, no ingress).
 */

export interface CheckDeps {
  /** The Lab's adapters over the read-only client and the ingress (tests: an in-memory lab). */
  readonly adapters: (client: KubeClient, ingress: string, log: (line: string) => void) => LabAdapters
  /** Whether the ingress address accepts a connection. */
  readonly probeIngress: (target: Target) => Promise<{ reachable: boolean; reason?: string }>
  readonly istioctl: (istioVersion: string) => Promise<string | undefined>
  readonly run?: RunTool
  readonly env: Readonly<Record<string, string | undefined>>
  readonly timeouts?: Partial<Timeouts>
}

/** A TCP connection to the ingress, with a deadline: is anything listening where the probes go? */
export function tcpProbe(
  target: Target,
  timeoutMs = 3_000,
): Promise<{ reachable: boolean; reason?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.address, port: target.port })
    const done = (result: { reachable: boolean; reason?: string }) => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () =>
      done({ reachable: false, reason: `no connection within ${timeoutMs} ms` }),
    )
    socket.once('connect', () => done({ reachable: true }))
    socket.once('error', (e) => done({ reachable: false, reason: describeError(e) }))
  })
}

export const DEFAULT_CHECK_DEPS: CheckDeps = {
  adapters: (client, ingress, log) => {
    // The real adapters over the read-only client, without the one that starts a container.
    const { startStandIn: _none, ...adapters } = realLabAdapters(client, ingressTarget(ingress), log)
    return adapters
  },
  probeIngress: (target) => tcpProbe(target),
  istioctl: (version) => locateIstioctl(version),
  env: process.env,
}

/** The registry's steps, with their manifests loaded (only the selected scenarios, when given). */
export function registrySteps(ids: readonly string[] = []) {
  const scenarios = SCENARIOS.filter((s) => ids.length === 0 || ids.includes(s.id)).map((s) => ({
    scenario: { id: s.id, title: s.title, section: s.section, observation: s.observation },
    sets: s.manifestSets.map(
      (set): StepSetSource => ({
        name: set.name,
        files: set.files,
        ...(set.outboundPolicy ? { outboundPolicy: set.outboundPolicy } : {}),
        objects: set.files.flatMap((f) => loadManifest(f)) as unknown as StepSetSource['objects'],
      }),
    ),
  }))
  return buildSteps(scenarios, NAMESPACE)
}

function validateIds(ids: readonly string[]): void {
  const unknown = ids.filter((id) => !SCENARIO_IDS.includes(id))
  if (unknown.length)
    throw new UsageError(
      `unknown scenario ${unknown.map((u) => `'${u}'`).join(', ')}`,
      `valid scenario ids: ${choices(SCENARIO_IDS)} (see 'run --list')`,
    )
}

/** A derived check's request, in words. */
function requestText(lang: Lang, e: Expectation & { kind: 'routing' | 'mirror' }): string {
  const base =
    e.entry === 'edge' ? t(lang, 'check.request.edge', { host: EDGE_HOST }) : t(lang, 'check.request.mesh')
  const header = e.kind === 'routing' ? e.variant.header : undefined
  return header
    ? t(lang, 'check.request.header', { request: base, name: header.name, value: header.value })
    : base
}

/** What a derived check proves, in a language. */
export function provesOf(lang: Lang, e: Expectation): string {
  switch (e.kind) {
    case 'routing':
      return e.outcome.kind === 'only'
        ? t(lang, 'check.proves.only', { request: requestText(lang, e), version: e.outcome.version })
        : t(lang, 'check.proves.share', {
            request: requestText(lang, e),
            share: e.outcome.kind === 'share' ? percent(e.outcome.p0) : '',
          })
    case 'mirror':
      return t(lang, 'check.proves.mirror', { target: e.to.subset ?? e.to.host })
    case 'route-order':
      return t(lang, e.expectHeaderFirst ? 'check.proves.order.first' : 'check.proves.order.reversed', {
        name: e.header.name,
        exact: e.header.exact,
      })
    case 'egress':
      return t(lang, e.blocked ? 'check.proves.egress.blocked' : 'check.proves.egress.allowed')
  }
}

/** A derived check's hint, naming the command that shows the evidence. */
export function hintOf(lang: Lang, e: Expectation): string {
  switch (e.kind) {
    case 'routing':
      return t(lang, e.entry === 'edge' ? 'check.hint.edge' : 'check.hint.mesh', {
        virtualService: e.resolution.virtualService ?? '-',
      })
    case 'mirror':
      return t(lang, 'check.hint.mirror')
    case 'route-order':
      return t(lang, 'check.hint.order')
    case 'egress':
      return t(lang, e.blocked ? 'check.hint.egress.blocked' : 'check.hint.egress.allowed', {
        serviceEntry: e.serviceEntry ?? '-',
      })
  }
}

function designOf(e: Expectation) {
  if (e.kind === 'routing' && e.outcome.kind === 'share') return shareOf(e.outcome.p0)
  if (e.kind === 'route-order') return observed('route table')
  if (e.kind === 'mirror') return observed('mirror count (up to 1% lost)')
  return ONLY_ONE_VERSION
}

/** The Lab's view of the derived checks: a scenario with no manifests, only checks. */
function definitionOf(expectations: readonly Expectation[]): ScenarioDefinition {
  const checks: CheckSpec[] = expectations.map((e) => ({
    id: e.id,
    proves: provesOf('en', e),
    hint: hintOf('en', e),
    design: designOf(e),
  }))
  return {
    id: 'check',
    title: 'The live configuration, measured',
    section: '5',
    observation: 'the behaviour the live objects imply',
    manifestSets: [],
    without: [],
    checks,
    // Observe only: it changes nothing mesh-wide, and plan never schedules it.
    footprint: NO_FOOTPRINT,
    waits: { routeChanges: 0 },
    loadRps: 0,
    run: async () => undefined,
  }
}

/** Measures each expectation with the Lab's methods; never applies anything. */
async function measure(lab: Lab, expectations: readonly Expectation[], namespace: string): Promise<void> {
  const measured = new Map<string, Measurement>()
  for (const e of expectations) {
    switch (e.kind) {
      case 'routing': {
        if (e.outcome.kind === 'only') {
          const m = await lab.expectOnly(e.id, e.probe, e.outcome.version)
          if (m) measured.set(e.id, m)
        } else if (e.outcome.kind === 'share') {
          const table = e.table
          const headers = e.probe.headers ?? {}
          const gated = table
            ? await lab.awaitRoutes(
                e.id,
                table.query,
                `${table.query.routeName} holds the weights`,
                (routes) => {
                  const r = tableHolds(routes, headers, table.clusters)
                  return r.holds ? { done: true, value: true } : { done: false, state: r.seen }
                },
              )
            : true
          if (gated) measured.set(e.id, await lab.expectShare(e.id, e.probe, e.outcome.p0))
        }
        break
      }
      case 'mirror': {
        const m = measured.get(e.after)
        if (!m) {
          lab.record(e.id, { kind: 'unobserved', reason: `${e.after} measured nothing to mirror` })
          break
        }
        const calls = m.records.filter((r) => r.class !== 'error').length
        const selector = e.to.selector ?? ''
        const caller =
          e.entry === 'mesh'
            ? { namespace, labelSelector: 'app=webapp', container: 'istio-proxy' }
            : { namespace: 'istio-system', labelSelector: INGRESS_SELECTOR, container: 'istio-proxy' }
        await lab.observe(
          e.id,
          async (): Promise<Evidence> => {
            const [app, proxy, callerLog] = await Promise.all([
              lab.cluster.readLogs({ namespace, labelSelector: selector, container: 'catalog' }, m.window),
              lab.cluster.readLogs(
                { namespace, labelSelector: selector, container: 'istio-proxy' },
                m.window,
              ),
              lab.cluster.readLogs(caller, m.window),
            ])
            return {
              kind: 'mirror-count',
              calls,
              requestIds: m.records.map((r) => r.requestId),
              proxyLines: proxy.lines.map((l) => l.text),
              callerLines: callerLog.lines.map((l) => l.text),
              notBefore: m.window.since,
              appLines: app.lines.map((l) => l.text),
              tolerance: 0.01,
            }
          },
          { until: 'logLinesDelivered' },
        )
        break
      }
      case 'route-order':
        await lab.observe(e.id, async (): Promise<Evidence> => {
          const { pod, routes } = await lab.cluster.fetchRoutes(e.query)
          return {
            kind: 'route-order',
            pod,
            routeName: e.query.routeName,
            virtualHost: e.query.virtualHost,
            header: e.header,
            headerCluster: e.headerCluster,
            catchAllCluster: e.catchAllCluster,
            expectHeaderFirst: e.expectHeaderFirst,
            routes,
          }
        })
        break
      case 'egress':
        await lab.expectOnly(e.id, e.probe, 'v1', { labels: e.blocked ? BLOCKED_LABELS : ALLOWED_LABELS })
        break
    }
  }
}

// ---- rendering (pure)

function recognitionLines(lang: Lang, recognition: Recognition, namespace: string): string[] {
  if (recognition.kind === 'exact') {
    const m = recognition.match
    const lines = [t(lang, 'check.step', { step: describeStep(m.step, lang, namespace) })]
    if (recognition.sameAs.length)
      lines.push(t(lang, 'check.sameAs', { steps: recognition.sameAs.map((s) => s.id).join(', ') }))
    if (m.leftovers.length) lines.push(t(lang, 'check.leftovers', { objects: m.leftovers.join(', ') }))
    return lines
  }
  const lines = [t(lang, 'check.noStep', { namespace })]
  const closest = recognition.closest
  if (!closest) return [...lines, t(lang, 'check.noSteps')]
  lines.push(t(lang, 'check.closest', { step: stepLabel(closest.step, lang) }))
  for (const o of closest.objects) {
    if (o.state === 'missing')
      lines.push(
        t(lang, 'check.diff.missing', { kind: o.kind, name: o.name, files: closest.step.files.join(', ') }),
      )
    for (const d of o.differences)
      lines.push(
        t(lang, 'check.diff.differs', {
          kind: o.kind,
          name: o.name,
          path: d.path,
          live: d.live,
          step: d.step,
        }),
      )
  }
  if (closest.policyDiffers) lines.push(t(lang, 'check.diff.policy'))
  for (const u of closest.unknown) lines.push(t(lang, 'check.diff.unknown', { object: u }))
  return lines
}

function mistakeLines(lang: Lang, mistakes: readonly Mistake[], names: ClusterNames): string[] {
  if (mistakes.length === 0) return [t(lang, 'check.mistakes.none')]
  const lines = [t(lang, 'check.mistakes', { count: mistakes.length })]
  for (const m of mistakes) {
    const word = t(lang, m.severity === 'error' ? 'word.error' : 'word.warning')
    lines.push(`  ${word} ${t(lang, `mistake.${m.id}` as MessageKey, m.vars as Vars)}`)
    lines.push(
      t(lang, 'check.mistake.show', {
        command: forCluster(t(lang, `mistake.${m.id}.command` as MessageKey, m.vars as Vars), names),
      }),
    )
  }
  return lines
}

function analyzeLines(lang: Lang, report: AnalyzeReport, namespace: string): string[] {
  if (report.kind === 'unavailable')
    return [
      t(lang, 'check.analyze.unavailable', {
        reason: report.reason === NO_ISTIOCTL ? t(lang, 'check.analyze.noIstioctl') : report.reason,
      }),
    ]
  if (report.kind === 'failed') return [t(lang, 'check.analyze.failed', { reason: report.reason })]
  if (report.messages.length === 0) return [t(lang, 'check.analyze.clean', { namespace, tool: report.tool })]
  return [
    t(lang, 'check.analyze', { namespace, tool: report.tool }),
    ...sortMessages(report.messages).map(
      (m) => `  ${m.level} [${m.code}]${m.origin ? ` (${m.origin})` : ''} ${m.message}`,
    ),
  ]
}

function outcomeText(lang: Lang, e: Expectation & { kind: 'routing' }): string {
  return e.outcome.kind === 'only'
    ? t(lang, 'check.outcome.only', { version: e.outcome.version })
    : t(lang, 'check.outcome.share', { share: e.outcome.kind === 'share' ? percent(e.outcome.p0) : '' })
}

function expectationLines(
  lang: Lang,
  expectations: readonly Expectation[],
  unmeasured: readonly Unmeasured[],
  namespace: string,
): string[] {
  if (expectations.length === 0 && unmeasured.length === 0) return [t(lang, 'check.expected.none')]
  const lines = [t(lang, 'check.expected')]
  for (const e of expectations) {
    if (e.kind === 'routing') {
      const because =
        e.resolution.virtualService !== undefined && e.resolution.rule !== undefined
          ? t(lang, 'check.because.rule', {
              virtualService: e.resolution.virtualService,
              rule: e.resolution.rule + 1,
            })
          : t(lang, 'check.because.default')
      lines.push(
        t(lang, 'check.expect.line', {
          id: e.id,
          request: requestText(lang, e),
          outcome: outcomeText(lang, e),
          because,
        }),
      )
    } else if (e.kind === 'mirror')
      lines.push(
        t(lang, 'check.expect.mirror', {
          id: e.id,
          target: e.to.subset ?? e.to.host,
          pods: e.to.endpoints.map((p) => p.pod).join(', '),
        }),
      )
    else if (e.kind === 'route-order')
      lines.push(
        t(lang, 'check.expect.order', {
          id: e.id,
          virtualService: e.virtualService,
          first: e.expectHeaderFirst
            ? t(lang, 'check.order.header', { name: e.header.name, exact: e.header.exact })
            : t(lang, 'check.order.catchAll'),
        }),
      )
    else
      lines.push(
        e.blocked
          ? t(lang, 'check.expect.egress.blocked', { id: e.id, host: OUTSIDE_HOST })
          : t(lang, 'check.expect.egress.allowed', {
              id: e.id,
              host: OUTSIDE_HOST,
              serviceEntry: e.serviceEntry ?? '-',
            }),
      )
  }
  for (const u of unmeasured)
    lines.push(
      t(lang, `check.unmeasured.${u.why}` as MessageKey, {
        id: u.id,
        namespace,
        detail:
          u.why === 'unserved' && u.detail
            ? t(lang, `check.why.${u.detail}` as MessageKey)
            : (u.detail ?? ''),
      }),
    )
  return lines
}

function resultLines(
  lang: Lang,
  results: readonly CheckResult[],
  expectations: readonly Expectation[],
  names: ClusterNames,
): string[] {
  const lines: string[] = []
  for (const r of results) {
    const e = expectations.find((x) => x.id === r.check)
    lines.push(
      t(lang, 'check.result', {
        verdict: t(lang, r.passed ? 'word.pass' : 'word.fail'),
        id: r.check,
        cause: localizeCause(r.cause, lang),
      }),
    )
    if (e) lines.push(t(lang, 'check.result.proves', { proves: provesOf(lang, e) }))
    if (!r.passed && e) lines.push(t(lang, 'check.result.hint', { hint: forCluster(hintOf(lang, e), names) }))
  }
  return lines
}

/** The names the hints' commands need on this cluster: the context, and the gateway's namespace. */
function clusterNames(context: string, snapshot: LabSnapshot): ClusterNames {
  const ingress = snapshot.ingressServices[0]
  const target = ingress?.ports.find((p) => p.port === 80)?.targetPort
  return {
    context,
    ...(ingress ? { ingressNamespace: ingress.namespace } : {}),
    ...(target !== undefined ? { ingressRouteName: `http.${target}` } : {}),
  }
}

export async function checkCommand(
  args: ParsedArgs,
  out: (line: string) => void,
  deps: CheckDeps = DEFAULT_CHECK_DEPS,
): Promise<number> {
  const lang = chooseLang(args.values.lang, deps.env)
  validateIds(args.positionals)
  const ingress = args.values.ingress ?? '127.0.0.1:30000'
  const loaded = loadKubeConfig(args.values.kubeconfig)
  const context = args.values.context ?? loaded.currentContext
  if (!context || !loaded.contexts.includes(context))
    throw new UsageError(
      context
        ? `context '${context}' is not in the kubeconfig (${loaded.source})`
        : `the kubeconfig (${loaded.source}) has no current context`,
      `name one with --context NAME (known: ${choices(loaded.contexts) || 'none'})`,
    )
  if (!loaded.servers[context])
    throw new UsageError(
      `context '${context}' names a cluster the kubeconfig does not define`,
      'fix the kubeconfig',
    )
  // Even the reachability probe goes through the guarded configuration: GETs only.
  const reach = await checkReachable(ReadOnlyKubeConfig.from(loaded.kubeConfig), context)
  if (!reach.reachable)
    throw new UsageError(
      `cluster of context ${context} is unreachable at ${reach.server}: ${reach.reason}`,
      'check that the cluster is running and the kubeconfig is current',
    )
  const client = new ReadOnlyKubeClient(loaded.kubeConfig, context)
  const snapshot = await readSnapshot(client, NAMESPACE).catch((error: unknown) => {
    // Unreadable (RBAC, an API that fails): check cannot tell, which is exit 2.
    throw new SuiteError(
      `cannot read the lab in context ${context}: ${describeError(error)}`,
      2,
      'check that your user may get and list pods, Services and Istio objects in istioinaction',
    )
  })
  if (snapshot.namespaceLabels === undefined)
    throw new UsageError(
      t(lang, 'check.noNamespace', { namespace: NAMESPACE, context }),
      t(lang, 'check.noNamespaceFix', { namespace: NAMESPACE }),
    )
  out(
    t(lang, 'check.context', {
      context,
      server: reach.server,
      istio: snapshot.istioVersion,
      namespace: NAMESPACE,
    }),
  )
  const names = clusterNames(context, snapshot)

  const steps = registrySteps(args.positionals)
  const live = liveState(snapshot)
  const recognition = recognise(steps, live)
  for (const line of recognitionLines(lang, recognition, NAMESPACE)) out(line)
  if (live.policySource)
    out(
      t(lang, live.policySource === 'mesh' ? 'check.policy.mesh' : 'check.policy.sidecar', {
        namespace: NAMESPACE,
      }),
    )

  const target = ingressTarget(ingress)
  const probe = await deps.probeIngress(target)
  const facts: IngressFacts = {
    address: target.address,
    port: target.port,
    reachable: probe.reachable,
    ...(probe.reason ? { reason: probe.reason } : {}),
  }
  const mistakes = findMistakes(snapshot, facts)
  for (const line of mistakeLines(lang, mistakes, names)) out(line)
  // Mistakes that break routing as written (the ingress's own are judged by reachability below).
  const breaking = mistakes.filter((m) => m.severity === 'error' && !m.id.startsWith('ingress-'))

  const analyze = await istioctlAnalyze({
    istioctl: await deps.istioctl(snapshot.istioVersion),
    namespace: NAMESPACE,
    context,
    ...(args.values.kubeconfig ? { kubeconfig: args.values.kubeconfig } : {}),
    ...(deps.run ? { run: deps.run } : {}),
  })
  for (const line of analyzeLines(lang, analyze, NAMESPACE)) out(line)

  const { expectations, unmeasured } = deriveExpectations(snapshot)
  for (const line of expectationLines(lang, expectations, unmeasured, NAMESPACE)) out(line)

  const stepName = recognition.kind === 'exact' ? stepLabel(recognition.match.step, lang) : ''
  const closestName =
    recognition.kind === 'none' && recognition.closest ? stepLabel(recognition.closest.step, lang) : '-'
  if (expectations.length > 0 && !probe.reachable) {
    out(t(lang, 'check.cannotMeasure', { address: ingress }))
    if (recognition.kind === 'none') {
      out(t(lang, 'check.verdict.1.step', { step: closestName }))
      return 1
    }
    if (breaking.length > 0) {
      out(t(lang, 'check.verdict.1.mistakes', { count: breaking.length }))
      return 1
    }
    out(t(lang, 'check.verdict.2.ingress', { address: ingress }))
    return 2
  }
  let results: readonly CheckResult[] = []
  if (expectations.length > 0) {
    out(t(lang, 'check.measuring', { address: ingress }))
    const adapters = deps.adapters(client, ingress, () => undefined)
    const lab = new Lab(definitionOf(expectations), adapters, {
      bookTiming: false,
      egress: 'internet',
      existingCluster: true,
      ...(deps.timeouts ? { timeouts: deps.timeouts } : {}),
    })
    await measure(lab, expectations, NAMESPACE)
    results = lab.results
    for (const line of resultLines(lang, results, expectations, names)) out(line)
  }
  if (recognition.kind === 'none') {
    out(t(lang, 'check.verdict.1.step', { step: closestName }))
    return 1
  }
  const failed = results.filter((r) => !r.passed).length
  if (failed > 0) {
    out(t(lang, 'check.verdict.1.checks', { failed, total: results.length }))
    return 1
  }
  if (breaking.length > 0) {
    out(t(lang, 'check.verdict.1.mistakes', { count: breaking.length }))
    return 1
  }
  if (expectations.length === 0) {
    out(t(lang, 'check.verdict.2.nothing'))
    return 2
  }
  out(t(lang, 'check.verdict.0', { step: stepName }))
  return 0
}
