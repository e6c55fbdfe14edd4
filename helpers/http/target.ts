/** Where the ingress listens: the kind node's published port on loopback, or another host. */
export interface Target {
  readonly address: string
  readonly port: number
}

/**
 * Parses `HOST:PORT` (`127.0.0.1:30000`, `ingress.example:80`, `[::1]:30000`): the port is
 * 1..65535, an IPv6 address is in brackets, and nothing else (no scheme, no path) is allowed.
 * Returns the target or the reason it is not one. Pure.
 */
export function parseTarget(text: string): Target | { readonly problem: string } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text)
  if (!m) {
    return {
      problem: text.includes('://')
        ? `'${text}' has a scheme; give only HOST:PORT`
        : `'${text}' is not HOST:PORT (IPv6 in brackets: [::1]:30000)`,
    }
  }
  const port = Number(m[3])
  if (port < 1 || port > 65535) return { problem: `port ${m[3]} in '${text}' is not in 1..65535` }
  const v6 = m[1]
  if (v6 !== undefined && (!v6.includes(':') || /:::/.test(v6))) {
    return { problem: `'${v6}' in '${text}' is not an IPv6 address` }
  }
  const host = v6 ?? (m[2] as string)
  if (v6 === undefined && /^[.-]|[.-]$|\.\./.test(host)) return { problem: `'${host}' is not a host name` }
  return { address: host, port }
}
