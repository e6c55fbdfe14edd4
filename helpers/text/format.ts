/** A share as a percentage with one decimal: 0.1 -> "10.0%". The one formatter reports and judges use. Pure. */
export function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`
}
