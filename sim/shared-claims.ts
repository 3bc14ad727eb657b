/**
 * The states that the worker threads of one exploration have claimed, in shared memory: a
 * worker expands a state below the split depth only if it is the first to claim it, so that no
 * state is explored by two workers. Without it each worker keeps its own visited states, and the
 * states reachable from the split states of more than one worker (most of them, where the paths
 * of a search merge) are explored by each of those workers again.
 *
 * A state is claimed by a 64-bit hash of its key (two FNV-1a words, as the hash compaction of
 * sim/sleep-sets.ts), in an open-addressing table of 64-bit slots set by compare-and-exchange.
 * Two states that share a hash are taken for one, so the second is not explored: `omission()`
 * gives the probability that this happened at all (the birthday bound, n²/2^65). The table does
 * not grow (the workers hold it): it is made for a number of states, and `claim` answers `full`
 * once it holds three quarters of its slots.
 */
import { hash64 } from './sleep-sets.ts';

/** The largest table: 2^27 slots of 8 bytes (1 GiB), enough for 100 million states. */
const MAX_SLOTS_LOG2 = 27;
/** The smallest: 2^12 slots (32 KiB). */
const MIN_SLOTS_LOG2 = 12;

export type Claim = 'claimed' | 'taken' | 'full';

export class SharedClaims {
  private readonly slots: BigInt64Array;
  /** [0]: the number of states claimed. */
  private readonly count: Int32Array;
  private readonly mask: number;

  /** A table for up to `states` claims (a power of two of slots, at most half full then). */
  static create(states: number): SharedClaims {
    let log2 = MIN_SLOTS_LOG2;
    while (log2 < MAX_SLOTS_LOG2 && 2 ** log2 < states * 2) log2++;
    return new SharedClaims({ slots: new SharedArrayBuffer(8 * 2 ** log2), count: new SharedArrayBuffer(4) });
  }

  /** The table over shared memory made by `create` (in another thread): `buffers` as `buffers()` gave them. */
  constructor(buffers: { slots: SharedArrayBuffer; count: SharedArrayBuffer }) {
    this.slots = new BigInt64Array(buffers.slots);
    this.count = new Int32Array(buffers.count);
    this.mask = this.slots.length - 1;
  }

  /** The shared memory, to hand to a worker (a SharedArrayBuffer is shared, not copied). */
  buffers(): { slots: SharedArrayBuffer; count: SharedArrayBuffer } {
    return { slots: this.slots.buffer as SharedArrayBuffer, count: this.count.buffer as SharedArrayBuffer };
  }

  /** Claims the state with key `key`: `claimed` by this call, `taken` already (by any worker), or `full`. */
  claim(key: string): Claim {
    const [a, b] = hash64(key);
    // 0 marks an empty slot: a hash equal to it is moved off it.
    const h = a === 0 && b === 0 ? 1n : (BigInt(a) << 32n) | BigInt(b);
    const v = BigInt.asIntN(64, h);
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    for (;;) {
      const old = Atomics.compareExchange(this.slots, i, 0n, v);
      if (old === 0n) {
        if (Atomics.add(this.count, 0, 1) + 1 > ((this.mask + 1) * 3) / 4) return 'full';
        return 'claimed';
      }
      if (old === v) return 'taken';
      i = (i + 1) & this.mask;
    }
  }

  /** States claimed so far, by all workers. */
  get size(): number {
    return Atomics.load(this.count, 0);
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** The probability that two claimed states had the same hash. */
  omission(): number {
    const n = this.size;
    return Math.min(1, (n * n) / 2 ** 65);
  }
}
