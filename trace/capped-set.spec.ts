import { describe, expect, it } from 'vitest';
import { RESTORE, SAVE } from './self-saving.ts';
import { CappedMap, CappedSet, FrozenCappedMap } from './capped-set.ts';

describe('CappedSet', () => {
  it('forgets the oldest id first, and says that it forgot', () => {
    const s = new CappedSet(3);
    for (const id of ['a', 'b', 'c']) s.add(id);
    s.add('a');
    expect(s.evicted).toBe(false);
    s.add('d');
    expect([s.has('a'), s.has('b'), s.has('c'), s.has('d')]).toEqual([false, true, true, true]);
    expect(s.evicted).toBe(true);
    s.add('e');
    s.add('f');
    expect(['b', 'c', 'd', 'e', 'f'].map((x) => s.has(x))).toEqual([false, false, true, true, true]);
    expect(s.size).toBe(3);
  });
  it('keeps exactly the newest cap ids after many evictions', () => {
    const s = new CappedSet(1000);
    for (let i = 0; i < 200_000; i++) s.add(`id${i}`);
    expect(s.size).toBe(1000);
    expect(s.has('id198999')).toBe(false);
    expect(s.has('id199000')).toBe(true);
  });
});

describe('CappedMap', () => {
  it('keeps at most cap entries, oldest key out first, updating a key in place', () => {
    const m = new CappedMap<string, number>(2);
    m.set('a', 1); m.set('b', 2); m.set('a', 3);
    expect([m.get('a'), m.get('b'), m.evicted]).toEqual([3, 2, false]);
    m.set('c', 4);
    expect([m.has('a'), m.get('b'), m.get('c'), m.evicted, m.size]).toEqual([false, 2, 4, true, 2]);
  });
});

describe('saving and restoring for stateful search', () => {
  it('a capped set saves one value while it does not change, and a restore brings back its ids, ring and eviction', () => {
    const s = new CappedSet(2);
    s.add('a');
    const first = s[SAVE]();
    expect(s[SAVE]()).toBe(first);
    s.add('b');
    s.add('c');
    const full = s[SAVE]();
    expect(full).not.toBe(first);
    expect([s.has('a'), s.evicted]).toEqual([false, true]);
    s[RESTORE](first);
    expect([s.has('a'), s.has('b'), s.has('c'), s.evicted, s.size]).toEqual([true, false, false, false, 1]);
    // The saved value did not change with the set: restoring it again gives the same ids.
    s.add('x');
    s[RESTORE](full);
    expect([s.has('a'), s.has('b'), s.has('c'), s.has('x'), s.evicted]).toEqual([false, true, true, false, true]);
    // The ring goes on from where it was: the next id evicts the oldest left, b.
    s.add('d');
    expect([s.has('b'), s.has('c'), s.has('d')]).toEqual([false, true, true]);
    expect(s[SAVE]()).not.toBe(full);
    // Restores copy: what the set did after the first restore left that saved value as it was.
    s[RESTORE](first);
    expect([s.has('a'), s.has('x'), s.size]).toEqual([true, false, 1]);
  });

  it('a frozen capped map freezes its object values and saves itself the same way', () => {
    const m = new FrozenCappedMap<string, { at: number }>(4);
    m.set('k', { at: 1 });
    expect(() => { (m.get('k') as { at: number }).at = 2; }).toThrow(TypeError);
    const saved = m[SAVE]();
    expect(m[SAVE]()).toBe(saved);
    m.set('k', { at: 3 });
    m.set('j', { at: 4 });
    m[RESTORE](saved);
    expect([m.get('k'), m.has('j'), m.size]).toEqual([{ at: 1 }, false, 1]);
  });
});
