import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { joinSorted } from './key-order.ts';

/** The texts sorted by their order with a comparison sort (stable), as the definition says. */
function reference(xs: string[], sep: string, order?: (t: string) => string): string {
  const key = order ?? ((t: string) => t);
  return [...xs].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)).join(sep);
}

describe('joinSorted', () => {
  it('sorts by the texts themselves without an order', () => {
    expect(joinSorted(['b', 2, 'a', 10], ',')).toBe('10,2,a,b');
    expect(joinSorted(new Set<string>(), ',')).toBe('');
    expect(joinSorted(['x'], ',')).toBe('x');
  });

  it('sorts by the order of each text, texts of one order kept in their first order', () => {
    // A renaming that swaps c1 and c2: c2's texts come first.
    const order = (t: string) => t.replace(/c[12]/g, (c) => (c === 'c1' ? 'c2' : 'c1'));
    expect(joinSorted(['c1:a', 'c2:b', 'c3'], ';', order)).toBe('c2:b;c1:a;c3');
    const same = () => 'k';
    expect(joinSorted(['z', 'y', 'x'], ',', same)).toBe('z,y,x');
  });

  it('agrees with a comparison sort on short and long lists, with ties', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 40 }), fc.boolean(), (xs, ordered) => {
      // An order with many ties: only the first character counts.
      const order = ordered ? (t: string) => t.slice(0, 1) : undefined;
      expect(joinSorted(xs, '|', order)).toBe(reference(xs, '|', order));
    }));
  });
});
