import type { Dispatcher } from 'undici'

/** Who caused a failed exchange: the peer (or the path to it), or this process. */
export type MadeBy = 'server' | 'client'

/** One request and its answer or failure, timed on the wire. */
export interface Exchange {
  /** When undici wrote the request to a connected socket; null when it never got that far. */
  readonly sentAt: number | null
  /** When the whole response was read, or the failure reported. */
  readonly answeredAt: number
  /** When the exchange was handed to the pool (before any connect or queueing). */
  readonly dispatchedAt: number
  readonly status: number | null
  readonly body: string
  readonly failure?: { readonly reason: string; readonly madeBy: MadeBy }
}

/**
 * Failures the peer made, by error code: it did not answer within the timeout once the
 * request was on the wire (undici starts headersTimeout when it writes the request and
 * bodyTimeout between body chunks: undici v7.30.2 lib/dispatcher/client-h1.js, `resume` and
 * `onParserTimeout`), closed or reset the connection, refused it, or sent a response undici
 * cannot parse. Every other failure (aborted or destroyed by us, out of sockets or ports, bad
 * arguments) is this process's own doing.
 */
const SERVER_MADE: Readonly<Record<string, string>> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_SOCKET: 'UND_ERR_SOCKET',
  ECONNRESET: 'ECONNRESET',
  EPIPE: 'EPIPE',
  ECONNREFUSED: 'ECONNREFUSED',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  UND_ERR_HEADERS_OVERFLOW: 'UND_ERR_HEADERS_OVERFLOW',
}

/** The reason and the maker of a failure, from its error code. Pure. */
export function describeFailure(error: unknown): { reason: string; madeBy: MadeBy } {
  const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null
  const code =
    typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined
  if (code !== undefined) {
    const known = SERVER_MADE[code]
    if (known !== undefined) return { reason: known, madeBy: 'server' }
    // llhttp's parse errors: the response itself was malformed.
    if (code.startsWith('HPE_')) return { reason: code, madeBy: 'server' }
    return { reason: code, madeBy: 'client' }
  }
  return { reason: typeof e?.message === 'string' ? e.message : String(error), madeBy: 'client' }
}

export interface ExchangeRequest {
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** Bounds the wait for the response head once the request is sent, and each gap in its body. */
  readonly timeoutMs: number
}

/**
 * One GET through `dispatcher`; `done` gets its answer or failure, exactly once, and nothing
 * throws. It uses undici's dispatch handler rather than `request()`, which would wrap every
 * body in a stream, and no AbortSignal: undici's own header and body timeouts bound the
 * request once it is sent, so time spent waiting for a connection never counts against the
 * server. Callbacks rather than a promise: the sampler sends its next request from `done`.
 */
export function exchangeThen(
  dispatcher: Dispatcher,
  request: ExchangeRequest,
  now: () => number,
  done: (x: Exchange) => void,
): void {
  const dispatchedAt = now()
  // A request undici refuses outright fails inside dispatch(): defer that answer, so that `done`
  // always runs after exchangeThen returns and a caller sending from `done` cannot recurse.
  let dispatching = true
  const finish = (x: Exchange) => (dispatching ? queueMicrotask(() => done(x)) : done(x))
  let sentAt: number | null = null
  let status: number | null = null
  const chunks: Buffer[] = []
  const handler: Dispatcher.DispatchHandler = {
    // undici calls this as it writes the request to a connected socket.
    onRequestStart: () => {
      sentAt = now()
    },
    onResponseStart: (_controller, statusCode) => {
      status = statusCode
    },
    onResponseData: (_controller, chunk) => {
      chunks.push(chunk)
    },
    onResponseEnd: () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
      finish({ sentAt, answeredAt: now(), dispatchedAt, status, body: body.toString('utf8') })
    },
    onResponseError: (_controller, error) => {
      finish({
        sentAt,
        answeredAt: now(),
        dispatchedAt,
        status: null,
        body: '',
        failure: describeFailure(error),
      })
    },
  }
  dispatcher.dispatch(
    {
      method: 'GET',
      path: request.path,
      headers: request.headers,
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    },
    handler,
  )
  dispatching = false
}

/** `exchangeThen` as a promise that never rejects. */
export function exchange(
  dispatcher: Dispatcher,
  request: ExchangeRequest,
  now: () => number,
): Promise<Exchange> {
  return new Promise((resolve) => exchangeThen(dispatcher, request, now, resolve))
}
