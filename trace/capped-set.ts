/**
 * Bounded histories: a map and a set of ids that remember at most `cap` entries, forgetting the
 * oldest first. Used for the history of finished calls and sinks, so that memory stays bounded on
 * a 1,000,000-event trace; `evicted` tells the caller that an unknown id may be a forgotten one.
 */
import { RESTORE, SAVE, type SelfSaving } from './self-saving.ts';

/**
 * A map that keeps at most `cap` entries, forgetting the oldest key first (by when it was first
 * set); `evicted` tells the caller that a missing key may be a forgotten one. Its values may be
 * objects that change and that other records share, so a snapshot copies it deeply, as any field
 * (for values that never change, see FrozenCappedMap).
 */
export class CappedMap<K, V> {
  protected entries = new Map<K, V>();
  /**
   * The keys in insertion order, as a ring once full: the slot at `next` holds the oldest. A ring,
   * not the Map's own order: taking a Map's first key after many deletions walks the deleted
   * slots, which made eviction cost grow with the cap.
   */
  protected order: K[] = [];
  protected next = 0;
  /** True once an entry has been forgotten: "not found" is then no longer proof of "never set". */
  evicted = false;

  constructor(private readonly cap: number) {}

  set(key: K, value: V): void {
    if (this.entries.has(key)) {
      this.entries.set(key, value);
      return;
    }
    this.entries.set(key, value);
    if (this.order.length < this.cap) {
      this.order.push(key);
      return;
    }
    this.entries.delete(this.order[this.next]!);
    this.order[this.next] = key;
    this.next = (this.next + 1) % this.cap;
    this.evicted = true;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

type SavedMap<K, V> = readonly [entries: ReadonlyMap<K, V>, order: readonly K[], next: number, evicted: boolean];

/**
 * A CappedMap whose keys are primitives and whose values never change once set: object values
 * are frozen as they come (changing one throws), so saved states can share them. For stateful
 * search it saves itself (trace/self-saving.ts): it changes far more rarely than a search saves,
 * so a save returns the copy made at its last change (or the last restore), and a restore of the
 * state it holds already copies nothing.
 */
export class FrozenCappedMap<K extends string | number, V> extends CappedMap<K, V> implements SelfSaving {
  /** The saved value equal to the entries held now, if one was made since they last changed. */
  private savedAs: SavedMap<K, V> | undefined = undefined;

  override set(key: K, value: V): void {
    this.savedAs = undefined;
    super.set(key, typeof value === 'object' && value !== null ? Object.freeze(value) : value);
  }

  [SAVE](): unknown {
    return (this.savedAs ??= [new Map(this.entries), this.order.slice(), this.next, this.evicted]);
  }

  [RESTORE](saved: unknown): void {
    if (saved === this.savedAs) return;
    const [entries, order, next, evicted] = saved as SavedMap<K, V>;
    this.entries = new Map(entries);
    this.order = order.slice();
    this.next = next;
    this.evicted = evicted;
    this.savedAs = saved as SavedMap<K, V>;
  }
}

/** A set of ids kept as a FrozenCappedMap, so it is bounded and saves itself the same way. */
export class CappedSet extends FrozenCappedMap<string, true> {
  add(id: string): void {
    if (!this.has(id)) this.set(id, true);
  }
}
