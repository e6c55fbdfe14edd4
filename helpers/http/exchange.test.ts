import { describe, expect, it } from 'vitest'
import { describeFailure } from './exchange.js'

describe('describeFailure', () => {
  it('blames the server for what the server did: silence past the timeout, resets, refusals, garbage', () => {
    expect(describeFailure({ code: 'UND_ERR_HEADERS_TIMEOUT' })).toEqual({
      reason: 'timeout',
      madeBy: 'server',
    })
    expect(describeFailure({ code: 'UND_ERR_BODY_TIMEOUT' })).toEqual({ reason: 'timeout', madeBy: 'server' })
    expect(describeFailure({ code: 'UND_ERR_SOCKET', message: 'other side closed' })).toEqual({
      reason: 'UND_ERR_SOCKET',
      madeBy: 'server',
    })
    // Node's connect errors come wrapped by some callers: the code may sit on the cause.
    expect(describeFailure({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } })).toEqual({
      reason: 'ECONNREFUSED',
      madeBy: 'server',
    })
    expect(describeFailure({ code: 'HPE_INVALID_CONSTANT' })).toEqual({
      reason: 'HPE_INVALID_CONSTANT',
      madeBy: 'server',
    })
  })

  it('blames this process for everything else: aborts, a closed pool, running out of sockets', () => {
    expect(describeFailure({ code: 'UND_ERR_ABORTED' })).toEqual({
      reason: 'UND_ERR_ABORTED',
      madeBy: 'client',
    })
    expect(describeFailure({ code: 'UND_ERR_CLOSED' })).toEqual({
      reason: 'UND_ERR_CLOSED',
      madeBy: 'client',
    })
    expect(describeFailure({ code: 'EMFILE' })).toEqual({ reason: 'EMFILE', madeBy: 'client' })
    expect(describeFailure(new Error('boom'))).toEqual({ reason: 'boom', madeBy: 'client' })
    expect(describeFailure(undefined)).toEqual({ reason: 'undefined', madeBy: 'client' })
  })
})
