import { describe, expect, it } from 'vitest'
import { EnvoyConfig, type HttpRequest, type Random } from './envoy-routes.js'
import { goldenDump, goldenLineFor } from './istio-goldens.js'
import { mulberry32 } from './random.js'

/** A config dump (snake_case, as config_dump prints it) with the given listeners, route configurations and clusters. */
function dump(parts: { listeners?: unknown[]; routes?: unknown[]; clusters?: string[] }) {
  return {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
        dynamic_active_clusters: (parts.clusters ?? []).map((name) => ({ cluster: { name, type: 'EDS' } })),
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        dynamic_listeners: (parts.listeners ?? []).map((listener) => ({
          name: (listener as { name: string }).name,
          active_state: { listener },
        })),
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
        dynamic_route_configs: (parts.routes ?? []).map((route_config) => ({ route_config })),
      },
    ],
  }
}

const vhost = (
  name: string,
  domains: string[],
  routes: unknown[] = [{ match: { prefix: '/' }, route: { cluster: name } }],
) => ({
  name,
  domains,
  routes,
})
const config = (virtual_hosts: unknown[], extra: Record<string, unknown> = {}) =>
  new EnvoyConfig(
    dump({
      routes: [{ name: '80', virtual_hosts, ...extra }],
      clusters: ['a', 'b', 'c', 'd', 'exact', 'suffix', 'longer-suffix', 'prefix', 'any', 'v1', 'v2', 'm'],
    }),
  )
const never: Random = () => {
  throw new Error('no draw expected')
}
const req = (authority: string, path = '/', headers: Record<string, string> = {}): HttpRequest => ({
  authority,
  path,
  headers,
})
const clusterOf = (c: EnvoyConfig, r: HttpRequest, random: Random = never) => {
  const d = c.route('80', r, random)
  return d.kind === 'cluster' ? d.cluster : d.kind
}

describe('virtual host by authority (RouteMatcher::findVirtualHost)', () => {
  const c = config([
    vhost('exact', ['www.foo.com', 'www.foo.com:8080']),
    vhost('suffix', ['*.foo.com']),
    vhost('longer-suffix', ['*-bar.foo.com']),
    vhost('prefix', ['www.*']),
    vhost('any', ['*']),
  ])

  it('takes the exact domain first, then the longest *suffix, then prefix*, then *', () => {
    expect(clusterOf(c, req('www.foo.com'))).toBe('exact')
    expect(clusterOf(c, req('WWW.Foo.COM'))).toBe('exact')
    expect(clusterOf(c, req('api.foo.com'))).toBe('suffix')
    expect(clusterOf(c, req('baz-bar.foo.com'))).toBe('longer-suffix')
    expect(clusterOf(c, req('www.bar.com'))).toBe('prefix')
    // Both a *suffix and a prefix* take it: suffixes are tried first.
    expect(clusterOf(c, req('www.baz.foo.com'))).toBe('suffix')
    expect(clusterOf(c, req('other.org'))).toBe('any')
    // A wildcard needs at least one character of its own: *.foo.com does not take .foo.com.
    expect(clusterOf(c, req('.foo.com'))).toBe('any')
  })

  it('matches the port as written unless the route configuration ignores it', () => {
    expect(clusterOf(c, req('www.foo.com:8080'))).toBe('exact')
    expect(clusterOf(c, req('www.foo.com:9090'))).toBe('prefix')
    const ignoring = config([vhost('exact', ['www.foo.com']), vhost('any', ['*'])], {
      ignore_port_in_host_matching: true,
    })
    expect(clusterOf(ignoring, req('www.foo.com:9090'))).toBe('exact')
    expect(clusterOf(ignoring, req('[::1]'))).toBe('any')
  })

  it('without a matching domain and no *: no virtual host (404 NR)', () => {
    expect(config([vhost('exact', ['www.foo.com'])]).route('80', req('x.org'), never)).toEqual({
      kind: 'no-virtual-host',
    })
  })
})

describe('routes in order, the first match wins', () => {
  const routes = (...rs: unknown[]) => config([vhost('h', ['*'], rs)])

  it('path prefix (query included), exact path and regex (query dropped), case sensitivity', () => {
    const c = routes(
      { match: { path: '/items' }, route: { cluster: 'a' } },
      { match: { safe_regex: { regex: '/users/[0-9]+' } }, route: { cluster: 'b' } },
      { match: { prefix: '/API', case_sensitive: false }, route: { cluster: 'c' } },
      { match: { prefix: '/x?q' }, route: { cluster: 'd' } },
    )
    expect(clusterOf(c, req('h', '/items?page=2'))).toBe('a')
    expect(clusterOf(c, req('h', '/items/1'))).toBe('no-route')
    expect(clusterOf(c, req('h', '/users/12?x=1'))).toBe('b')
    expect(clusterOf(c, req('h', '/users/12a'))).toBe('no-route')
    expect(clusterOf(c, req('h', '/api/catalog'))).toBe('c')
    expect(clusterOf(c, req('h', '/x?q=1'))).toBe('d')
  })

  it('headers: exact, prefix and regex string matches, all of a route must hold', () => {
    const c = routes(
      {
        match: {
          prefix: '/',
          headers: [
            { name: 'x-istio-cohort', string_match: { exact: 'internal' } },
            { name: 'x-user', string_match: { prefix: 'ad' } },
          ],
        },
        route: { cluster: 'a' },
      },
      {
        match: { prefix: '/', headers: [{ name: 'x-user', string_match: { safe_regex: { regex: 'b.b' } } }] },
        route: { cluster: 'b' },
      },
      { match: { prefix: '/' }, route: { cluster: 'c' } },
    )
    expect(clusterOf(c, req('h', '/', { 'X-Istio-Cohort': 'internal', 'x-user': 'ada' }))).toBe('a')
    expect(clusterOf(c, req('h', '/', { 'x-istio-cohort': 'internal' }))).toBe('c')
    expect(clusterOf(c, req('h', '/', { 'x-istio-cohort': 'Internal', 'x-user': 'ada' }))).toBe('c')
    expect(clusterOf(c, req('h', '/', { 'x-user': 'bob' }))).toBe('b')
    // safe_regex matches the whole value.
    expect(clusterOf(c, req('h', '/', { 'x-user': 'bobby' }))).toBe('c')
  })

  it('a missing header matches nothing, inverted or not, unless read as empty; present_match false matches it', () => {
    const c = routes(
      {
        match: { prefix: '/', headers: [{ name: 'x-a', string_match: { exact: 'v' }, invert_match: true }] },
        route: { cluster: 'a' },
      },
      {
        match: {
          prefix: '/',
          headers: [{ name: 'x-b', string_match: { exact: '' }, treat_missing_header_as_empty: true }],
        },
        route: { cluster: 'b' },
      },
      { match: { prefix: '/', headers: [{ name: 'x-c', present_match: false }] }, route: { cluster: 'c' } },
      { match: { prefix: '/' }, route: { cluster: 'd' } },
    )
    expect(clusterOf(c, req('h', '/', { 'x-a': 'w', 'x-b': 'z', 'x-c': '1' }))).toBe('a')
    expect(clusterOf(c, req('h', '/', { 'x-b': 'z', 'x-c': '1' }))).toBe('d')
    expect(clusterOf(c, req('h', '/', { 'x-c': '1' }))).toBe('b')
    expect(clusterOf(c, req('h', '/', { 'x-b': 'z' }))).toBe('c')
  })

  it('refuses what it does not model instead of ignoring it', () => {
    const c = routes({ match: { prefix: '/', query_parameters: [{ name: 'a' }] }, route: { cluster: 'a' } })
    expect(() => c.route('80', req('h'), never)).toThrow('route match query_parameters is not modelled')
    const runtime = routes({ match: { prefix: '/', runtime_fraction: {} }, route: { cluster: 'a' } })
    expect(() => runtime.route('80', req('h'), never)).toThrow('runtime_fraction is not modelled')
    expect(() =>
      routes({ match: { prefix: '/' }, route: { cluster_header: 'x' } }).route('80', req('h'), never),
    ).toThrow('is not modelled')
  })
})

describe('actions', () => {
  const one = (route: unknown) =>
    config([vhost('h', ['*'], [{ name: 'r', match: { prefix: '/' }, ...(route as object) }])])

  it('weighted clusters: a value in [0, total) picks the cluster whose cumulative range holds it', () => {
    const c = one({
      route: {
        weighted_clusters: {
          clusters: [
            { name: 'v1', weight: 90 },
            { name: 'v2', weight: 10 },
          ],
        },
      },
    })
    expect(clusterOf(c, req('h'), () => 0)).toBe('v1')
    expect(clusterOf(c, req('h'), () => 0.899)).toBe('v1')
    expect(clusterOf(c, req('h'), () => 0.9)).toBe('v2')
    const random = mulberry32(1)
    const picks = Array.from({ length: 10_000 }, () => clusterOf(c, req('h'), random))
    const share = picks.filter((p) => p === 'v2').length / picks.length
    // Binomial(10000, 0.1): sd 0.003; 0.09..0.11 is more than 3 sd either side.
    expect(share).toBeGreaterThan(0.09)
    expect(share).toBeLessThan(0.11)
  })

  it('mirrors: always without runtime_fraction; the fraction with HUNDRED as the absent denominator', () => {
    const c = one({
      route: {
        cluster: 'v1',
        request_mirror_policies: [
          { cluster: 'm' },
          {
            cluster: 'v2',
            runtime_fraction: { default_value: { numerator: 100 } },
            disable_shadow_host_suffix_append: true,
          },
          { cluster: 'a', runtime_fraction: { default_value: { numerator: 25 } } },
          {
            cluster: 'b',
            runtime_fraction: { default_value: { numerator: 2500, denominator: 'TEN_THOUSAND' } },
          },
        ],
      },
    })
    const fired = (draw: number) => {
      const d = c.route('80', req('h'), () => draw)
      return d.kind === 'cluster'
        ? d.mirrors.map((m) => `${m.cluster}${m.hostSuffixAppended ? '-shadow' : ''}`)
        : []
    }
    expect(fired(0.2)).toEqual(['m-shadow', 'v2', 'a-shadow', 'b-shadow'])
    expect(fired(0.25)).toEqual(['m-shadow', 'v2'])
  })

  it('direct responses, redirects, and a cluster the configuration lacks (503 NC)', () => {
    expect(one({ direct_response: { status: 502 } }).route('80', req('h'), never)).toEqual({
      kind: 'direct-response',
      virtualHost: 'h',
      route: 'r',
      status: 502,
      body: '',
    })
    expect(one({ redirect: { https_redirect: true } }).route('80', req('h'), never).kind).toBe('redirect')
    expect(one({ route: { cluster: 'nowhere' } }).route('80', req('h'), never)).toMatchObject({
      kind: 'unknown-cluster',
      cluster: 'nowhere',
    })
  })
})

describe('listener and filter chain for a connection', () => {
  const hcm = (route: string) => ({
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: { rds: { route_config_name: route } },
  })
  const tcp = (cluster: string) => ({ name: 'envoy.filters.network.tcp_proxy', typed_config: { cluster } })
  const listener = (name: string, address: string, port: number, chains: unknown[], fallback?: string) => ({
    name,
    address: { socket_address: { address, port_value: port } },
    filter_chains: chains,
    ...(fallback ? { default_filter_chain: { filters: [tcp(fallback)] } } : {}),
  })
  const c = new EnvoyConfig(
    dump({
      listeners: [
        listener('10.96.0.1_443', '10.96.0.1', 443, [{ filters: [tcp('svc-443')] }]),
        listener(
          '0.0.0.0_80',
          '0.0.0.0',
          80,
          [
            {
              filter_chain_match: {
                transport_protocol: 'raw_buffer',
                application_protocols: ['http/1.1', 'h2c'],
              },
              filters: [hcm('80')],
            },
          ],
          'Fallback80',
        ),
        listener('virtualOutbound', '0.0.0.0', 15001, [
          {
            name: 'loop',
            filter_chain_match: { destination_port: 15001 },
            filters: [tcp('BlackHoleCluster')],
          },
          { name: 'catchall', filters: [tcp('PassthroughCluster')] },
        ]),
        listener('strict', '0.0.0.0', 9000, [
          {
            filter_chain_match: { destination_port: 9000, transport_protocol: 'tls' },
            filters: [tcp('tls-9000')],
          },
          { filters: [tcp('any-port')] },
        ]),
      ],
    }),
  )
  const plain = (address: string, port: number) =>
    c.dispatch({ address, port, transport: 'raw_buffer', applicationProtocols: ['http/1.1'] })

  it('the listener bound to the address and port, else 0.0.0.0 and the port, else virtualOutbound', () => {
    expect(c.dispatch({ address: '10.96.0.1', port: 443, transport: 'tls' })).toMatchObject({
      listener: '10.96.0.1_443',
      filter: { kind: 'tcp', cluster: 'svc-443' },
    })
    expect(plain('172.18.0.20', 80)).toMatchObject({
      listener: '0.0.0.0_80',
      filter: { kind: 'http', routeConfig: '80' },
    })
    expect(c.dispatch({ address: '203.0.113.10', port: 443, transport: 'tls' })).toMatchObject({
      listener: 'virtualOutbound',
      chain: 'catchall',
      filter: { cluster: 'PassthroughCluster' },
    })
    expect(plain('10.0.0.1', 15001)).toMatchObject({ chain: 'loop', filter: { cluster: 'BlackHoleCluster' } })
  })

  it('a chain that does not match leaves the default chain; a chosen port is not abandoned for a catch-all one', () => {
    expect(c.dispatch({ address: '172.18.0.20', port: 80, transport: 'tls' })).toMatchObject({
      chain: '(default)',
      filter: { cluster: 'Fallback80' },
    })
    // Port 9000 has a chain of its own (TLS only): plaintext gets no chain, not the any-port one.
    expect(plain('10.0.0.1', 9000)).toEqual({ kind: 'closed', listener: 'strict' })
    expect(
      new EnvoyConfig(dump({})).dispatch({ address: '10.0.0.1', port: 80, transport: 'raw_buffer' }),
    ).toEqual({
      kind: 'refused',
    })
  })
})

describe("the goldens, through the model (Istio's own tables)", () => {
  const line = goldenLineFor('1.31.0')
  const proxy = (scenario: string, step: string, name: 'ingressgateway' | 'webapp' | 'forum') =>
    new EnvoyConfig(goldenDump(line, scenario, step, name))
  const http11 = (address: string, port: number) => ({
    address,
    port,
    transport: 'raw_buffer' as const,
    applicationProtocols: ['http/1.1'],
  })
  const decide = (c: EnvoyConfig, address: string, port: number, r: HttpRequest) => {
    const out = c.sendHttp(http11(address, port), r, mulberry32(3))
    if (out.kind !== 'http') throw new Error(`not HTTP: ${JSON.stringify(out)}`)
    return out.decision
  }

  it('the gateway: the cohort header to v2, anything else to v1; reversed, everything to v1', () => {
    const V1 = 'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local'
    const V2 = 'outbound|80|version-v2|catalog.istioinaction.svc.cluster.local'
    const gw = proxy('edge-route-order', 'edge-vs-catalog-cohort', 'ingressgateway')
    const reversed = proxy('edge-route-order', 'edge-vs-catalog-cohort-reversed', 'ingressgateway')
    const at = (c: EnvoyConfig, value?: string) =>
      decide(
        c,
        '10.244.0.5',
        8080,
        req('catalog.istioinaction.io', '/items', value ? { 'x-istio-cohort': value } : {}),
      )
    expect(at(gw, 'internal')).toMatchObject({ kind: 'cluster', cluster: V2 })
    expect(at(gw, 'external')).toMatchObject({ kind: 'cluster', cluster: V1 })
    expect(at(gw)).toMatchObject({ kind: 'cluster', cluster: V1 })
    expect(at(reversed, 'internal')).toMatchObject({ kind: 'cluster', cluster: V1 })
    expect(decide(gw, '10.244.0.5', 8080, req('unknown.example', '/'))).toEqual({ kind: 'no-virtual-host' })
  })

  it("webapp's sidecar: catalog.istioinaction:80 finds catalog's host (port ignored), mirrored to v2 without -shadow on 1.31", () => {
    const d = decide(
      proxy('mirroring', 'mesh-vs-catalog-mirror', 'webapp'),
      '10.96.10.20',
      80,
      req('catalog.istioinaction:80', '/items'),
    )
    expect(d).toMatchObject({
      kind: 'cluster',
      virtualHost: 'catalog.istioinaction.svc.cluster.local:80',
      route: undefined,
      cluster: 'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local',
      mirrors: [
        {
          cluster: 'outbound|80|version-v2|catalog.istioinaction.svc.cluster.local',
          hostSuffixAppended: false,
        },
      ],
    })
  })

  it('forum to the outside host on port 80: allow_any, then block_all 502 under REGISTRY_ONLY, then the ServiceEntry', () => {
    const users = req('jsonplaceholder.typicode.com', '/users')
    expect(
      decide(proxy('service-entry', 'coolstore-gateway', 'forum'), '172.18.0.20', 80, users),
    ).toMatchObject({
      kind: 'cluster',
      route: 'allow_any',
      cluster: 'PassthroughCluster',
    })
    expect(
      decide(proxy('service-entry', 'mesh-registry-only', 'forum'), '172.18.0.20', 80, users),
    ).toMatchObject({
      kind: 'direct-response',
      route: 'block_all',
      status: 502,
    })
    expect(
      decide(proxy('service-entry', 'jsonplaceholder-se', 'forum'), '172.18.0.20', 80, users),
    ).toMatchObject({
      kind: 'cluster',
      route: 'default',
      cluster: 'outbound|80||jsonplaceholder.typicode.com',
    })
  })

  it("webapp's HTTPS to an unknown address leaves by virtualOutbound: Passthrough, then BlackHole under REGISTRY_ONLY", () => {
    const tls = {
      address: '203.0.113.10',
      port: 443,
      transport: 'tls' as const,
      applicationProtocols: ['h2', 'http/1.1'],
    }
    for (const [scenario, open, locked] of [
      ['egress-registry-only', 'coolstore-gateway', 'mesh-registry-only'],
      ['egress-registry-only@existing-cluster', 'coolstore-gateway', 'sidecar-registry-only'],
    ] as const) {
      expect(proxy(scenario, open, 'webapp').dispatch(tls)).toMatchObject({
        listener: 'virtualOutbound',
        filter: { kind: 'tcp', cluster: 'PassthroughCluster' },
      })
      expect(proxy(scenario, locked, 'webapp').dispatch(tls)).toMatchObject({
        listener: 'virtualOutbound',
        filter: { kind: 'tcp', cluster: 'BlackHoleCluster' },
      })
    }
  })
})
