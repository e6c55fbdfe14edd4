/**
 * What every judge returns when its verdict is not a share verdict: pass or fail, one line
 * naming the cause and the numbers, and details for people and reports. Pure.
 */
export interface BasicVerdict {
  readonly passed: boolean
  readonly cause: string
  readonly details?: Readonly<Record<string, unknown>>
}
