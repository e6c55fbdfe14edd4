import { stringify } from 'yaml'
import { NODE_PORTS, type Profile } from './profiles.js'

export interface PortMapping {
  readonly containerPort: number
  readonly hostPort: number
  readonly listenAddress: string
  readonly protocol: 'TCP'
}

export interface KindClusterConfig {
  readonly kind: 'Cluster'
  readonly apiVersion: 'kind.x-k8s.io/v1alpha4'
  readonly name: string
  readonly nodes: readonly {
    readonly role: 'control-plane'
    readonly image: string
    readonly extraPortMappings: readonly PortMapping[]
  }[]
}

/**
 * kind's cluster config for a profile: one control-plane node from the profile's pinned
 * image; the ingress node ports published on 127.0.0.1 only (container port = host port),
 * so nothing on the LAN reaches the lab. Format: kind.x-k8s.io/v1alpha4
 * (https://kind.sigs.k8s.io/docs/user/configuration/#extra-port-mappings).
 */
export function kindConfig(profile: Profile, clusterName: string): KindClusterConfig {
  const mapping = (port: number): PortMapping => ({
    containerPort: port,
    hostPort: port,
    listenAddress: '127.0.0.1',
    protocol: 'TCP',
  })
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: clusterName,
    nodes: [
      {
        role: 'control-plane',
        image: profile.kind.nodeImage,
        extraPortMappings: [mapping(NODE_PORTS.http), mapping(NODE_PORTS.https)],
      },
    ],
  }
}

export function kindConfigYaml(profile: Profile, clusterName: string): string {
  return stringify(kindConfig(profile, clusterName))
}
