/**
 * How a state key orders the lists in it. Without symmetry a list is in plain text order; under a
 * renaming of interchangeable calls (sim/symmetry.ts) in the order its elements will have once
 * the whole key is renamed, so that the renamed key is the one the renamed state would have.
 */
export type KeyOrder = (text: string) => string;

/**
 * The texts of `xs` (String of each), sorted by `order` (by their own text without one), joined
 * by `sep`: one array, sorted in place, for the state keys the search computes at every state.
 */
export function joinSorted(xs: Iterable<unknown>, sep: string, order?: KeyOrder): string {
  const a: string[] = [];
  for (const x of xs) a.push(typeof x === 'string' ? x : String(x));
  if (a.length < 2) return a.length === 0 ? '' : a[0]!;
  if (!order) return a.sort().join(sep);
  const by = new Map<string, string>();
  for (const x of a) by.set(x, order(x));
  return a.sort((x, y) => {
    const p = by.get(x)!;
    const q = by.get(y)!;
    return p < q ? -1 : p > q ? 1 : 0;
  }).join(sep);
}
