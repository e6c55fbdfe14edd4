import {
  type AccessLogClusterEvidence,
  type AccessLogMatchEvidence,
  judgeAccessLogCluster,
  judgeAccessLogMatch,
} from './access-logs.js'
import type { BasicVerdict } from './basic.js'
import {
  type CanaryStepsEvidence,
  type CanaryTimelineEvidence,
  judgeCanarySteps,
  judgeCanaryTimeline,
} from './canary.js'
import {
  judgeMirrorCount,
  judgeMirrorHost,
  type MirrorCountEvidence,
  type MirrorHostEvidence,
} from './mirror.js'
import { judgeRouteOrder, type RouteOrderEvidence } from './routes.js'
import { judgeShare, type ShareEvidence, type ShareVerdict } from './shares.js'

/**
 * Every kind of evidence a check can produce, and one pure judge for all of them, so any
 * verdict can be recomputed from saved evidence (`report rejudge`). The judges live by family:
 * shares.ts (ratio and zero-tolerance), routes.ts (route tables), access-logs.ts, mirror.ts,
 * canary.ts (timeline and steps).
 */

/** The convergence gate passed: K consecutive responses of the expected class. */
export interface ConvergedEvidence {
  readonly kind: 'converged'
  readonly expected: string
  readonly consecutive: number
  readonly requests: number
  readonly elapsedMs: number
}

/** A check that could not gather evidence (convergence timed out, a read failed). */
export interface UnobservedEvidence {
  readonly kind: 'unobserved'
  readonly reason: string
}

export type Evidence =
  | ShareEvidence
  | RouteOrderEvidence
  | AccessLogClusterEvidence
  | ConvergedEvidence
  | UnobservedEvidence
  | CanaryTimelineEvidence
  | CanaryStepsEvidence
  | MirrorCountEvidence
  | MirrorHostEvidence
  | AccessLogMatchEvidence

export type Verdict = ShareVerdict | BasicVerdict

export function judge(evidence: Evidence): Verdict {
  switch (evidence.kind) {
    case 'ratio':
    case 'zero-tolerance':
      return judgeShare(evidence)
    case 'route-order':
      return judgeRouteOrder(evidence)
    case 'access-log-cluster':
      return judgeAccessLogCluster(evidence)
    case 'canary-timeline':
      return judgeCanaryTimeline(evidence)
    case 'canary-steps':
      return judgeCanarySteps(evidence)
    case 'mirror-count':
      return judgeMirrorCount(evidence)
    case 'mirror-host':
      return judgeMirrorHost(evidence)
    case 'access-log-match':
      return judgeAccessLogMatch(evidence)
    case 'converged':
      return {
        passed: true,
        cause: `${evidence.consecutive} consecutive ${evidence.expected} responses after ${evidence.requests} requests (${(evidence.elapsedMs / 1000).toFixed(1)} s)`,
      }
    case 'unobserved':
      return { passed: false, cause: `not observed: ${evidence.reason}` }
  }
}
