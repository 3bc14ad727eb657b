/**
 * Comparing unseen moments (RULES.md, "How a trace is judged", items 1–3). A moment is known
 * only to lie in an open window (lo, hi) between two events' sequence numbers, or exactly at an
 * annotation (lo = hi = the annotation's seq). Windows never share an end by construction
 * (distinct events), so "every x before every y" is simply `x.hi <= y.lo`.
 */

/** In how many placements x comes before y: every one, none, or some but not all. */
export type Placement = 'all' | 'none' | 'some';

/** Whether a moment in (xLo, xHi) precedes a moment in (yLo, yHi), over all placements. */
export function precedes(xLo: number, xHi: number, yLo: number, yHi: number): Placement {
  if (xHi <= yLo) return 'all';
  if (yHi <= xLo) return 'none';
  return 'some';
}
