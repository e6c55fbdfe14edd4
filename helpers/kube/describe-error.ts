import { ApiException } from '@kubernetes/client-node'

/**
 * One line for an error, with the API server's own explanation where there is one:
 * client-node's ApiException message starts "HTTP-Code: 500" and keeps the server's Status
 * (reason, message) in its body. Pure.
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    let body: unknown = error.body
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body)
      } catch {
        // a plain-text body is its own explanation
      }
    }
    const status = body as { message?: string; reason?: string } | string | undefined
    const detail = typeof status === 'string' ? status.trim() : (status?.message ?? status?.reason ?? '')
    return `Kubernetes API answered ${error.code}${detail ? `: ${detail.split('\n')[0]}` : ''}`
  }
  if (error instanceof Error) return error.message.split('\n')[0] ?? ''
  return String(error)
}
