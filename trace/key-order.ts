/**
 * How a state key orders the lists in it. Without symmetry a list is in plain text order; under a
 * renaming of interchangeable calls (sim/symmetry.ts) in the order its elements will have once
 * the whole key is renamed, so that the renamed key is the one the renamed state would have.
 */
export type KeyOrder = (text: string) => string;

/** The elements of `xs`, sorted by `order` (by their own text without one). */
export function sortKeys(xs: Iterable<string>, order?: KeyOrder): string[] {
  const a = [...xs];
  if (!order) return a.sort();
  const by = new Map(a.map((x) => [x, order(x)]));
  return a.sort((x, y) => {
    const p = by.get(x)!;
    const q = by.get(y)!;
    return p < q ? -1 : p > q ? 1 : 0;
  });
}
