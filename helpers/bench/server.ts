/**
 * The bench's loopback server, run in its own process (child_process.fork from main.ts) so that
 * neither client under test shares an event loop with it. It answers:
 * - `/items`: catalog's v1 body at once;
 * - `/delay/<min>-<max>`: the same body after a uniformly random delay in [min, max] ms
 *   (a canary's backend, answering within Flagger's 500 ms latency limit).
 * It reports its port over IPC and exits when its parent goes away.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BENCH_BODY, delayFor } from './summary.js'

export interface BenchServerReady {
  readonly port: number
}

function serve(): void {
  const server = createServer((req, res) => {
    const delay = delayFor(req.url ?? '')
    if (!delay) {
      res.writeHead(404).end()
      return
    }
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(BENCH_BODY)
    }
    const [min, max] = delay
    if (max === 0) answer()
    else setTimeout(answer, min + Math.random() * (max - min))
  })
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo
    process.send?.({ port } satisfies BenchServerReady)
  })
  process.on('disconnect', () => process.exit(0))
}

/** The argument main.ts forks this file with: importing it anywhere else starts nothing. */
export const SERVE_FLAG = '--serve-bench'

if (process.argv.includes(SERVE_FLAG) && process.send) serve()
