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
  const n = a.length;
  if (n < 2) return n === 0 ? '' : a[0]!;
  if (!order) return a.sort().join(sep);
  const by: string[] = new Array(n);
  for (let i = 0; i < n; i++) by[i] = order(a[i]!);
  if (n > SHORT) {
    const at = Array.from({ length: n }, (_, i) => i).sort((i, j) => (by[i]! < by[j]! ? -1 : by[i]! > by[j]! ? 1 : 0));
    return at.map((i) => a[i]!).join(sep);
  }
  // The lists of a key are short: an insertion sort of the texts by their order, stable as sort is.
  for (let i = 1; i < n; i++) {
    const k = by[i]!;
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && by[j]! > k) {
      by[j + 1] = by[j]!;
      a[j + 1] = a[j]!;
      j--;
    }
    by[j + 1] = k;
    a[j + 1] = v;
  }
  return a.join(sep);
}

/** Up to this many texts, insertion sort. */
const SHORT = 16;
