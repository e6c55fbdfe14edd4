import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type AnalyzeReport, sortMessages } from '../learn/analyze.js'
import type { LogQuery } from '../logs/reader.js'
import { terminalText } from '../text/escape.js'

/** What failure diagnostics are made of. Real: over KubeClient. Tests: a fake. */
export interface DiagnosticsSource {
  /** The namespace's Istio and Flagger resources as the cluster holds them, as YAML. */
  istioResources(namespace: string): Promise<string>
  /** A proxy's route configuration (Envoy RoutesConfigDump) as JSON. */
  proxyRoutes(namespace: string, labelSelector: string): Promise<string>
  /** The namespace's events, oldest first, one per line. */
  events(namespace: string): Promise<string>
  /** The last lines of each container a query names. */
  tail(query: LogQuery, lines: number): Promise<{ pod: string; text: string }[]>
  /** What `istioctl analyze -n <namespace>` says, beside the behaviour; absent where it cannot run. */
  analyze?(namespace: string): Promise<AnalyzeReport>
}

export const DIAGNOSTICS_CAP_BYTES = 512 * 1024

/** Keeps the end of a text within the cap (the newest lines matter most), saying what was cut. Pure. */
export function capText(text: string, capBytes = DIAGNOSTICS_CAP_BYTES): string {
  const bytes = Buffer.byteLength(text)
  if (bytes <= capBytes) return text
  const marker = `[truncated: kept the last ${capBytes} of ${bytes} bytes]\n`
  const buf = Buffer.from(text)
  return marker + buf.subarray(bytes - capBytes + Buffer.byteLength(marker)).toString('utf8')
}

/**
 * analyze's report as a file a person reads: one line per message, worst first, then the JSON
 * istioctl gave (for a tool); or why it did not run. Pure.
 */
export function analyzeLines(report: AnalyzeReport): string {
  if (report.kind === 'unavailable') return `istioctl analyze: not run (${report.reason})\n`
  if (report.kind === 'failed') return `istioctl analyze failed: ${report.reason}\n`
  const lines = sortMessages(report.messages).map(
    (m) => `${m.level} [${m.code}]${m.origin ? ` (${m.origin})` : ''} ${m.message}`,
  )
  return `# istioctl analyze -n <namespace> -o json (${report.tool})\n${lines.join('\n') || 'no validation issues'}\n\n${JSON.stringify(report.messages, null, 2)}\n`
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_')

/**
 * Diagnostics are read with `cat` and `less`: what the cluster said is kept line for line, but
 * without escape sequences or control characters that would act on the reader's terminal.
 */
const inert = (text: string) => terminalText(text, { multiline: true })
const message = (error: unknown) => `${inert(error instanceof Error ? error.message : String(error))}\n`

/**
 * Writes a failed scenario's diagnostics into `dir`: its resources, the ingress gateway's and
 * webapp's routes, the namespace's events, and the last lines of every container its checks
 * read. Each file is capped; a part that cannot be collected is written as `<part>.error.txt`
 * instead of stopping the rest. Returns the files written, relative to `dir`.
 */
export async function writeDiagnostics(
  dir: string,
  source: DiagnosticsSource,
  namespace: string,
  logQueries: readonly LogQuery[],
  capBytes = DIAGNOSTICS_CAP_BYTES,
): Promise<string[]> {
  await mkdir(join(dir, 'logs'), { recursive: true })
  const written: string[] = []
  const save = async (name: string, produce: () => Promise<string>) => {
    try {
      await writeFile(join(dir, name), capText(inert(await produce()), capBytes))
      written.push(name)
    } catch (error) {
      const errorName = `${name}.error.txt`
      await writeFile(join(dir, errorName), message(error))
      written.push(errorName)
    }
  }
  await save('resources.yaml', () => source.istioResources(namespace))
  await save('routes-ingressgateway.json', () =>
    source.proxyRoutes('istio-system', 'app=istio-ingressgateway'),
  )
  await save('routes-webapp.json', () => source.proxyRoutes(namespace, 'app=webapp'))
  await save('events.txt', () => source.events(namespace))
  const { analyze } = source
  if (analyze)
    await save('istioctl-analyze.txt', async () => analyzeLines(await analyze.call(source, namespace)))
  const seen = new Set<string>()
  for (const q of logQueries) {
    const key = `${q.namespace}/${q.labelSelector}/${q.container}`
    if (seen.has(key)) continue
    seen.add(key)
    try {
      for (const { pod, text } of await source.tail(q, 200)) {
        const name = join('logs', `${fileSafe(pod)}_${fileSafe(q.container)}.log`)
        await writeFile(join(dir, name), capText(inert(text), capBytes))
        written.push(name)
      }
    } catch (error) {
      const name = join('logs', `${fileSafe(q.labelSelector)}_${fileSafe(q.container)}.error.txt`)
      await writeFile(join(dir, name), message(error))
      written.push(name)
    }
  }
  return written
}
