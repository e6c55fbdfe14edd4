/** What one response was: the counted classes, or an error (status, timeout, unparsable body). */
export type ResponseClass = 'v1' | 'v2' | 'error'

export interface Classification {
  readonly class: ResponseClass
  readonly reason?: string
}

/** Decides what a response was. Pure; the sampler hands it the status and the whole body. */
export type Classifier = (status: number, body: string) => Classification

const snippet = (body: string) => body.replace(/\s+/g, ' ').trim().slice(0, 80)

/**
 * catalog's `GET /items` and webapp's `/api/catalog` both answer a JSON array of items;
 * catalog v2 (SHOW_IMAGE set) adds `imageUrl` to every item and webapp omits it when empty,
 * so any item carrying `imageUrl` means v2 and a 200 array without it means v1.
 * Source: ../shared/reference/ch5-lab.md (catalog, webapp).
 */
export const classifyCatalog: Classifier = (status, body) => {
  if (status !== 200) return { class: 'error', reason: `status ${status}${body ? `: ${snippet(body)}` : ''}` }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return { class: 'error', reason: `unparsable body: ${snippet(body) || '(empty)'}` }
  }
  if (!Array.isArray(parsed)) return { class: 'error', reason: `not a JSON array: ${snippet(body)}` }
  if (parsed.length === 0) return { class: 'error', reason: 'empty item list' }
  const hasImage = parsed.some((item) => typeof item === 'object' && item !== null && 'imageUrl' in item)
  return { class: hasImage ? 'v2' : 'v1' }
}

/**
 * forum's /api/users through webapp (ch5-lab.md): when egress to the users host is blocked,
 * webapp answers 500 "error calling Forum service" (class v1 = "blocked"); a 200 means the
 * call got out (class v2 = "allowed"); anything else is an error.
 */
export const classifyUsersBlocked: Classifier = (status, body) => {
  if (status === 500 && body.includes('error calling Forum service')) return { class: 'v1' }
  if (status === 200) return { class: 'v2' }
  return { class: 'error', reason: `status ${status}: ${snippet(body)}` }
}

/**
 * /api/users succeeding: 200 with a JSON list of users (v1 = "allowed"); webapp's 500 "error
 * calling Forum service" = blocked (v2). Any other 5xx (a gateway's 503, the real host's own
 * outage) is an error under the error bound, not evidence that egress is blocked.
 */
export const classifyUsersOk: Classifier = (status, body) => {
  if (status === 500 && body.includes('error calling Forum service')) return { class: 'v2' }
  if (status !== 200) return { class: 'error', reason: `status ${status}: ${snippet(body)}` }
  try {
    const parsed: unknown = JSON.parse(body)
    const ok =
      Array.isArray(parsed) &&
      parsed.length > 0 &&
      parsed.every((u) => typeof u === 'object' && u !== null && 'name' in u)
    return ok ? { class: 'v1' } : { class: 'error', reason: `not a list of users: ${snippet(body)}` }
  } catch {
    return { class: 'error', reason: `unparsable body: ${snippet(body) || '(empty)'}` }
  }
}

/** A classifier of raw response bodies, as they come off the wire. */
export type BodyClassifier = (status: number, body: Buffer) => Classification

/** `classify` over raw bodies: decodes each as UTF-8. */
export const decoding =
  (classify: Classifier): BodyClassifier =>
  (status, body) =>
    classify(status, body.toString('utf8'))

/**
 * `classify` over raw bodies, with its answers kept for the first `maxEntries` distinct
 * (status, body) pairs of at most `maxBodyLength` bytes. A route answers the same few bodies
 * thousands of times (v1's, v2's, an error page): comparing bytes with the ones already seen
 * is much cheaper than decoding and JSON-parsing each again, which cost the sampler about a
 * tenth of its throughput. Same answers as `classify`, which must be pure (every classifier
 * here is); other bodies are decoded and classified each time, so memory stays bounded.
 */
export function remembering(classify: Classifier, maxEntries = 16, maxBodyLength = 16_384): BodyClassifier {
  const known: { status: number; body: Buffer; c: Classification }[] = []
  return (status, body) => {
    for (const k of known) if (k.status === status && k.body.equals(body)) return k.c
    const c = classify(status, body.toString('utf8'))
    // A copy: the bytes undici hands over are not ours to keep.
    if (known.length < maxEntries && body.length <= maxBodyLength)
      known.push({ status, body: Buffer.from(body), c })
    return c
  }
}

export const CLASSIFIERS = {
  catalog: classifyCatalog,
  'users-blocked': classifyUsersBlocked,
  'users-ok': classifyUsersOk,
} as const
export type ClassifierName = keyof typeof CLASSIFIERS

export const classifierFor = (name: ClassifierName | undefined): Classifier => CLASSIFIERS[name ?? 'catalog']
