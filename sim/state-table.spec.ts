import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateTable } from './state-table.ts';

/**
 * The visited-state table stores keys cut into numbered parts: it must tell apart exactly the keys
 * a map of keys tells apart, keep each state's sleep set, and take far fewer bytes per state.
 */
describe('the state table', () => {
  it('finds exactly the keys stored, whatever their separators', () => {
    // Keys over a small alphabet with every separator, so that parts repeat and cuts differ.
    const key = fc.array(fc.constantFrom('a', 'b', '1', '|', '#', ';', ','), { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(fc.property(fc.array(key, { maxLength: 80 }), fc.array(key, { maxLength: 40 }), (stored, probes) => {
      const t = new StateTable();
      const m = new Map<string, number>();
      for (const k of stored) {
        const at = t.find(k);
        expect(at).toBe(m.get(k) ?? -1);
        if (at < 0) m.set(k, t.insert(k));
      }
      expect(t.size).toBe(m.size);
      for (const k of [...stored, ...probes]) expect(t.find(k)).toBe(m.get(k) ?? -1);
    }));
  });

  it('tells apart keys whose parts are the same but cut at different separators', () => {
    const t = new StateTable();
    const keys = ['a|b#c', 'a#b|c', 'a|b|c', 'a;b;c', 'a|b#c|', '|a|b#c', '', '|', 'abc'];
    for (const k of keys) t.insert(k);
    expect(keys.map((k) => t.find(k))).toEqual(keys.map((_, i) => i));
    expect(t.find('a|b#c;')).toBe(-1);
  });

  it('tells apart a state whose record is the start of another\'s', () => {
    // Records of one repeated part: each is a prefix of every longer one.
    const t = new StateTable();
    for (let k = 1; k <= 3000; k++) t.insert('x|'.repeat(k));
    for (let k = 1; k <= 3000; k++) expect(t.find('x|'.repeat(k))).toBe(k - 1);
  });

  it('keeps many states and parts (numbers of several bytes) across its growth', () => {
    const t = new StateTable();
    const keyOf = (i: number) => `w${i % 300}|b${i % 20000}#m${i % 7};j${i}|`;
    for (let i = 0; i < 50_000; i++) expect(t.insert(keyOf(i))).toBe(i);
    for (let i = 0; i < 50_000; i += 7) expect(t.find(keyOf(i))).toBe(i);
    expect(t.find(keyOf(50_000))).toBe(-1);
    expect(t.distinctParts).toBeGreaterThan(20_000);
  });

  it('keeps the sleep set of each state and changes it on request', () => {
    const t = new StateTable();
    const a = t.insert('x|1', new Set(['s2', 's1']));
    const b = t.insert('x|2');
    t.add('x|1');
    expect(t.size).toBe(2);
    expect([...t.asleepAt(a)].sort()).toEqual(['s1', 's2']);
    expect([...t.asleepAt(b)]).toEqual([]);
    t.setAsleep(a, ['s1']);
    expect([...t.asleepAt(a)]).toEqual(['s1']);
    expect([...t.asleepAt(b)]).toEqual([]);
  });

  it('stores a state in fewer bytes than its key has characters when parts repeat', () => {
    const t = new StateTable();
    // Keys like the search's: a few hundred characters, made of parts that recur across states.
    const part = (i: number, j: number) => `c${j}:${(i >> j) % 5}:10,1,0,,0010,0c${j}#2f,10,0000,2,0;`;
    let chars = 0;
    for (let i = 0; i < 20_000; i++) {
      const k = `c1,c2,c3|||0|k1|${part(i, 0)}${part(i, 2)}${part(i, 4)}${part(i, 6)}#${i % 3};${(i >> 3) % 4};|judge|${(i >> 5) % 9}`;
      chars += k.length;
      t.add(k);
    }
    expect(t.bytes / t.size).toBeLessThan(chars / t.size / 4);
    expect(t.bytes / t.size).toBeLessThan(100);
  });
});
