import { stringify } from 'yaml'
import { NODE_PORTS } from './profiles.js'

export interface ServicePort {
  readonly name: string
  readonly port: number
  readonly targetPort: number
  readonly nodePort?: number
}

/**
 * The IstioOperator overlay `up` installs with. The ingress gateway's Service is pinned to
 * NodePort here, at install time, rather than patched afterwards: a later `istioctl install`
 * would undo a patch. The `ports` list replaces the default one, so it must repeat
 * `status-port` 15021 (the gateway's readiness port). Access logs go to stdout so the
 * scenarios can read every proxy's decisions. Field names: install.istio.io/v1alpha1
 * IstioOperator, components.ingressGateways[].k8s.service.
 */
export function istioOperatorOverlay(): {
  apiVersion: 'install.istio.io/v1alpha1'
  kind: 'IstioOperator'
  spec: {
    profile: 'default'
    meshConfig: { accessLogFile: string }
    components: {
      ingressGateways: {
        name: string
        enabled: boolean
        k8s: { service: { type: 'NodePort'; ports: ServicePort[] } }
      }[]
    }
  }
} {
  return {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    spec: {
      profile: 'default',
      meshConfig: { accessLogFile: '/dev/stdout' },
      components: {
        ingressGateways: [
          {
            name: 'istio-ingressgateway',
            enabled: true,
            k8s: {
              service: {
                type: 'NodePort',
                ports: [
                  { name: 'status-port', port: 15021, targetPort: 15021 },
                  { name: 'http2', port: 80, targetPort: 8080, nodePort: NODE_PORTS.http },
                  { name: 'https', port: 443, targetPort: 8443, nodePort: NODE_PORTS.https },
                ],
              },
            },
          },
        ],
      },
    },
  }
}

export function istioOperatorYaml(): string {
  return stringify(istioOperatorOverlay())
}
