/**
 * One line for an error, with the API server's own explanation where there is one:
 * client-node's ApiException carries the HTTP code and the server's Status (reason, message)
 * in its body. Recognised by shape, so the CLI can describe errors without loading the
 * Kubernetes client. Pure.
 */
export function describeError(error: unknown): string {
  if (
    error instanceof Error &&
    error.constructor.name === 'ApiException' &&
    'code' in error &&
    'body' in error
  ) {
    let body: unknown = (error as { body: unknown }).body
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body)
      } catch {
        // a plain-text body is its own explanation
      }
    }
    const status = body as { message?: string; reason?: string } | string | undefined
    const detail = typeof status === 'string' ? status.trim() : (status?.message ?? status?.reason ?? '')
    return `Kubernetes API answered ${(error as { code: unknown }).code}${detail ? `: ${detail.split('\n')[0]}` : ''}`
  }
  if (error instanceof Error) {
    // A system error (ECONNREFUSED, ENOTFOUND...) names its code, on itself or its cause.
    const cause = (error as Error & { cause?: unknown }).cause
    const code = (error as Error & { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code
    const first = error.message.split('\n')[0] ?? ''
    return typeof code === 'string' && !first.includes(code) ? `${code}: ${first}` : first
  }
  return String(error)
}
