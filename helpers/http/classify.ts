import type { ResponseClass } from '../evidence/verdict.js'

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

/** For checks that only need "answered 200" (e.g. edge routing reaching catalog at all). */
export const classifyStatus =
  (expected: number): Classifier =>
  (status, body) =>
    status === expected ? { class: 'v1' } : { class: 'error', reason: `status ${status}: ${snippet(body)}` }
