import { describe, expect, it } from 'vitest'
import { type Classifier, classifyCatalog, remembering } from './classify.js'

describe('remembering', () => {
  const V1 = '[{"id":1}]'
  const V2 = '[{"id":1,"imageUrl":"http://lorempixel.com/640/480"}]'

  function counted(classify: Classifier) {
    const calls: string[] = []
    const wrapped: Classifier = (status, body) => {
      calls.push(`${status} ${body}`)
      return classify(status, body)
    }
    return { wrapped, calls }
  }

  it('answers as the classifier does, classifying each distinct status and body once', () => {
    const { wrapped, calls } = counted(classifyCatalog)
    const r = remembering(wrapped)
    const inputs: [number, string][] = [
      [200, V1],
      [200, V2],
      [200, V1],
      [503, 'no healthy upstream'],
      [200, V2],
      [500, V1], // same body, another status: its own answer
      [503, 'no healthy upstream'],
    ]
    for (const [status, body] of inputs)
      expect(r(status, Buffer.from(body))).toEqual(classifyCatalog(status, body))
    expect(calls).toEqual([`200 ${V1}`, `200 ${V2}`, '503 no healthy upstream', `500 ${V1}`])
  })

  it('keeps at most maxEntries answers and never bodies longer than maxBodyLength', () => {
    const { wrapped, calls } = counted(classifyCatalog)
    const r = remembering(wrapped, 2, 20)
    for (const body of ['[1]', '[2]', '[3]', '[1]', '[2]', '[3]']) r(200, Buffer.from(body))
    // [1] and [2] were kept; [3] came after the limit and is classified every time.
    expect(calls).toEqual(['200 [1]', '200 [2]', '200 [3]', '200 [3]'])
    const long = `[${'1,'.repeat(20)}1]`
    r(200, Buffer.from(long))
    r(200, Buffer.from(long))
    expect(calls.filter((c) => c === `200 ${long}`)).toHaveLength(2)
  })

  it('keeps its own copy of a body: bytes reused by the caller later change no answer', () => {
    const { wrapped, calls } = counted(classifyCatalog)
    const r = remembering(wrapped)
    const buffer = Buffer.from(V2)
    expect(r(200, buffer).class).toBe('v2')
    buffer.fill(0x20) // the caller reuses its buffer
    expect(r(200, Buffer.from(V2)).class).toBe('v2')
    expect(r(200, buffer)).toEqual({ class: 'error', reason: 'unparsable body: (empty)' })
    expect(calls).toHaveLength(2)
  })
})
