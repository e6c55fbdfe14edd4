import { describe, expect, it } from 'vitest'
import {
  CATCH_ALL_TO_V1 as catchAll,
  HEADER_TO_V2 as header,
  CATALOG_V1 as V1,
  CATALOG_V2 as V2,
} from '../testing/route-views.js'
import type { RouteView } from './inspect.js'
import { routeFor, routesOnlyTo } from './match.js'

const weighted = (w1: number, w2: number): RouteView => ({
  index: 0,
  match: { prefix: '/', headers: [] },
  target: {
    kind: 'weighted',
    clusters: [
      { name: V1, weight: w1 },
      { name: V2, weight: w2 },
    ],
  },
  mirrors: [],
})

describe('which route a request takes', () => {
  it('takes the first route whose matchers all hold; header names are case-insensitive', () => {
    expect(routeFor([header, catchAll], { path: '/items', headers: { 'X-Istio-Cohort': 'internal' } })).toBe(
      header,
    )
    expect(routeFor([header, catchAll], { path: '/items', headers: { 'x-istio-cohort': 'external' } })).toBe(
      catchAll,
    )
    expect(routeFor([header, catchAll], { path: '/items' })).toBe(catchAll)
    expect(routeFor([catchAll, header], { path: '/items', headers: { 'x-istio-cohort': 'internal' } })).toBe(
      catchAll,
    )
    expect(routeFor([header], { path: '/items' })).toBeUndefined()
  })

  it('honours prefix, regex and presence matchers and their inversion', () => {
    const m = (h: RouteView['match']['headers'][number]): RouteView => ({
      ...catchAll,
      match: { prefix: '/', headers: [h] },
    })
    expect(
      routeFor([m({ name: 'a', prefix: 'in' })], { path: '/', headers: { a: 'internal' } }),
    ).toBeDefined()
    expect(
      routeFor([m({ name: 'a', regex: 'in.*' })], { path: '/', headers: { a: 'xinternal' } }),
    ).toBeUndefined()
    expect(routeFor([m({ name: 'a', present: false })], { path: '/' })).toBeDefined()
    expect(
      routeFor([m({ name: 'a', exact: 'b', invert: true })], { path: '/', headers: { a: 'c' } }),
    ).toBeDefined()
  })

  it('knows a table that sends a request only to one cluster from a mixed or stale one', () => {
    expect(routesOnlyTo([weighted(0, 100)], { path: '/items' }, V2)).toBe(true)
    expect(routesOnlyTo([weighted(90, 10)], { path: '/items' }, V1)).toBe(false)
    expect(routesOnlyTo([header, catchAll], { path: '/items' }, V1)).toBe(true)
    expect(
      routesOnlyTo([header, catchAll], { path: '/items', headers: { 'x-istio-cohort': 'internal' } }, V1),
    ).toBe(false)
  })
})
