import type { Dispatcher } from 'undici'

const EMPTY = Buffer.alloc(0)

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
  /** The raw bytes; empty on failure. */
  readonly body: Buffer
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
  const handler = new ExchangeHandler(now, done)
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
  handler.dispatched()
}

/**
 * The dispatch handler of one exchange. A class rather than an object of arrow functions: this
 * runs once per request, and tsx names every arrow function it creates (esbuild's keepNames
 * adds a defineProperty call each), which cost the sampler measurable throughput.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private readonly dispatchedAt: number
  private sentAt: number | null = null
  private status: number | null = null
  private readonly chunks: Buffer[] = []
  // A request undici refuses outright fails inside dispatch(): that answer is deferred, so that
  // `done` always runs after exchangeThen returns and a caller sending from `done` cannot recurse.
  private dispatching = true
  private deferred: Exchange | undefined

  constructor(
    private readonly now: () => number,
    private readonly done: (x: Exchange) => void,
  ) {
    this.dispatchedAt = now()
  }

  dispatched(): void {
    this.dispatching = false
    const x = this.deferred
    if (x) queueMicrotask(() => this.done(x))
  }

  private finish(x: Exchange): void {
    if (this.dispatching) this.deferred = x
    else this.done(x)
  }

  // undici calls this as it writes the request to a connected socket.
  onRequestStart(): void {
    this.sentAt = this.now()
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    this.finish({
      sentAt: this.sentAt,
      answeredAt: this.now(),
      dispatchedAt: this.dispatchedAt,
      status: this.status,
      body: this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks),
    })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish({
      sentAt: this.sentAt,
      answeredAt: this.now(),
      dispatchedAt: this.dispatchedAt,
      status: null,
      body: EMPTY,
      failure: describeFailure(error),
    })
  }
}

/** `exchangeThen` as a promise that never rejects. */
export function exchange(
  dispatcher: Dispatcher,
  request: ExchangeRequest,
  now: () => number,
): Promise<Exchange> {
  return new Promise((resolve) => exchangeThen(dispatcher, request, now, resolve))
}
