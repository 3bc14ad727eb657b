/**
 * A set of ids that remembers at most `cap` of them, forgetting the oldest first. Used for
 * the history of finished calls and sinks, so that memory stays bounded on a 1,000,000-event
 * trace; `evicted` tells the caller that an unknown id may be a forgotten one.
 */
export class CappedSet {
  private readonly ids = new Set<string>();
  /** The ids in insertion order, as a ring once full: the slot at `next` holds the oldest. */
  private readonly order: string[] = [];
  private next = 0;
  /** True once an id has been forgotten: "not found" is then no longer proof of "never seen". */
  evicted = false;

  constructor(private readonly cap: number) {}

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    // A ring of the ids, not the Set's own order: taking a Set's first key after many deletions
    // walks the deleted slots, which made eviction cost grow with the cap.
    if (this.order.length < this.cap) {
      this.order.push(id);
      return;
    }
    this.ids.delete(this.order[this.next]!);
    this.order[this.next] = id;
    this.next = (this.next + 1) % this.cap;
    this.evicted = true;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}

/**
 * A map that keeps at most `cap` entries, forgetting the oldest key first (by when it was first
 * set); `evicted` tells the caller that a missing key may be a forgotten one.
 */
export class CappedMap<K, V> {
  private readonly entries = new Map<K, V>();
  private readonly order: K[] = [];
  private next = 0;
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
