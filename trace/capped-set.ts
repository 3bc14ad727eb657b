/**
 * A set of ids that remembers at most `cap` of them, forgetting the oldest first. Used for
 * the history of finished calls and sinks, so that memory stays bounded on a 1,000,000-event
 * trace (CORE-NOTES 10); `evicted` tells the caller that an unknown id may be a forgotten one.
 */
export class CappedSet {
  private readonly ids = new Set<string>();
  /** True once an id has been forgotten: "not found" is then no longer proof of "never seen". */
  evicted = false;

  constructor(private readonly cap: number) {}

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.cap) {
      // A Set iterates in insertion order: the first key is the oldest.
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
      this.evicted = true;
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }
}

/**
 * A map that keeps at most `cap` entries, forgetting the oldest insertion first; `evicted` tells
 * the caller that a missing key may be a forgotten one. Setting a key again moves it to the end.
 */
export class CappedMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** True once an entry has been forgotten: "not found" is then no longer proof of "never set". */
  evicted = false;

  constructor(private readonly cap: number) {}

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.cap) {
      this.entries.delete(this.entries.keys().next().value as K);
      this.evicted = true;
    }
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
