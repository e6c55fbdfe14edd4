import { formatConfidence, type ShareVerdict } from '../evidence/shares.js'
import { percent } from '../text/format.js'
import type { CheckResult } from './model.js'

export function isShareVerdict(v: CheckResult['verdict']): v is ShareVerdict {
  return 'procedure' in v
}

/** The key numbers of a check in one line: shares, interval, n, error probabilities. Pure. */
export function keyNumbers(check: CheckResult): string {
  const v = check.verdict
  if (isShareVerdict(v)) {
    const observed = v.observedShare === null ? 'none' : percent(v.observedShare)
    const common = `v1 ${v.counts.v1}, v2 ${v.counts.v2}, errors ${v.counts.error}`
    if (v.procedure === 'zero-tolerance') {
      return `expected share ${percent(v.expectedShare)}, observed ${observed}, n=${v.n} (${common}); misses a ${percent(v.delta)} leak with p <= ${v.oc.miss.toExponential(1)}`
    }
    return `expected share ${percent(v.expectedShare)} +- ${percent(v.delta)}, observed ${observed}, ${formatConfidence(v.alpha)} interval [${percent(v.interval[0])}, ${percent(v.interval[1])}], n=${v.n} of ${v.requests} requests (${common}); false failure ${v.oc.falseFailure.toExponential(1)}, miss ${v.oc.miss.toExponential(1)}`
  }
  const details = 'details' in v && v.details ? v.details : undefined
  if (!details) return ''
  return Object.entries(details)
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .map(([k, value]) => `${k}=${value}`)
    .join(', ')
}
