import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { BaseLabRun, type BaseLabUser, baseObjects, orderForBaseLab, planBaseLab } from './base-lab.js'

/** A base lab of two apps, each a Service and a Deployment, from an in-memory loader. */
const app = (name: string): KubernetesObject[] => [
  { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'istioinaction' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'istioinaction' },
    spec: { template: { metadata: { labels: { app: name } } } },
  } as KubernetesObject,
]
const load = (file: string) => app(file.replace(/^apps\/|\.yaml$/g, ''))
const DEFINITION = { files: ['apps/a.yaml', 'apps/b.yaml'] }
const BASE = baseObjects(DEFINITION, load)
const user = (id: string, files: string[], without: BaseLabUser['without'] = []): BaseLabUser => ({
  id,
  manifestSets: [{ files }],
  without,
})

describe('the base lab plan', () => {
  it('applies every Service first, and a Deployment before the first scenario that names its file', () => {
    const plan = planBaseLab(
      [user('one', ['apps/a.yaml']), user('two', ['apps/a.yaml', 'apps/b.yaml'])],
      BASE,
    )
    expect(plan.steps).toEqual([
      {
        scenario: 'one',
        remove: [],
        apply: ['Service/a', 'Deployment/a', 'Service/b'],
        replace: [],
        ready: ['a'],
      },
      { scenario: 'two', remove: [], apply: ['Deployment/b'], replace: [], ready: ['a', 'b'] },
    ])
    expect(plan.rollouts).toEqual({ 'Deployment/a': 1, 'Deployment/b': 1 })
  })

  it('removes what a scenario declares `without`, and counts a second rollout when a later one needs it back', () => {
    const users = [
      user('needs-b', ['apps/b.yaml']),
      user('without-b', ['apps/a.yaml'], ['Deployment/b']),
      user('needs-b-again', ['apps/b.yaml']),
    ]
    const plan = planBaseLab(users, BASE)
    expect(plan.steps[1]).toMatchObject({ remove: ['Deployment/b'], apply: ['Deployment/a'] })
    expect(plan.rollouts['Deployment/b']).toBe(2)
    // The order moves the scenario that takes b away after both that need it: one rollout each.
    const ordered = orderForBaseLab(users, BASE)
    expect(ordered.map((u) => u.id)).toEqual(['needs-b', 'needs-b-again', 'without-b'])
    expect(planBaseLab(ordered, BASE).rollouts).toEqual({ 'Deployment/a': 1, 'Deployment/b': 1 })
  })

  it('keeps a scenario in place when nothing before it needs what it takes away', () => {
    const users = [user('without-b', ['apps/a.yaml'], ['Deployment/b']), user('needs-b', ['apps/b.yaml'])]
    expect(orderForBaseLab(users, BASE).map((u) => u.id)).toEqual(['without-b', 'needs-b'])
    // What a scenario needed gone is replaced, not applied over, when a later one needs it:
    // whatever has that name by then was made during the run, not by the base lab.
    expect(planBaseLab(users, BASE).steps.map((s) => s.replace)).toEqual([[], ['Deployment/b']])
  })

  it('refuses a `without` that names no object of the base lab', () => {
    expect(
      () => new BaseLabRun(DEFINITION, [user('typo', [], ['Deployment/bb'])], 'istioinaction', load),
    ).toThrow('typo: without names Deployment/bb, which is not an object of the base lab')
  })

  it('holds an object only while it is in place, in its namespace, and unchanged', () => {
    const run = new BaseLabRun(DEFINITION, [user('one', ['apps/a.yaml'])], 'itc-staging', load)
    const [service, deployment] = app('a').map((o) => ({
      ...o,
      metadata: { ...o.metadata, namespace: 'itc-staging' },
    })) as [KubernetesObject, KubernetesObject]
    expect(run.holds(deployment)).toBe(false)
    run.placed(['Deployment/a', 'Service/a'])
    expect(run.holds(deployment)).toBe(true)
    expect(run.holds(service)).toBe(true)
    expect(run.holds({ ...deployment, spec: { replicas: 0 } } as KubernetesObject)).toBe(false)
    expect(run.holds({ ...deployment, metadata: { name: 'a', namespace: 'istioinaction' } })).toBe(false)
    run.removed(['Deployment/a'])
    expect(run.holds(deployment)).toBe(false)
    expect(() => run.stepFor('two')).toThrow('the base lab has no step for two')
  })
})
