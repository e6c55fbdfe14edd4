import { describe, expect, it } from 'vitest'
import { describeRoutes, outboundCluster, routesOf, targetClusters } from './inspect.js'

const FQDN = 'catalog.istioinaction.svc.cluster.local'
const V1 = outboundCluster(80, 'version-v1', FQDN)
const V2 = outboundCluster(80, 'version-v2', FQDN)

// Shape of `istioctl proxy-config routes deploy/istio-ingressgateway.istio-system --name http.8080 -o json`
// (ch5-lab.md: RouteConfiguration objects; header matchers as stringMatch in current Envoy).
const ISTIOCTL_ROUTES = [
  {
    name: 'http.8080',
    virtualHosts: [
      {
        name: 'catalog.istioinaction.io:80',
        domains: ['catalog.istioinaction.io', 'catalog.istioinaction.io:*'],
        routes: [
          {
            match: {
              prefix: '/',
              caseSensitive: true,
              headers: [{ name: 'x-istio-cohort', stringMatch: { exact: 'internal' } }],
            },
            route: { cluster: V2, timeout: '0s' },
            metadata: {},
          },
          { match: { prefix: '/', caseSensitive: true }, route: { cluster: V1, timeout: '0s' } },
        ],
      },
      {
        name: 'blackhole:80',
        domains: ['*'],
        routes: [{ name: 'default', match: { prefix: '/' }, directResponse: { status: 404 } }],
      },
    ],
    validateClusters: false,
  },
]

// The mesh-side route table for weighted shifting and mirroring, as Envoy's admin config_dump
// prints it (RoutesConfigDump, snake_case proto field names); the legacy exact_match header form.
const CONFIG_DUMP = {
  configs: [
    {
      '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
      dynamic_route_configs: [
        {
          version_info: '2026-11-27T07:00:00Z/12',
          route_config: {
            '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
            name: '80',
            virtual_hosts: [
              {
                name: 'catalog.istioinaction.svc.cluster.local:80',
                domains: ['catalog.istioinaction.svc.cluster.local', 'catalog', 'catalog.istioinaction'],
                routes: [
                  {
                    match: { prefix: '/', headers: [{ name: 'x-istio-cohort', exact_match: 'internal' }] },
                    route: {
                      weighted_clusters: {
                        clusters: [
                          { name: V1, weight: 90 },
                          { name: V2, weight: 10 },
                        ],
                        total_weight: 100,
                      },
                    },
                  },
                  {
                    match: { prefix: '/' },
                    route: {
                      cluster: V1,
                      request_mirror_policies: [
                        {
                          cluster: V2,
                          runtime_fraction: { default_value: { numerator: 100 } },
                          trace_sampled: false,
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  ],
}

describe('routesOf', () => {
  it('lists the header route to v2 before the catch-all to v1, in evaluation order', () => {
    const routes = routesOf(ISTIOCTL_ROUTES, 'http.8080', 'catalog.istioinaction.io:80')
    expect(routes.map((r) => [r.index, r.match.headers, targetClusters(r)])).toEqual([
      [0, [{ name: 'x-istio-cohort', exact: 'internal' }], [V2]],
      [1, [], [V1]],
    ])
  })

  it('finds a virtual host by domain as well as by name', () => {
    expect(routesOf(ISTIOCTL_ROUTES, 'http.8080', 'catalog.istioinaction.io')).toHaveLength(2)
  })

  it('reads weighted clusters and mirror policies from an Envoy config dump', () => {
    const routes = routesOf(CONFIG_DUMP, '80', 'catalog')
    expect(routes[0]?.target).toEqual({
      kind: 'weighted',
      clusters: [
        { name: V1, weight: 90 },
        { name: V2, weight: 10 },
      ],
    })
    expect(routes[0]?.match.headers).toEqual([{ name: 'x-istio-cohort', exact: 'internal' }])
    expect(routes[1]?.mirrors).toEqual([{ cluster: V2, percent: 100 }])
  })

  it('reads a direct response and explains a missing virtual host or route', () => {
    expect(routesOf(ISTIOCTL_ROUTES, 'http.8080', 'blackhole:80')[0]?.target).toEqual({
      kind: 'direct-response',
      status: 404,
    })
    expect(() => routesOf(ISTIOCTL_ROUTES, 'http.8080', 'webapp.istioinaction.io:80')).toThrow(
      'route http.8080 has no virtual host webapp.istioinaction.io:80 (has: catalog.istioinaction.io:80, blackhole:80)',
    )
    expect(() => routesOf(ISTIOCTL_ROUTES, 'http.9999', 'x')).toThrow(
      'no route configuration named http.9999',
    )
  })

  it('describes routes one line each', () => {
    expect(describeRoutes(routesOf(CONFIG_DUMP, '80', 'catalog'))).toEqual([
      `#0 prefix / headers x-istio-cohort=internal -> ${V1} (90), ${V2} (10)`,
      `#1 prefix / -> ${V1} mirror ${V2} 100%`,
    ])
  })
})
