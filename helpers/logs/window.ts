import { stripAnsi } from './parse.js'

/** One container log line with the kubelet's RFC 3339 timestamp (requested with timestamps=true). */
export interface LogLine {
  readonly pod: string
  readonly container: string
  readonly timestamp: string
  readonly text: string
}

/**
 * The window a check reads logs in. Captured BEFORE the traffic is sent: re-reading "since
 * now" on each poll misses lines (a bug the Gateway API suite had to fix). The skew allowance
 * covers the difference between this machine's clock and the node's.
 */
export interface LogWindow {
  readonly since: string
  readonly skewMs: number
  /**
   * No line older than this, skew allowance or not: when the scenario that opened the window
   * started. A pod it did not create (a serial run's base lab keeps the apps for every
   * scenario) holds the lines of the scenarios before it, which the allowance could reach.
   */
  readonly floor?: string
}

export function openLogWindow(now: Date = new Date(), skewMs = 5_000): LogWindow {
  return { since: now.toISOString(), skewMs }
}

/** Splits the text of a timestamps=true log read into lines. Pure. */
export function splitTimestamped(pod: string, container: string, raw: string): LogLine[] {
  const lines: LogLine[] = []
  for (const line of raw.split('\n')) {
    if (!line) continue
    const space = line.indexOf(' ')
    const timestamp = space > 0 ? line.slice(0, space) : ''
    if (!/^\d{4}-\d{2}-\d{2}T/.test(timestamp)) continue
    lines.push({ pod, container, timestamp, text: stripAnsi(line.slice(space + 1)) })
  }
  return lines
}

/** sinceSeconds to ask the API for: the window plus the skew allowance, rounded up. Pure. */
export function sinceSecondsFor(window: LogWindow, now: Date): number {
  return Math.max(1, Math.ceil((now.getTime() - Date.parse(window.since) + window.skewMs) / 1000))
}

/** Lines at or after the window's start minus the skew (and its floor), each once, oldest first. Pure. */
export function selectWindow(lines: readonly LogLine[], window: LogWindow): LogLine[] {
  const from = Math.max(
    Date.parse(window.since) - window.skewMs,
    window.floor === undefined ? Number.NEGATIVE_INFINITY : Date.parse(window.floor),
  )
  const seen = new Set<string>()
  const kept: LogLine[] = []
  for (const line of lines) {
    if (Date.parse(line.timestamp) < from) continue
    const key = `${line.pod}\u0000${line.container}\u0000${line.timestamp}\u0000${line.text}`
    if (seen.has(key)) continue
    seen.add(key)
    kept.push(line)
  }
  return kept.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))
}
