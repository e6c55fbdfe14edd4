import { describe, expect, it } from 'vitest'
import { ISTIO_LINES } from '../cluster/istio-releases.js'
import {
  ACCESS_LOG_CLUSTER_FIELD,
  ACCESS_LOG_FLUSH_MS,
  BEHAVIOUR_TABLE,
  type Behaviour,
  changesBetween,
  DEFAULT_IMAGE_HUB,
  expectedBehaviour,
  GATEWAY_KEEPS_CLIENT_REQUEST_ID,
  MIRROR_SHADOW_SUFFIX,
  NATIVE_SIDECARS,
  proxyIsNativeSidecar,
  UNREACHABLE_RULE_WARNING,
} from './istio-behaviour.js'

const TABLE: Behaviour<unknown>[] = [
  MIRROR_SHADOW_SUFFIX,
  ACCESS_LOG_CLUSTER_FIELD,
  NATIVE_SIDECARS,
  GATEWAY_KEEPS_CLIENT_REQUEST_ID,
  UNREACHABLE_RULE_WARNING,
  ACCESS_LOG_FLUSH_MS,
  DEFAULT_IMAGE_HUB,
] as Behaviour<unknown>[]

const SOURCED =
  /^(istio\/[\w.-]+ (\d+\.\d+\.\d+|release-\d+\.\d+)( and (\d+\.\d+\.\d+|release-\d+\.\d+)|\.\.release-\d+\.\d+)? [\w/(]|envoyproxy\/envoy source\/\S+)/

describe('every behaviour in the table', () => {
  it.each(BEHAVIOUR_TABLE.map((b) => [b.topic, b]))(
    '%s: one rule for every Istio line from 1.17 to the newest, each naming the upstream file or release note',
    (_, b) => {
      for (const l of ISTIO_LINES) {
        const matching = b.rules.filter((r) => expectedBehaviour({ ...b, rules: [r] }, `${l.line}.0`))
        expect(matching, `${b.topic} ${l.line}`).toHaveLength(1)
      }
      for (const r of b.rules) {
        // istio: the repository, a tag or release branch, and a file or release note. envoy: its
        // file (the rule's Istio versions say which Envoy: the one each Istio release ships).
        expect(r.source, r.note).toMatch(SOURCED)
        expect(r.note.length, r.source).toBeGreaterThan(10)
      }
    },
  )

  it('the source check fails an entry without a version or file', () => {
    expect('istio/istio pilot/pkg/features').not.toMatch(SOURCED)
    expect('envoyproxy/envoy somewhere').not.toMatch(SOURCED)
    expect('trust me').not.toMatch(SOURCED)
    expect('istio/istio release-1.24 releasenotes/notes/50506.yaml').toMatch(SOURCED)
  })

  it('names what changes between two versions, with both rules', () => {
    const changes = changesBetween('1.27.9', '1.28.10')
    expect(changes.map((c) => c.topic)).toEqual(['mirror-shadow-suffix'])
    expect(changesBetween('1.17.8', '1.31.1').map((c) => c.topic)).toEqual([
      'mirror-shadow-suffix',
      'access-log-cluster-field',
      'native-sidecars',
      'gateway-keeps-client-request-id',
      'unreachable-rule-warning',
      'networking-api-version',
      'default-retry-on-503',
      'inbound-retry',
      'virtualservice-mirrors',
    ])
    expect(changesBetween('1.30.5', '1.31.1').map((c) => c.topic)).toEqual(['default-image-hub'])
  })
})

describe('the behaviour table', () => {
  it.each(TABLE.map((b) => [b.topic, b]))('%s: exactly one rule per version, each with a source', (_, b) => {
    for (let minor = 10; minor <= 40; minor++) {
      const matching = b.rules.filter((r) => expectedBehaviour({ ...b, rules: [r] }, `1.${minor}.0`))
      expect(matching, `1.${minor}`).toHaveLength(1)
    }
    for (const r of b.rules) expect(r.source).toMatch(/^(istio|envoyproxy)\//)
  })

  it('has the access-log cluster field change at 1.23.0 (backport #52410), not 1.24', () => {
    expect(expectedBehaviour(ACCESS_LOG_CLUSTER_FIELD, '1.22.8')?.value).toBe('%UPSTREAM_CLUSTER%')
    expect(expectedBehaviour(ACCESS_LOG_CLUSTER_FIELD, '1.23.0')?.value).toBe('%UPSTREAM_CLUSTER_RAW%')
    expect(expectedBehaviour(ACCESS_LOG_CLUSTER_FIELD, '1.23.0')?.note).toContain('1.23.0')
  })

  it('knows where istio-proxy runs: native sidecar from Istio 1.27 on Kubernetes >= 1.33', () => {
    expect(proxyIsNativeSidecar('1.17.8', 'v1.26.15')).toBe(false)
    expect(proxyIsNativeSidecar('1.26.3', 'v1.33.0')).toBe(false)
    expect(proxyIsNativeSidecar('1.27.0', 'v1.32.9')).toBe(false)
    expect(proxyIsNativeSidecar('1.30.5', 'v1.36.4')).toBe(true)
    expect(proxyIsNativeSidecar('1.31.1', '1.33.0')).toBe(true)
    expect(proxyIsNativeSidecar('unknown', 'v1.36.4')).toBeUndefined()
  })

  it('says which versions keep a client x-request-id at the gateway and which warn about unreachable rules', () => {
    expect(expectedBehaviour(GATEWAY_KEEPS_CLIENT_REQUEST_ID, '1.17.8')?.value).toBe(true)
    expect(expectedBehaviour(GATEWAY_KEEPS_CLIENT_REQUEST_ID, '1.25.0')?.value).toBe(false)
    expect(expectedBehaviour(UNREACHABLE_RULE_WARNING, '1.17.8')?.value).toBeNull()
    expect(expectedBehaviour(UNREACHABLE_RULE_WARNING, '1.31.1')?.value).toBe(
      'virtualService rule #1 not used (route without matches defined before)',
    )
    expect(expectedBehaviour(DEFAULT_IMAGE_HUB, '1.30.5')?.value).toBe('registry.istio.io/release')
    expect(expectedBehaviour(DEFAULT_IMAGE_HUB, '1.31.1')?.value).toBe('docker.io/istio')
  })
})
