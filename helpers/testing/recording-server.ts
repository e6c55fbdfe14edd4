import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage['headers']
  readonly body: string
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void

/**
 * A real HTTP server on 127.0.0.1 (an ephemeral port) that records every request and
 * answers with `handler`. Used to check the request shapes our adapters send.
 */
export async function startRecordingServer(handler: Handler): Promise<{
  url: string
  port: number
  requests: RecordedRequest[]
  close: () => Promise<void>
  server: Server
}> {
  const requests: RecordedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      handler(recorded, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** Replies with JSON and returns true: for fake API server handlers that answer a request. */
export function answered(res: ServerResponse, status: number, body: unknown): true {
  json(res, status, body)
  return true
}
