import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hash64, hash96, HashCompactTable } from './sleep-sets.ts';

describe('hash compaction (--bitstate)', () => {
  it('stores each distinct text once, across the growths of its table', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 300 }), (texts) => {
      const t = new HashCompactTable(2);
      const seen = new Set<string>();
      for (const x of texts) {
        expect(t.add(x)).toBe(!seen.has(x));
        seen.add(x);
      }
      expect(t.size).toBe(seen.size);
      // Everything added before the growths is still there.
      for (const x of seen) expect(t.add(x)).toBe(false);
    }));
  });

  it('has no collision among 200,000 states of a key-like text', () => {
    const t = new HashCompactTable();
    for (let i = 0; i < 200_000; i++) t.add(`c1,c2|c${i % 7}|${i}#k1[c1/${i >> 3}]`);
    expect(t.size).toBe(200_000);
    // Three 32-bit words a slot, grown at half load: between 24 and 48 bytes a state.
    expect(t.bytes / t.size).toBeGreaterThanOrEqual(24);
    expect(t.bytes / t.size).toBeLessThanOrEqual(48);
  });

  it('states the birthday bound of a 96-bit hash', () => {
    const t = new HashCompactTable();
    for (let i = 0; i < 1000; i++) t.add(String(i));
    expect(t.omission()).toBeCloseTo(1e6 / 2 ** 97, 40);
    expect(t.omission()).toBeLessThan(1e-20);
  });

  it('gives three words that differ between close texts, the first two being hash64', () => {
    const a = hash96('c1/0/1/0');
    const b = hash96('c1/0/1/1');
    expect(a.every((w, i) => w !== b[i])).toBe(true);
    expect(hash64('c1/0/1/0')).toEqual(a.slice(0, 2));
    for (const w of a) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
  });
});
