/**
 * The state caching and sleep sets shared by both exhaustive searches (Godefroid 1996, with the
 * state-caching rule: a state seen again with a smaller sleep set explores the steps that slept
 * before and are awake now). After step t was explored at a state, its siblings explored later
 * carry t in their sleep set while they take steps independent of t: the interleaving where t
 * comes later is an equivalent reordering of one already explored. Steps are compared by key:
 * two enabled steps never share one.
 */
import type { StateTable } from './state-table.ts';
import type { Step } from './strategy.ts';

/** The states stored so far, each with the sleep set (step keys) it was expanded with; the set shrinks on revisits. */
export type Visited = StateTable;

type Expansion = { todo: number[]; sleeps: Step[][] };

/**
 * Which enabled steps to explore at the state `key` reached with sleep set `sleep`, and the
 * sleep set each of them starts with. Records the state in `visited`. `name` gives the name a
 * step is stored under (its key, or its key renamed as the state's key was: sim/symmetry.ts).
 */
export function expand(
  visited: Visited, key: string, enabled: readonly Step[], sleep: readonly Step[], independent: (a: Step, b: Step) => boolean,
  name: (stepKey: string) => string = (k) => k, only?: ReadonlySet<number>,
): Expansion {
  const asleep = new Set(sleep.map((s) => name(s.key)));
  const at = visited.find(key);
  const todo: number[] = [];
  if (at < 0) {
    visited.insert(key, asleep);
    for (let i = 0; i < enabled.length; i++) if (!asleep.has(name(enabled[i]!.key))) todo.push(i);
  } else {
    // Seen before: only steps that slept then and are awake now are new here.
    const stored = visited.asleepAt(at);
    for (let i = 0; i < enabled.length; i++) {
      const n = name(enabled[i]!.key);
      if (stored.has(n) && !asleep.has(n)) todo.push(i);
    }
    // The stored set shrinks to the steps asleep both times.
    let shrinks = false;
    for (const s of stored) if (!asleep.has(s)) { shrinks = true; break; }
    if (shrinks) visited.setAsleep(at, [...stored].filter((s) => asleep.has(s)));
    // Every such step, whether in the persistent set chosen now or not: the set chosen at the first
    // visit may differ (under symmetry that state was a renaming of this one), and these steps
    // include what it needs here; exploring more than it needs is sound.
    return reduced(todo, undefined, enabled, sleep, independent);
  }
  return reduced(todo, only, enabled, sleep, independent);
}

/**
 * The steps of `todo` in the persistent set `only` (sim/persistent-sets.ts; all when absent; only
 * at a state's first visit),
 * with their sleep sets: a step left out is never explored here, so it sleeps in no sibling.
 */
function reduced(todo: number[], only: ReadonlySet<number> | undefined, enabled: readonly Step[], sleep: readonly Step[], independent: (a: Step, b: Step) => boolean): Expansion {
  const kept = only ? todo.filter((i) => only.has(i)) : todo;
  return { todo: kept, sleeps: sleepsOf(kept, enabled, sleep, independent) };
}

/** Branch j sleeps on the steps explored before it (and the inherited ones) that commute with it. */
function sleepsOf(todo: readonly number[], enabled: readonly Step[], sleep: readonly Step[], independent: (a: Step, b: Step) => boolean): Step[][] {
  const before: Step[] = [...sleep];
  return todo.map((j) => {
    const t = enabled[j]!;
    const z = before.filter((u) => independent(u, t));
    before.push(t);
    return z;
  });
}

/**
 * Hash compaction (Spin's -DHC): a state is stored as a 96-bit hash of its key and its sleep set,
 * three 32-bit words in an open-addressing table, instead of the key and the set themselves. A
 * state seen again with another sleep set counts as a new one (no revisit rule to apply without
 * the stored set), so the stateful search uses it without sleep sets (an empty set each time). Two
 * different states with one hash are merged, and the second is not explored: `omission()`
 * estimates the probability that this happened at all. With 96 bits it stays below one in a
 * million up to about 4·10¹¹ stored states (64 bits would pass it at about 6 million).
 */
export class HashCompactTable {
  private words: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacityLog2 = 10) {
    this.words = new Uint32Array(WORDS << capacityLog2);
    this.mask = (1 << capacityLog2) - 1;
  }

  /** Adds the hash of `text`; false when it was there already. */
  add(text: string): boolean {
    const [a, b, c] = hash96(text);
    // 0/0/0 marks an empty slot: a hash equal to it is moved off it.
    const h1 = a === 0 && b === 0 && c === 0 ? 1 : a;
    if (this.size * 2 >= this.mask + 1) this.grow();
    return this.put(h1, b, c);
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.words.byteLength;
  }

  /** The probability that two of the stored states had the same hash (n²/2^97, the birthday bound). */
  omission(): number {
    return Math.min(1, (this.size * this.size) / 2 ** 97);
  }

  private put(h1: number, h2: number, h3: number): boolean {
    const w = this.words;
    let i = (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = WORDS * i;
      const x = w[at]!;
      const y = w[at + 1]!;
      const z = w[at + 2]!;
      if (x === 0 && y === 0 && z === 0) {
        w[at] = h1;
        w[at + 1] = h2;
        w[at + 2] = h3;
        this.size++;
        return true;
      }
      if (x === h1 && y === h2 && z === h3) return false;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.words;
    this.words = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += WORDS) {
      if (old[i] !== 0 || old[i + 1] !== 0 || old[i + 2] !== 0) this.put(old[i]!, old[i + 1]!, old[i + 2]!);
    }
  }
}

/** 32-bit words per slot of the hash-compaction table. */
const WORDS = 3;

/** The first two words of hash96: two independent 32-bit FNV-1a hashes (different offset bases and primes). */
export function hash64(s: string): [number, number] {
  const [a, b] = hash96(s);
  return [a, b];
}

/**
 * A 96-bit hash of a string: two 32-bit FNV-1a words (different offset bases and primes) and a
 * third of another family (MurmurHash3's 32-bit mixing of each character, then its finaliser),
 * so that the three do not share a weakness.
 */
export function hash96(s: string): [number, number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  let m = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000c3b) ^ (b >>> 15);
    let k = Math.imul(c, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    m ^= k;
    m = (Math.imul((m << 13) | (m >>> 19), 5) + 0xe6546b64) | 0;
  }
  m ^= s.length;
  m = Math.imul(m ^ (m >>> 16), 0x85ebca6b);
  m = Math.imul(m ^ (m >>> 13), 0xc2b2ae35);
  m ^= m >>> 16;
  return [a >>> 0, b >>> 0, m >>> 0];
}

/** `expand` for a hash-compacted search: the state with its sleep set is new, or nothing is explored. */
export function expandCompact(
  table: HashCompactTable, key: string, enabled: readonly Step[], sleep: readonly Step[], independent: (a: Step, b: Step) => boolean,
  name: (stepKey: string) => string = (k) => k, only?: ReadonlySet<number>,
): Expansion {
  const asleep = new Set(sleep.map((s) => s.key));
  if (!table.add(`${key}@${sleep.map((s) => name(s.key)).sort().join(',')}`)) return { todo: [], sleeps: [] };
  const todo: number[] = [];
  for (let i = 0; i < enabled.length; i++) if (!asleep.has(enabled[i]!.key)) todo.push(i);
  return reduced(todo, only, enabled, sleep, independent);
}
