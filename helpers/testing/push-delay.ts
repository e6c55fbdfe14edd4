import type { KubernetesObject } from '@kubernetes/client-node'
import type { FakeLab } from './fake-lab.js'

/**
 * istiod pushes a change after its debounce (PILOT_DEBOUNCE_AFTER 100 ms, up to
 * PILOT_DEBOUNCE_MAX 10 s: istio/istio 1.31 pilot/pkg/features/tuning.go), so the first calls of the
 * convergence gate after a change still meet the old configuration. In the in-memory lab a
 * change takes effect at once; this holds back the first objects `held` picks from an apply
 * until the next convergence gate has sent `calls` requests under the old configuration.
 */
export function delayPush(
  fake: FakeLab,
  held: (objects: readonly KubernetesObject[]) => readonly KubernetesObject[],
  calls = 4,
): void {
  const apply = fake.cluster.apply
  let holding: readonly KubernetesObject[] = []
  let done = false
  fake.cluster.apply = async (objects) => {
    if (!done && holding.length === 0) holding = held(objects)
    return apply(objects.filter((o) => !holding.includes(o)))
  }
  const converge = fake.ingress.converge
  fake.ingress.converge = async (probe, expected, timeoutMs) => {
    if (holding.length > 0) {
      await fake.ingress.sample(probe, { maxRequests: calls, onOrdered: () => false })
      await apply(holding)
      holding = []
      done = true
    }
    return converge(probe, expected, timeoutMs)
  }
}
