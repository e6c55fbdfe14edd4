import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { istioOperatorOverlay, istioOperatorYaml } from './istio-operator.js'
import { kindConfig, kindConfigYaml } from './kind-config.js'
import { PROFILES } from './profiles.js'

describe.each(Object.values(PROFILES))('kind config for profile $name', (profile) => {
  const config = kindConfig(profile, 'lab')

  it('has one control-plane node from the pinned image, by digest', () => {
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4')
    expect(config.name).toBe('lab')
    expect(config.nodes).toHaveLength(1)
    expect(config.nodes[0]?.role).toBe('control-plane')
    expect(config.nodes[0]?.image).toBe(profile.kind.nodeImage)
    expect(config.nodes[0]?.image).toMatch(/@sha256:[0-9a-f]{64}$/)
  })

  it('publishes 30000 and 30005 on 127.0.0.1 with container port = host port', () => {
    expect(config.nodes[0]?.extraPortMappings).toEqual([
      { containerPort: 30000, hostPort: 30000, listenAddress: '127.0.0.1', protocol: 'TCP' },
      { containerPort: 30005, hostPort: 30005, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ])
  })

  it('serializes to YAML that reads back to the same object', () => {
    expect(parse(kindConfigYaml(profile, 'lab'))).toEqual(config)
  })
})

describe('IstioOperator overlay', () => {
  const overlay = istioOperatorOverlay()
  const gateway = overlay.spec.components.ingressGateways[0]
  const ports = gateway?.k8s.service.ports ?? []
  const byName = (name: string) => ports.find((p) => p.name === name)

  it('pins the ingress gateway Service to NodePort at install time', () => {
    expect(gateway?.name).toBe('istio-ingressgateway')
    expect(gateway?.enabled).toBe(true)
    expect(gateway?.k8s.service.type).toBe('NodePort')
  })

  it('keeps status-port 15021, because the list replaces the default one', () => {
    expect(byName('status-port')).toEqual({ name: 'status-port', port: 15021, targetPort: 15021 })
  })

  it('maps http2 80 -> 8080 -> 30000 and https 443 -> 8443 -> 30005', () => {
    expect(byName('http2')).toEqual({ name: 'http2', port: 80, targetPort: 8080, nodePort: 30000 })
    expect(byName('https')).toEqual({ name: 'https', port: 443, targetPort: 8443, nodePort: 30005 })
    expect(ports).toHaveLength(3)
  })

  it('sends access logs to stdout and starts from the default profile', () => {
    expect(overlay.spec.meshConfig.accessLogFile).toBe('/dev/stdout')
    expect(overlay.spec.profile).toBe('default')
    expect(parse(istioOperatorYaml())).toEqual(overlay)
  })
})
