/**
 * Strings that come from a cluster (log lines, messages, names, versions) or from a run record
 * are data. Every output format has exactly one function here that makes such a string inert in
 * it; writers call these for every interpolated value, never their own replace chains. Pure.
 *
 * Common to all: terminal escape sequences are removed whole (CSI such as colour codes, OSC such
 * as hyperlinks and window titles, DCS/SOS/PM/APC strings, two-byte ESC sequences and their
 * 8-bit C1 forms), then every remaining C0/C1 control character, DEL and bidirectional override
 * (which can make text read in a different order than it is) is dropped. Tab is kept; newline is
 * kept only where the format says so.
 */

const ESC = '\u001b'
const BEL = '\u0007'
const C1_CSI = '\u009b'
const C1_OSC = '\u009d'
const C1_ST = '\u009c'

// Built from strings so the control characters stay visible in the source.
const SEQUENCES = new RegExp(
  [
    // CSI: ESC [ or 8-bit CSI, parameter bytes, intermediate bytes, one final byte.
    `(?:${ESC}\\[|${C1_CSI})[0-?]*[ -/]*[@-~]`,
    // OSC (hyperlinks, titles): up to BEL or ST, or to the end when unterminated.
    `(?:${ESC}\\]|${C1_OSC})[^${BEL}${ESC}${C1_ST}]*(?:${BEL}|${ESC}\\\\|${C1_ST})?`,
    // DCS, SOS, PM, APC: up to ST, or to the end.
    `(?:${ESC}[PX^_]|[\u0090\u0098\u009e\u009f])[^${ESC}${C1_ST}]*(?:${ESC}\\\\|${C1_ST})?`,
    // Any other ESC with the byte after it (ESC 7, ESC c, ESC ( B ...).
    `${ESC}[ -/]*[0-~]?`,
  ].join('|'),
  'g',
)

/** C0 but tab and newline, DEL, C1, and the bidi embedding/override/isolate controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** Removes escape sequences and control characters; keeps tab, and newline when asked. */
export function stripControls(text: string, keepNewlines: boolean): string {
  const stripped = String(text).replace(/\r\n/g, '\n').replace(SEQUENCES, '').replace(CONTROLS, '')
  return keepNewlines ? stripped : stripped.replace(/\n/g, ' ')
}

/**
 * For a terminal: no escape sequence or control character survives, so a string cannot colour,
 * move the cursor, retitle the window, open a hyperlink or overwrite a line. One line unless
 * `multiline` (then newlines stay; a caller printing a block uses this).
 */
export function terminalText(text: string, options: { multiline?: boolean } = {}): string {
  return stripControls(text, options.multiline ?? false)
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** HTML text content (also inside <pre>, SVG <text> and <title>): markup becomes text. */
export function htmlText(text: string): string {
  return stripControls(text, true).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string)
}

/** A quoted HTML attribute value: as text, and whitespace kept as character references. */
export function htmlAttribute(text: string): string {
  return htmlText(text).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')
}

/** Characters XML 1.0 allows: tab, newline, carriage return, and the rest of the printable range. */
function xmlAllowed(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  )
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

/** XML 1.0 text content: markup escaped, characters XML cannot carry (lone surrogates) dropped. */
export function xmlText(text: string): string {
  return Array.from(stripControls(text, true))
    .filter((ch) => xmlAllowed(ch.codePointAt(0) ?? 0))
    .join('')
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c] as string)
}

/** A quoted XML attribute value: as text, with newline and tab kept as character references. */
export function xmlAttribute(text: string): string {
  return xmlText(text).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')
}

/**
 * Markdown (GitHub's flavour) inline text, safe in a table cell and in a heading: one line; every
 * character that can start markup is backslash-escaped (CommonMark lets any ASCII punctuation be
 * escaped), so no HTML, link, image, emphasis, code span, math or table column can appear; URL
 * and www autolinks are broken by escaping the ':' of '://' and the '.' of 'www.'.
 */
export function markdownText(text: string): string {
  return stripControls(text, false)
    .replace(/[\\`*_~[\]<>|&#$!]/g, (c) => `\\${c}`)
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/\b(www)\./gi, '$1\\.')
}

/**
 * A Markdown inline code span around `text`, for names shown in monospace: its fence is longer
 * than any backtick run inside, and '|' is escaped so it cannot end a table cell (GitHub removes
 * that backslash inside tables; outside one it shows).
 */
export function markdownCode(text: string): string {
  const body = stripControls(text, false).replace(/\|/g, '\\|')
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = body.startsWith('`') || body.endsWith('`') || /^ +$/.test(body) ? ' ' : ''
  return `${fence}${pad}${body}${pad}${fence}`
}
