/**
 * `istioctl analyze -n <ns> -o json`, read. With `-o json` istioctl prints the messages as a JSON
 * array (`json.MarshalIndent` of diag.Messages: istioctl/pkg/util/formatting/formatter.go
 * printJSON) and exits 0 whatever they say (only the log format sets a failing exit code:
 * istioctl/pkg/analyze/analyze.go). Each message is diag.Message.Unstructured(true)
 * (pkg/config/analysis/diag/message.go): `code` (IST0101...), `level` (Error, Warning, Info),
 * `origin` (e.g. "VirtualService istioinaction/catalog"), `reference` (optional), `message`,
 * `documentationUrl`. No messages prints `[]` (or `null`); a namespace that does not exist
 * prints nothing on stdout and says so on stderr. Verified against istio/istio at 1.31 (commit
 * 86c9f01f). Pure.
 */

export interface AnalyzeMessage {
  readonly code: string
  readonly level: string
  readonly origin?: string
  readonly reference?: string
  readonly message: string
  readonly documentationUrl?: string
}

export type AnalyzeReport =
  | { readonly kind: 'messages'; readonly messages: readonly AnalyzeMessage[]; readonly tool: string }
  | { readonly kind: 'unavailable'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string }

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The messages of analyze's JSON output, or why it is not that output. */
export function parseAnalyzeJson(stdout: string): readonly AnalyzeMessage[] | { readonly problem: string } {
  const trimmed = stdout.trim()
  if (trimmed === '') return { problem: 'istioctl printed nothing' }
  let parsed: unknown
  try {
    parsed = JSON.parse(trimmed)
  } catch {
    return { problem: `not JSON: ${trimmed.slice(0, 120)}` }
  }
  if (parsed === null) return []
  if (!Array.isArray(parsed)) return { problem: 'not a JSON array of messages' }
  const messages: AnalyzeMessage[] = []
  for (const item of parsed) {
    const m = (item ?? {}) as Record<string, unknown>
    const code = text(m.code)
    const message = text(m.message)
    if (!code || message === undefined)
      return { problem: `a message without code or text: ${JSON.stringify(item).slice(0, 120)}` }
    const origin = text(m.origin)
    const reference = text(m.reference)
    const url = text(m.documentationUrl)
    messages.push({
      code,
      level: text(m.level) ?? 'Unknown',
      message,
      ...(origin ? { origin } : {}),
      ...(reference ? { reference } : {}),
      ...(url ? { documentationUrl: url } : {}),
    })
  }
  return messages
}

/** Worst first: Error, Warning, Info, then anything else; within a level, by code. */
export function sortMessages(messages: readonly AnalyzeMessage[]): AnalyzeMessage[] {
  const rank = (l: string) => ['Error', 'Warning', 'Info'].indexOf(l) + 1 || 4
  return [...messages].sort(
    (a, b) => rank(a.level) - rank(b.level) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  )
}

/** The argument array for analyze of one namespace on one context (never a shell string). */
export function analyzeArgs(namespace: string, context: string, kubeconfig?: string): string[] {
  return [
    'analyze',
    '-n',
    namespace,
    '-o',
    'json',
    '--context',
    context,
    ...(kubeconfig ? ['--kubeconfig', kubeconfig] : []),
  ]
}

/**
 * Which istioctl analyzes: the one of the cluster's own Istio version (pinned in .tools/), else
 * the one on PATH whatever its version, else the newest installed. Never a download. Pure.
 */
export function chooseIstioctl(options: {
  readonly wanted: string
  readonly onPath: string | undefined
  readonly installed: readonly { readonly version: string; readonly path: string }[]
}): string | undefined {
  const exact = options.installed.find((c) => c.version === options.wanted)
  if (exact) return exact.path
  if (options.onPath) return 'istioctl'
  const newest = [...options.installed].sort((a, b) => {
    const pa = a.version.split('.').map(Number)
    const pb = b.version.split('.').map(Number)
    return (pb[0] ?? 0) - (pa[0] ?? 0) || (pb[1] ?? 0) - (pa[1] ?? 0) || (pb[2] ?? 0) - (pa[2] ?? 0)
  })[0]
  return newest?.path
}
