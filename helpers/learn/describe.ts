import type { Lang } from '../i18n/lang.js'
import { t } from '../i18n/messages.js'
import { scenarioText } from '../i18n/scenario-texts.js'
import type { CanonicalObject, Json } from './normalize.js'
import type { Step } from './steps.js'

/**
 * A step in a line, as a learner reads it: "5.2.5 Dark-launch catalog v2 at the edge with the
 * x-istio-cohort header (step cohort-to-v2): VirtualService catalog-vs-from-gw
 * (catalog.istioinaction.io via catalog-gateway): matches x-istio-cohort: internal ->
 * version-v2; otherwise -> version-v1". Pure.
 */

type Obj = Record<string, Json>
const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : [])
const str = (v: Json | undefined) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v))

/** catalog.istioinaction.svc.cluster.local reads catalog; other hosts as they are. */
const shortHost = (host: string, namespace: string) => host.replace(`.${namespace}.svc.cluster.local`, '')

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`

function targets(route: Json | undefined, namespace: string): string {
  const dests = list(route).filter(isObj)
  return dests
    .map((d) => {
      const name = str(d.subset) || shortHost(str(d.host), namespace)
      return dests.length > 1 ? `${name} ${percent(Number(d.share))}` : name
    })
    .join(', ')
}

function conditions(match: Json | undefined): string {
  return list(match)
    .filter(isObj)
    .map((m) => {
      const parts: string[] = []
      for (const [name, cond] of Object.entries(isObj(m.headers) ? m.headers : {})) {
        const c = isObj(cond) ? cond : {}
        const [op, value] = Object.entries(c)[0] ?? ['', '']
        parts.push(op === 'exact' ? `${name}: ${str(value)}` : `${name} ${op} ${str(value)}`)
      }
      if (isObj(m.uri))
        parts.push(
          `uri ${Object.entries(m.uri)
            .map(([k, v]) => `${k} ${str(v)}`)
            .join(' ')}`,
        )
      for (const k of Object.keys(m).filter((k) => k !== 'headers' && k !== 'uri'))
        parts.push(`${k} ${str(m[k])}`)
      return parts.join(' & ')
    })
    .join(' | ')
}

function virtualService(o: CanonicalObject, lang: Lang, namespace: string): string {
  const spec = isObj(o.spec) ? o.spec : {}
  const rules = list(spec.http).filter(isObj)
  const texts = rules.map((r, i) => {
    const main = targets(r.route, namespace)
    const withMirror = isObj(r.mirror)
      ? t(lang, 'describe.mirror', {
          targets: main,
          mirror: str(r.mirror.subset) || shortHost(str(r.mirror.host), namespace),
        })
      : main
    if (r.match !== undefined)
      return t(lang, 'describe.rule.when', { conditions: conditions(r.match), targets: withMirror })
    return t(lang, i === 0 ? 'describe.rule.all' : 'describe.rule.else', { targets: withMirror })
  })
  return t(lang, 'describe.vs', {
    name: o.name,
    hosts: list(spec.hosts)
      .map((h) => shortHost(str(h), namespace))
      .join(', '),
    gateways: list(spec.gateways)
      .map((g) => str(g).replace(`${namespace}/`, ''))
      .join(', '),
    rules: texts.join('; '),
  })
}

/** One object in a phrase. */
export function describeObject(o: CanonicalObject, lang: Lang, namespace: string): string {
  const spec = isObj(o.spec) ? o.spec : {}
  switch (o.kind) {
    case 'VirtualService':
      return virtualService(o, lang, namespace)
    case 'DestinationRule':
      return t(lang, 'describe.dr', {
        name: o.name,
        subsets: list(spec.subsets)
          .filter(isObj)
          .map((s) => {
            const labels = isObj(s.labels)
              ? Object.entries(s.labels)
                  .map(([k, v]) => `${k}=${str(v)}`)
                  .join(',')
              : ''
            return `${str(s.name)} (${labels})`
          })
          .join(', '),
      })
    case 'Gateway': {
      const servers = list(spec.servers).filter(isObj)
      return t(lang, 'describe.gw', {
        name: o.name,
        hosts: servers.flatMap((s) => list(s.hosts).map(str)).join(', '),
        port: servers.map((s) => (isObj(s.port) ? str(s.port.number) : '')).join(', '),
      })
    }
    case 'ServiceEntry':
      return t(lang, 'describe.se', { name: o.name, hosts: list(spec.hosts).map(str).join(', ') })
    case 'Telemetry': {
      const selector =
        isObj(spec.selector) && isObj(spec.selector.matchLabels) ? spec.selector.matchLabels : {}
      return t(lang, 'describe.telemetry', {
        name: o.name,
        selector:
          Object.entries(selector)
            .map(([k, v]) => `${k}=${str(v)}`)
            .join(',') || '*',
      })
    }
    case 'Canary':
      return t(lang, 'describe.canary', {
        name: o.name,
        target: isObj(spec.targetRef) ? str(spec.targetRef.name) : '',
      })
    default:
      return t(lang, 'describe.sidecar', { name: o.name })
  }
}

/** "5.2.5 <title> (step cohort-to-v2)". */
export function stepLabel(step: Step, lang: Lang): string {
  return t(lang, 'step.label', {
    section: step.scenario.section,
    title: scenarioText(lang, step.scenario.id, 'title', step.scenario.title),
    set: step.set,
  })
}

/** The label and what the step changes (its own objects, its outbound policy). */
export function describeStep(step: Step, lang: Lang, namespace: string): string {
  const what = [
    ...step.added.map((o) => describeObject(o, lang, namespace)),
    ...(step.registryOnly && step.added.length === 0 ? [t(lang, 'describe.policy')] : []),
  ]
  return t(lang, 'step.what', { label: stepLabel(step, lang), what: what.join('; ') })
}
