/**
 * The commands a hint names, made right for the learner's cluster. Hints write commands the way
 * the book does, in backticks, for the lab's names (`kubectl logs deploy/catalog-v2 -n
 * istioinaction -c istio-proxy`, `istioctl proxy-config routes deploy/istio-ingressgateway -n
 * istio-system --name http.8080 -o json`); shown to a user, each kubectl and istioctl command
 * gets the kube context the suite used, and the ingress gateway's real namespace and route name
 * where they differ from the book's. Pure.
 */

export interface ClusterNames {
  /** The kube context the suite talked to; commands without it would go to kubectl's current one. */
  readonly context?: string
  /** Where the ingress gateway runs, when not istio-system. */
  readonly ingressNamespace?: string
  /** The gateway's HTTP route name, when not http.8080 (the target port of the Service's port 80). */
  readonly ingressRouteName?: string
  /** The lab's namespace, when not the book's istioinaction (run --namespace). */
  readonly namespace?: string
}

/** A word a shell reads as one argument: as is when plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9._:@/=+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

const TOOLS = /^(kubectl|istioctl)(\s|$)/

/** One command, with the context after the tool and the gateway's names substituted. */
export function commandFor(command: string, names: ClusterNames): string {
  let out = command
  if (names.ingressNamespace && names.ingressNamespace !== 'istio-system')
    out = out.replace(
      /(deploy\/istio-ingressgateway\S*\s+-n\s+)istio-system\b/g,
      `$1${names.ingressNamespace}`,
    )
  if (names.namespace && names.namespace !== 'istioinaction')
    out = out.replace(/(\s-n\s+)istioinaction\b/g, `$1${names.namespace}`)
  if (names.ingressRouteName && names.ingressRouteName !== 'http.8080')
    out = out.replace(/--name http\.8080\b/g, `--name ${names.ingressRouteName}`)
  if (names.context && TOOLS.test(out) && !/\s--context[=\s]/.test(out))
    out = out.replace(
      TOOLS,
      (_m, tool: string, space: string) => `${tool} --context ${shellWord(names.context ?? '')}${space}`,
    )
  return out
}

/** The backtick spans of a text that are kubectl or istioctl commands. */
export function commandsIn(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string).filter((c) => TOOLS.test(c))
}

/** A hint with each of its commands made right for the cluster; the rest of the text unchanged. */
export function forCluster(text: string, names: ClusterNames): string {
  return text.replace(/`([^`\n]+)`/g, (whole, command: string) =>
    TOOLS.test(command) ? `\`${commandFor(command, names)}\`` : whole,
  )
}
