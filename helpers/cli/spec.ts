import { resolveIstio } from '../../cluster/istio-releases.js'
import { DEFAULT_PROFILE } from '../../cluster/profiles.js'
import { parseTarget } from '../http/target.js'
import { DEFAULT_CLUSTER_NAME } from '../kube/context-guard.js'
import { namespaceProblem } from '../manifests/namespace.js'

/**
 * The CLI's commands and flags as data. The parser, the help text and the
 * README's command table all come from this one description.
 */
export interface FlagSpec {
  readonly name: string
  readonly kind: 'boolean' | 'string'
  readonly help: string
  /** For string flags: the value placeholder shown in help. */
  readonly value?: string
  /** For string flags with a closed set of values. */
  readonly choices?: readonly string[]
  readonly default?: string
  /** For string flags: the reason a value is not valid, or undefined. Checked before anything runs. */
  readonly validate?: (value: string) => string | undefined
}

export interface CommandSpec {
  readonly name: string
  readonly summary: string
  readonly usage: string
  readonly flags: readonly FlagSpec[]
  /** Names of the positional arguments, for help; `...` marks a list. */
  readonly positionals: string
  /** Whether the command may change a cluster (and therefore goes through the context guard). */
  readonly changesCluster: boolean
}

const profile: FlagSpec = {
  name: 'profile',
  kind: 'string',
  value: 'P',
  help: 'version profile (see `plan`)',
  default: DEFAULT_PROFILE,
}
/**
 * kind's rule for cluster names (kubernetes-sigs/kind pkg/internal/apis/config/validate.go,
 * validNameRE) and its length limit: the node's hostname is <name>-control-plane, at most 64
 * characters (pkg/cluster/internal/create/create.go, clusterNameMax = 50).
 */
export function clusterNameProblem(value: string): string | undefined {
  if (!/^[a-z0-9.-]+$/.test(value))
    return `'${value}' is not a kind cluster name: use lower-case letters, digits, '.' and '-'`
  if (value.length > 50) return `'${value}' is longer than kind's 50 characters`
  return undefined
}

const name: FlagSpec = {
  name: 'name',
  kind: 'string',
  value: 'NAME',
  help: "the suite's kind cluster name",
  default: DEFAULT_CLUSTER_NAME,
  validate: clusterNameProblem,
}
const kubeconfig: FlagSpec = {
  name: 'kubeconfig',
  kind: 'string',
  value: 'PATH',
  help: 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)',
}
const context: FlagSpec = {
  name: 'context',
  kind: 'string',
  value: 'NAME',
  help: 'kube context to use (default: the current context)',
}
const allowExisting: FlagSpec = {
  name: 'allow-existing-cluster',
  kind: 'boolean',
  help: "allow a context other than the suite's own kind cluster (needs --context)",
}
const failFast: FlagSpec = {
  name: 'fail-fast',
  kind: 'boolean',
  help: 'stop after the first scenario that fails: none starts after it, those running are stopped and cleaned up (reported as failed, with why), those not started are reported as having no result, never as passed',
}
const serial: FlagSpec = {
  name: 'serial',
  kind: 'boolean',
  help: 'run the scenarios one after another in the lab namespace, instead of concurrently each in a namespace of its own',
}
const parallel: FlagSpec = {
  name: 'parallel',
  kind: 'string',
  value: 'N',
  help: "at most N scenarios at once (default 4; suite's own cluster only), each in its own namespace itc-<scenario-id>; 1 runs them one after another in istioinaction",
  validate: (value) =>
    /^[1-9][0-9]*$/.test(value) ? undefined : 'not a whole number of scenarios (1 or more)',
}
const bookTiming: FlagSpec = {
  name: 'book-timing',
  kind: 'boolean',
  help: "use the book's 45 s Flagger analysis interval instead of 20 s",
}
const labNamespace: FlagSpec = {
  name: 'namespace',
  kind: 'string',
  value: 'NAME',
  help: "the lab's namespace (default istioinaction), which must exist with sidecar injection; scenarios then run one after another in it; the book's objects are moved there, with edge hosts <app>.NAME.istioinaction.io beside any other namespace's",
  validate: namespaceProblem,
}
const adoptNamespace: FlagSpec = {
  name: 'adopt-namespace',
  kind: 'boolean',
  help: 'with --allow-existing-cluster: run in a namespace that holds objects the suite did not create (what the suite changes there is journaled and restored; the rest is left alone)',
}
const egress: FlagSpec = {
  name: 'egress',
  kind: 'string',
  value: 'MODE',
  choices: ['hermetic', 'internet'],
  default: 'hermetic',
  help: 'service-entry target: a local stand-in container, or the real host',
}
const json: FlagSpec = {
  name: 'json',
  kind: 'boolean',
  // npm prints its "> script" banner on stdout; -s (or the package bin) keeps stdout pure JSON.
  help: "print one JSON document on stdout (use 'npm run -s conformance -- plan --json': npm's banner is on stdout)",
}
const help: FlagSpec = { name: 'help', kind: 'boolean', help: 'show help' }
const lang: FlagSpec = {
  name: 'lang',
  kind: 'string',
  value: 'LANG',
  choices: ['en', 'ko'],
  help: 'language of the output and the HTML report (default: from $LC_ALL, $LC_MESSAGES or $LANG, else en)',
}
const ingress: FlagSpec = {
  name: 'ingress',
  kind: 'string',
  value: 'HOST:PORT',
  default: '127.0.0.1:30000',
  help: "the ingress gateway's HTTP address (the book's node port 30000 on this machine by default)",
  validate: (value) => {
    const target = parseTarget(value)
    return 'problem' in target ? target.problem : undefined
  },
}

// Issue 15: any Istio release, upgrade rehearsals, CI outputs.
const istioVersionProblem = (value: string): string | undefined => {
  const r = resolveIstio(value)
  return r.ok ? undefined : `${r.problem}; nearest valid versions: ${r.nearest.join(', ')}`
}
const istio: FlagSpec = {
  name: 'istio',
  kind: 'string',
  value: 'V',
  help: 'any Istio release instead of a profile: 1.31.1, or 1.31 for its newest known patch (kind, node image and Flagger chosen from the release tables)',
}
const junit: FlagSpec = {
  name: 'junit',
  kind: 'string',
  value: 'PATH',
  help: 'also write the JUnit XML results to PATH (for a CI test-report step)',
}
const reportDir: FlagSpec = {
  name: 'report-dir',
  kind: 'string',
  value: 'DIR',
  help: 'write the report folder to DIR instead of reports/<time>-<profile>/',
}
const rehearse: CommandSpec = {
  name: 'rehearse',
  summary:
    'rehearse an Istio upgrade on the suite cluster: run at A, upgrade to B (canary by default), run again, diff',
  usage:
    'rehearse --from A --to B [scenario-id...] [--method canary|in-place] [--rollback] [--via X,Y] [--junit PATH] [--report-dir DIR]',
  flags: [
    {
      name: 'from',
      kind: 'string',
      value: 'A',
      help: 'the Istio version to start from (the cluster is built or reused at A)',
      validate: istioVersionProblem,
    },
    {
      name: 'to',
      kind: 'string',
      value: 'B',
      help: 'the Istio version to upgrade to',
      validate: istioVersionProblem,
    },
    {
      name: 'method',
      kind: 'string',
      value: 'M',
      choices: ['canary', 'in-place'],
      default: 'canary',
      help: "canary: B as a revisioned control plane beside A, the lab namespace moved to it (Istio's recommended way); in-place: B replaces A",
    },
    {
      name: 'rollback',
      kind: 'boolean',
      help: 'afterwards move back to A and run again, proving the rollback path',
    },
    {
      name: 'via',
      kind: 'string',
      value: 'X,Y',
      help: 'intermediate versions, for a jump longer than Istio supports in one step (canary: two minors; in-place: one)',
      validate: (value) =>
        value
          .split(',')
          .map((v) => istioVersionProblem(v.trim()))
          .find(Boolean),
    },
    name,
    kubeconfig,
    bookTiming,
    egress,
    junit,
    reportDir,
    help,
  ],
  positionals: '[scenario-id...]',
  changesCluster: true,
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'all',
    summary: 'the main job (default with no command): up if absent, run every scenario, write reports',
    usage:
      '[all] [--profile P | --istio V] [--name NAME] [--fail-fast] [--serial | --parallel N] [--book-timing] [--egress MODE] [--junit PATH] [--report-dir DIR]',
    flags: [
      profile,
      istio,
      name,
      kubeconfig,
      failFast,
      serial,
      parallel,
      bookTiming,
      egress,
      junit,
      reportDir,
      help,
    ],
    positionals: '',
    changesCluster: true,
  },
  {
    name: 'plan',
    summary: 'show what `up` and `run` would do (offline)',
    usage: 'plan [--profile P | --istio V] [--book-timing] [--json]',
    flags: [profile, istio, name, bookTiming, json, help],
    positionals: '',
    changesCluster: false,
  },
  {
    name: 'doctor',
    summary: 'check Docker, tools, port 30000 and the kube context',
    usage: 'doctor [--name NAME] [--kubeconfig PATH]',
    flags: [name, kubeconfig, profile, help],
    positionals: '',
    changesCluster: false,
  },
  {
    name: 'up',
    summary: "create or verify the suite's kind cluster with Istio, Prometheus and Flagger",
    usage: 'up [--profile P | --istio V] [--name NAME]',
    flags: [profile, istio, name, kubeconfig, help],
    positionals: '',
    changesCluster: true,
  },
  {
    name: 'down',
    summary: "delete the suite's kind cluster and nothing else",
    usage: 'down [--name NAME]',
    flags: [name, kubeconfig, help],
    positionals: '',
    changesCluster: true,
  },
  {
    name: 'run',
    summary: 'run scenarios (all by default) and write a report folder',
    usage:
      'run [scenario-id...] [--list] [--serial | --parallel N] [--context NAME --allow-existing-cluster [--namespace NAME] [--adopt-namespace]]',
    flags: [
      { name: 'list', kind: 'boolean', help: 'print the id and title of every scenario and exit' },
      // No --profile: run reads the profile the cluster was built with from the cluster itself.
      name,
      kubeconfig,
      context,
      allowExisting,
      labNamespace,
      adoptNamespace,
      {
        name: 'ingress',
        kind: 'string',
        value: 'HOST:PORT',
        default: '127.0.0.1:30000',
        help: "the ingress gateway's HTTP address (another cluster's ingress with --allow-existing-cluster)",
        validate: (value) => {
          const target = parseTarget(value)
          return 'problem' in target ? target.problem : undefined
        },
      },
      failFast,
      serial,
      parallel,
      bookTiming,
      egress,
      junit,
      reportDir,
      lang,
      help,
    ],
    positionals: '[scenario-id...]',
    changesCluster: true,
  },
  {
    name: 'check',
    summary:
      "observe a learner's lab without changing it: its chapter-5 step, typical mistakes, istioctl analyze, and the behaviour measured",
    usage: 'check [scenario-id...] [--context NAME] [--kubeconfig PATH] [--ingress HOST:PORT] [--lang ko]',
    flags: [kubeconfig, context, ingress, lang, help],
    positionals: '[scenario-id...]',
    changesCluster: false,
  },
  {
    name: 'walkthrough',
    summary:
      "teach chapter 5 on the suite's own cluster: each step's YAML and the book's command, applied, measured and explained",
    usage: 'walkthrough [scenario-id...] [--keep] [--lang ko]',
    flags: [
      name,
      kubeconfig,
      {
        name: 'keep',
        kind: 'boolean',
        help: "leave the last section's objects in place for the class (journaled: 'restore' undoes them)",
      },
      lang,
      help,
    ],
    positionals: '[scenario-id...]',
    changesCluster: true,
  },
  {
    name: 'restore',
    summary: 'undo what an interrupted or crashed run left in the change journal',
    usage: 'restore [--name NAME] [--context NAME --allow-existing-cluster]',
    flags: [name, kubeconfig, context, allowExisting, help],
    positionals: '',
    changesCluster: true,
  },
  {
    name: 'report',
    summary: 'show the latest report, re-judge a run, or diff two runs',
    usage: 'report [rejudge RUN.json | diff RUN_A RUN_B]',
    flags: [help],
    positionals: '[rejudge FILE | diff A B]',
    changesCluster: false,
  },
  rehearse,
]

export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name)

export function findCommand(commandName: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === commandName)
}
