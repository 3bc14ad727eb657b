/**
 * The visited states of an exhaustive search, stored whole (nothing omitted, unlike hash
 * compaction) in typed arrays: Spin's state-vector collapse (-DCOLLAPSE), applied to wbemsim's
 * text keys.
 *
 * A key is cut after each `|`, `#` and `;` (the separators between the parts of the world's, the
 * broker's, the monitor's and the judge's keys, kept with the part before them). Each distinct
 * part is numbered once; a state is stored as the numbers of its parts, each in one to five bytes
 * (LEB128), one record after another in a growing byte array. Parts repeat across states far more
 * than whole keys do (on the 3/2/2 configuration of bench/spin, 60,000 states of 25 parts each
 * have 377 distinct parts), so a state takes a few dozen bytes instead of its key's hundreds of
 * characters plus a map entry. Cutting and joining are inverse, so two keys get the same numbers
 * only if they are the same key: the table merges exactly the states a map of keys would.
 *
 * An open-addressing table of state indices, by the hash of a record's bytes, finds a state.
 * Beside each state is the sleep set it was expanded with (sim/sleep-sets.ts), as the number of
 * that set among the distinct sets met.
 */

/** Cuts after these characters. */
const PIPE = 0x7c;
const HASH = 0x23;
const SEMI = 0x3b;

export class StateTable {
  /** Part text → its number. */
  private readonly parts = new Map<string, number>();
  /** Characters in all distinct parts (for `bytes`). */
  private partChars = 0;
  /** The records, one after another. */
  private data = new Uint8Array(1 << 12);
  private used = 0;
  /** Where state i's record starts (it ends where state i + 1's starts, or at `used`). */
  private starts = new Uint32Array(1 << 10);
  /** State i's sleep set, as its number in `sleepSets`. */
  private sleepOf = new Uint32Array(1 << 10);
  /** Open addressing: state index + 1, 0 for an empty slot. */
  private slots = new Uint32Array(1 << 11);
  private mask = (1 << 11) - 1;
  /** Distinct sleep sets, numbered (0: the empty set). */
  private readonly sleepIds = new Map<string, number>([['', 0]]);
  private readonly sleepSets: ReadonlySet<string>[] = [new Set()];
  private sleepChars = 0;
  /** The last key `find` encoded, its record and the hash of it: `insert` of the same key reuses them. */
  private scratch = new Uint8Array(512);
  private scratchLength = 0;
  private scratchHash = 0;
  private scratchKey: string | undefined;
  /** Stored states. */
  size = 0;

  /** The index of the state `key`, or -1 when it is not stored. */
  find(key: string): number {
    this.encode(key);
    const len = this.scratchLength;
    const s = this.scratch;
    for (let i = this.scratchHash & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return -1;
      const at = slot - 1;
      const from = this.starts[at]!;
      const to = at + 1 < this.size ? this.starts[at + 1]! : this.used;
      if (to - from !== len) continue;
      let same = true;
      for (let j = 0; j < len; j++) if (this.data[from + j] !== s[j]) { same = false; break; }
      if (same) return at;
    }
  }

  /** Stores the state `key` (not stored yet) with the sleep set `asleep`; its index. */
  insert(key: string, asleep: Iterable<string> = []): number {
    if (key !== this.scratchKey) this.encode(key);
    const len = this.scratchLength;
    if (this.used + len > this.data.length) this.data = grown(this.data, this.used + len);
    this.data.set(this.scratch.subarray(0, len), this.used);
    if (this.size === this.starts.length) {
      this.starts = grown(this.starts, this.size + 1);
      this.sleepOf = grown(this.sleepOf, this.size + 1);
    }
    const at = this.size++;
    this.starts[at] = this.used;
    this.used += len;
    this.sleepOf[at] = this.sleepId(asleep);
    if (this.size * 10 > (this.mask + 1) * 7) this.rehash();
    else this.place(at, this.scratchHash);
    // The next key is encoded afresh: this one's record is in the table now.
    this.scratchKey = undefined;
    return at;
  }

  /** Stores the state `key` with an empty sleep set unless it is stored already. */
  add(key: string): void {
    if (this.find(key) < 0) this.insert(key);
  }

  /** The sleep set state `at` was stored with (shared: never changed). */
  asleepAt(at: number): ReadonlySet<string> {
    return this.sleepSets[this.sleepOf[at]!]!;
  }

  setAsleep(at: number, asleep: Iterable<string>): void {
    this.sleepOf[at] = this.sleepId(asleep);
  }

  /**
   * The table's size in bytes: its typed arrays as allocated, plus an estimate of the numbered
   * parts and sleep sets (their characters and about 64 bytes of map entry and string header each).
   */
  get bytes(): number {
    const arrays = this.data.byteLength + this.starts.byteLength + this.sleepOf.byteLength + this.slots.byteLength;
    return arrays + this.partChars + 64 * this.parts.size + this.sleepChars + 64 * this.sleepSets.length;
  }

  /** Distinct parts numbered so far. */
  get distinctParts(): number {
    return this.parts.size;
  }

  /** Encodes `key` into the scratch record and hashes it. */
  private encode(key: string): void {
    this.scratchKey = key;
    this.scratchLength = 0;
    let from = 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c === PIPE || c === HASH || c === SEMI) {
        this.encodePart(key.slice(from, i + 1));
        from = i + 1;
      }
    }
    if (from < key.length) this.encodePart(key.slice(from));
    this.scratchHash = hashBytes(this.scratch, 0, this.scratchLength);
  }

  /** Appends the number of `part` (numbering it if new) to the scratch record, in LEB128. */
  private encodePart(part: string): void {
    let id = this.parts.get(part);
    if (id === undefined) {
      id = this.parts.size;
      this.parts.set(part, id);
      this.partChars += part.length;
    }
    if (this.scratchLength + 5 > this.scratch.length) this.scratch = grown(this.scratch, this.scratchLength + 5);
    // Seven bits a byte, the high bit set on every byte but the last.
    do {
      this.scratch[this.scratchLength++] = id > 0x7f ? (id & 0x7f) | 0x80 : id;
      id >>>= 7;
    } while (id > 0);
  }

  private sleepId(asleep: Iterable<string>): number {
    const names = [...asleep].sort();
    if (names.length === 0) return 0;
    const text = names.join('\n');
    let id = this.sleepIds.get(text);
    if (id === undefined) {
      id = this.sleepSets.length;
      this.sleepIds.set(text, id);
      this.sleepSets.push(new Set(names));
      this.sleepChars += text.length;
    }
    return id;
  }

  private place(at: number, hash: number): void {
    let i = hash & this.mask;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = at + 1;
  }

  /** Doubles the slots and places every state again, by the hash of its record. */
  private rehash(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let at = 0; at < this.size; at++) {
      this.place(at, hashBytes(this.data, this.starts[at]!, at + 1 < this.size ? this.starts[at + 1]! : this.used));
    }
  }
}

/** The 32-bit FNV-1a hash of `bytes[from..to)`. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let j = from; j < to; j++) h = Math.imul(h ^ bytes[j]!, 0x01000193);
  return h >>> 0;
}

/** A copy of `a`, at least `need` long (doubling). */
function grown<T extends Uint8Array | Uint32Array>(a: T, need: number): T {
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
