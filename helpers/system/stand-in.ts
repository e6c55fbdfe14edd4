import { GenericContainer, Wait } from 'testcontainers'
import { STAND_IN_IMAGE, STAND_IN_SERVER } from './stand-in-program.js'

/** A stand-in for an outside host (the service-entry scenario's hermetic mode). */
export interface StandIn {
  /** Its address on the cluster's network. */
  readonly address: string
  stop(): Promise<void>
}

/**
 * Starts the stand-in on kind's Docker network, so pods on the kind node reach it by its
 * container address; the caller points the cluster's DNS at that address.
 */
export async function startUsersStandIn(network = 'kind'): Promise<StandIn> {
  const container = await new GenericContainer(STAND_IN_IMAGE)
    .withNetworkMode(network)
    .withCommand(['node', '-e', STAND_IN_SERVER])
    .withEnvironment({ PORT: '80' })
    .withExposedPorts(80)
    .withWaitStrategy(Wait.forHttp('/users', 80))
    .start()
  return {
    address: container.getIpAddress(network),
    stop: async () => {
      await container.stop()
    },
  }
}
