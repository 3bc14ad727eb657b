import { describe, expect, it } from 'vitest';
import { CappedMap, CappedSet } from './capped-set.ts';

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
