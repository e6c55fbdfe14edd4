import type { Lang } from '../i18n/lang.js'
import { t } from '../i18n/messages.js'
import type { BaseLabRecord } from './model.js'

/**
 * One sentence on a serial run's base lab, in the report's language: where the apps were
 * applied once, how often each workload rolled out, and what removing them at the end did.
 * Plain text: each output format escapes it (cleanup errors come from the cluster).
 */
export function baseLabText(lang: Lang, base: BaseLabRecord): string {
  const rollouts = Object.entries(base.rollouts)
    .map(([workload, n]) => `${workload.replace(/^Deployment\//, '')} ×${n}`)
    .join(', ')
  return base.cleanup.errors.length > 0
    ? t(lang, 'report.baseLabErrors', {
        namespace: base.namespace,
        rollouts,
        errors: base.cleanup.errors.join('; '),
      })
    : t(lang, 'report.baseLab', { namespace: base.namespace, rollouts, deleted: base.cleanup.deleted.length })
}
