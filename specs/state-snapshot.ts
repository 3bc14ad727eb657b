/**
 * Saving and restoring the state of live objects, for stateful search: the explorer keeps the
 * world, the broker, the lifecycle monitor and the judge at a branch point and goes back to it
 * instead of running again from the start.
 *
 * A snapshotter is made over *roots*: the long-lived objects whose identity others hold (a check
 * holds its tracker, a scripting layer holds closures over its world). Saving records each root's
 * own fields and, for every mutable object reachable from them (arrays, maps, sets, typed arrays,
 * plain records and class instances), the object itself with a copy of its fields one level deep.
 * Restoring writes those fields back into the same objects: every object keeps its identity, so
 * references between them (and from outside, to a root) stay valid, nothing is allocated, and
 * objects made since the save simply fall out of reach. A map or a set whose entries are as saved
 * is left alone; so is a tracked root that has not changed. What is never recorded:
 * - objects listed as shared (immutable inputs: the workload, the compiled machine, rule rows),
 *   and frozen objects (trace events once judged);
 * - functions: a closure may capture roots and shared objects only, never other mutable state.
 * Weak collections cannot be enumerated, so state held in one is an error, not a silent loss.
 */
import { RESTORE, SAVE, type SelfSaving } from '../trace/self-saving.ts';

/**
 * An object may save and restore itself instead of being recorded field by field: `[SAVE]()` returns
 * a value that `[RESTORE](value)` puts back into the same object (which therefore must stay the
 * same object for the life of the snapshotter, as a root does). Cheaper for objects with an
 * append-only list, such as a rule's outcome (restoring truncates the list), or for a collection
 * that rarely changes, which returns the same saved value until it does (trace/capped-set.ts).
 */
export { RESTORE, SAVE, type SelfSaving };
/** A value saved by its object itself, and the object it goes back into. */
class SelfSaved {
  constructor(readonly of: SelfSaving, readonly data: unknown) {}
}

/** How an object's fields were saved, so that they go back the same way. */
type Kind = 0 | 1 | 2 | 3 | 4;
const ARRAY = 0;
const FIELDS = 1;
const MAP = 2;
const SET = 3;
const TYPED = 4;
/** No field names. */
const NO_NAMES: readonly string[] = Object.freeze([]);
/** The values per object in RootRecord.entries. */
const ENTRY = 4;
/** The saved contents of an empty array, map or set: nothing to copy. */
const NOTHING: readonly unknown[] = Object.freeze([]);

/**
 * One root at one save: its own fields, and the fields of every mutable object reachable from it
 * (each object with its kind and a shallow copy of its fields, which refer to the same objects).
 */
class RootRecord {
  /**
   * Per object reached, ENTRY values in turn: the object; its kind; the copy of its fields; for a
   * record or class instance, the shape of its field names (or undefined). One array, not one per
   * part: a save makes one per root it records.
   */
  readonly entries: unknown[] = [];
  /** The root's fields that hold an object saving itself (its value in `fields` is a SelfSaved). */
  selfSaved: string[] | undefined;
  /** The root's field names and a writer for them, when they were its names at its first save. */
  shape: Shape | undefined;
  constructor(readonly fields: Record<string, unknown>) {}
}

/** Writes saved fields back into their object, field by named field. */
type FieldWriter = (object: Record<string, unknown>, fields: Record<string, unknown>) => void;

/** Field names in their order, and a writer made for them. */
interface Shape {
  readonly names: readonly string[];
  readonly write: FieldWriter;
}

/** What `save` returns: one record per root, in the order of the roots. Opaque to its users. */
export type SavedState = readonly RootRecord[];

export class StateSnapshotter {
  private readonly stable: Map<object, object>;
  /** Per root: whether every change to it is announced by `touch`. */
  private readonly tracked: boolean[];
  /** Per tracked root: the saved record its live state equals now, if any. */
  private readonly current: (RootRecord | undefined)[];
  /** Tracked roots found to share objects with another root: always saved afresh and restored, so the sharing stays whole. */
  private readonly entangled: boolean[];
  private readonly index: Map<object, number>;
  /** Per root: its field names at its first save, and a writer made for them. */
  private readonly rootShapes: (Shape | undefined)[];
  private readonly shapes = new Shapes();
  /** Compare every record a save reuses with a fresh one (tests: a change that was not announced). */
  verify = false;

  /**
   * `shared` objects are kept as they are; so is everything reachable from `sharedDeep` (inputs
   * such as a workload, never changed during a run). `tracked` roots announce every change to
   * their state by `touch(root)` (their owner knows when it calls into them): a save reuses the
   * record of one that did not change since it was last saved or restored, and a restore leaves it
   * alone when it already holds the state restored. A tracked root that holds an object another
   * root also holds is saved afresh every time instead, so that the shared object is restored whole.
   */
  constructor(private readonly roots: readonly object[], shared: readonly unknown[] = [], sharedDeep: readonly unknown[] = [], tracked: readonly object[] = []) {
    this.stable = new Map();
    this.stable.set(this, this);
    for (const o of [...roots, ...shared]) if (typeof o === 'object' && o !== null) this.stable.set(o, o);
    for (const o of sharedDeep) markReachable(o, this.stable);
    const t = new Set(tracked);
    this.tracked = roots.map((r) => t.has(r));
    this.current = roots.map(() => undefined);
    this.entangled = roots.map(() => false);
    this.index = new Map(roots.map((r, i) => [r, i]));
    this.rootShapes = roots.map(() => undefined);
    for (const r of roots) {
      for (const k in Object.create(Object.getPrototypeOf(r) as object | null)) throw new Error(`state-snapshot: a root inherits the enumerable field ${k}`);
    }
  }

  /** A tracked root changes (or is about to): its next save records it afresh. */
  touch(root: object): void {
    const i = this.index.get(root);
    if (i !== undefined) this.current[i] = undefined;
  }

  /**
   * The state of every root: its fields and those of every mutable object it reaches, copied one
   * level deep. The objects themselves are kept, and a restore writes their fields back into them,
   * so a saved state stays valid however the live objects change afterwards.
   */
  save(): SavedState {
    const memo = new Memo(this.stable, this.entangled, this.shapes);
    const out: RootRecord[] = new Array(this.roots.length);
    for (let i = 0; i < this.roots.length; i++) {
      const reuse = this.entangled[i] ? undefined : this.current[i];
      if (reuse !== undefined) {
        if (this.verify) this.check(i, reuse);
        out[i] = reuse;
        continue;
      }
      memo.root = i;
      memo.rootTracked = this.tracked[i]!;
      const rec = recordRoot(this.roots[i]!, memo, this.rootShapes[i]);
      if (this.rootShapes[i] === undefined) {
        // A root's fields are mostly the same names in the same order from save to save: a
        // function that writes exactly those (one object shape, named stores) restores it faster
        // than a loop over any names does. Made once per root, at its first save.
        rec.shape = this.rootShapes[i] = shapeOf(Object.keys(rec.fields));
      }
      out[i] = rec;
      if (this.tracked[i]) this.current[i] = rec;
    }
    return out;
  }

  /**
   * Puts the roots back into the state `s` was saved in, by writing the saved fields back into the
   * same objects: nothing is allocated, every reference to them stays valid, and `s` stays usable
   * for further restores. `last` (no further restore of `s` will come) changes nothing.
   */
  restore(s: SavedState, _last = false): void {
    for (let i = 0; i < this.roots.length; i++) {
      const saved = s[i]!;
      if (!this.entangled[i] && this.current[i] === saved) continue;
      writeBack(this.roots[i] as Record<string, unknown>, saved);
      if (this.tracked[i]) this.current[i] = saved;
    }
  }

  /** Throws when a reused record no longer equals its root: a change that was not announced. */
  private check(i: number, reused: RootRecord): void {
    const fresh = recordRoot(this.roots[i]!, new Memo(this.stable, this.entangled, this.shapes));
    const why = recordsDiffer(reused, fresh, this.stable);
    if (why !== undefined) throw new Error(`state-snapshot: root ${i} (${this.roots[i]!.constructor.name}) changed without touch: ${why}`);
  }
}

/** Where two records of one root differ (undefined when they do not). */
function recordsDiffer(a: RootRecord, b: RootRecord, stable: ReadonlyMap<object, object>): string | undefined {
  const fields = differs(a.fields, b.fields, stable, new Map(), '');
  if (fields !== undefined) return fields;
  const x = a.entries;
  const y = b.entries;
  if (x.length !== y.length) return `it reaches ${y.length / ENTRY} objects, not ${x.length / ENTRY}`;
  for (let e = 0; e < x.length; e += ENTRY) {
    const what = `object ${e / ENTRY} it reaches (${(x[e] as object).constructor?.name ?? 'no class'})`;
    if (x[e] !== y[e] || x[e + 1] !== y[e + 1]) return `${what} is another one`;
    const why = x[e + 1] === FIELDS
      ? fieldsDiffer(x[e + 2] as Record<string, unknown>, y[e + 2] as Record<string, unknown>)
      : entriesDiffer(x[e + 2] as ArrayLike<unknown>, y[e + 2] as ArrayLike<unknown>);
    if (why !== undefined) return `${what}${why}`;
  }
  return undefined;
}

/** The first field whose value differs, by identity (undefined when none does). */
function fieldsDiffer(u: Record<string, unknown>, v: Record<string, unknown>): string | undefined {
  const ku = Object.keys(u);
  const kv = Object.keys(v);
  if (ku.join() !== kv.join()) return `: fields ${ku.join(',')} != ${kv.join(',')}`;
  for (const k of ku) if (u[k] !== v[k]) return `.${k}: ${shown(u[k])} != ${shown(v[k])}`;
  return undefined;
}

/** The first entry that differs, by identity (undefined when none does). */
function entriesDiffer(u: ArrayLike<unknown>, v: ArrayLike<unknown>): string | undefined {
  if (u.length !== v.length) return `: ${u.length} entries != ${v.length}`;
  for (let n = 0; n < u.length; n++) if (u[n] !== v[n]) return `[${n}]: ${shown(u[n])} != ${shown(v[n])}`;
  return undefined;
}

function shown(x: unknown): string {
  return typeof x === 'object' && x !== null ? `another ${x.constructor?.name ?? 'object'}` : String(x);
}

/** Where two saved values differ (undefined when they do not); stable and frozen objects by identity. */
function differs(a: unknown, b: unknown, stable: ReadonlyMap<object, object>, seen: Map<object, unknown>, path: string): string | undefined {
  if (a === b) return undefined;
  if (a instanceof SelfSaved && b instanceof SelfSaved) return a.of === b.of ? differs(a.data, b.data, stable, seen, `${path}.<saved>`) : `${path}: another object`;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return `${path}: ${String(a)} != ${String(b)}`;
  if (stable.has(a) || stable.has(b) || Object.isFrozen(a) || Object.isFrozen(b)) return `${path}: another object`;
  if (seen.get(a) === b) return undefined;
  seen.set(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: another kind of object`;
  if (a instanceof Map || a instanceof Set) {
    const x = [...(a as Map<unknown, unknown>).entries()];
    const y = [...(b as Map<unknown, unknown>).entries()];
    if (x.length !== y.length) return `${path}: ${x.length} entries != ${y.length}`;
    for (let n = 0; n < x.length; n++) {
      const d = differs(x[n]![0], y[n]![0], stable, seen, `${path}[${n}]`) ?? differs(x[n]![1], y[n]![1], stable, seen, `${path}[${String(x[n]![0])}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as Uint8Array;
    const y = b as unknown as Uint8Array;
    return x.length === y.length && x.every((v, n) => v === y[n]) ? undefined : `${path}: typed arrays differ`;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join() !== kb.join()) return `${path}: fields ${ka.join(',')} != ${kb.join(',')}`;
  for (const k of ka) {
    const d = differs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], stable, seen, `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** Adds `v` and everything reachable from it to `into` as kept-as-is. */
function markReachable(v: unknown, into: Map<object, object>): void {
  if (typeof v !== 'object' || v === null || into.has(v)) return;
  into.set(v, v);
  if (v instanceof Map) for (const [k, x] of v) { markReachable(k, into); markReachable(x, into); }
  else if (v instanceof Set) for (const x of v) markReachable(x, into);
  else for (const x of Object.values(v)) markReachable(x, into);
}

/**
 * The objects recorded so far in one save, beside the objects kept as they are. Sharing between
 * roots matters only where a tracked root is involved (its record may be reused while the other
 * root's is made afresh), so only objects recorded for tracked roots remember their root: an
 * object met again from another root, or one without a remembered root met from a tracked root,
 * entangles.
 */
class Memo {
  private readonly seen = new Set<object>();
  /** The root whose fields are being recorded now, and whether it is tracked. */
  root = 0;
  rootTracked = false;
  private readonly owner = new Map<object, number>();
  constructor(private readonly stable: ReadonlyMap<object, object>, private readonly entangled: boolean[], readonly shapes: Shapes) {}
  /** Whether `v` is kept as it is or recorded already (then perhaps from another root: entangled). */
  known(v: object): boolean {
    if (this.stable.has(v)) return true;
    if (!this.seen.has(v)) return false;
    const o = this.owner.get(v);
    if (o === undefined ? this.rootTracked : o !== this.root) {
      this.entangled[this.root] = true;
      if (o !== undefined) this.entangled[o] = true;
    }
    return true;
  }
  add(v: object): void {
    this.seen.add(v);
    if (this.rootTracked) this.owner.set(v, this.root);
  }
}

/**
 * A record of `root`: its own fields (an object that saves itself saved by it), and every mutable
 * object reachable from them. Objects that save themselves are fields of roots only, never deeper.
 * The record gets the root's `shape` when the root has exactly its names, in its order.
 */
function recordRoot(root: object, memo: Memo, shape?: Shape): RootRecord {
  const fields: Record<string, unknown> = {};
  const rec = new RootRecord(fields);
  const src = root as Record<string, unknown>;
  const names = shape?.names;
  let same = names !== undefined;
  let count = 0;
  // for-in, not Object.keys: no array of names per save. It yields own fields only: the
  // constructor checks that no root inherits an enumerable one.
  for (const k in src) {
    const v = src[k];
    fields[k] = v;
    if (same && names![count] !== k) same = false;
    count++;
    if (typeof v !== 'object' || v === null) continue;
    const proto = Object.getPrototypeOf(v) as object;
    if (!isPlainKind(proto) && typeof (v as Partial<SelfSaving>)[SAVE] === 'function' && !memo.known(v)) {
      fields[k] = new SelfSaved(v as unknown as SelfSaving, (v as unknown as SelfSaving)[SAVE]());
      (rec.selfSaved ??= []).push(k);
    } else visit(v, memo, rec);
  }
  // The root's shape (its first names) restores it when it has exactly those fields.
  if (same && count === names!.length) rec.shape = shape;
  return rec;
}

/**
 * `names` with a function that copies those fields of a saved record into its object, by name.
 * Strict, as the modules are: a write into an object frozen since the save throws.
 */
function shapeOf(names: readonly string[]): Shape {
  const body = `'use strict';\n${names.map((k) => `t[${JSON.stringify(k)}] = s[${JSON.stringify(k)}];`).join('\n')}`;
  return { names, write: new Function('t', 's', body) as FieldWriter };
}

/** Arrays, plain records, maps and sets: never objects that save themselves. */
function isPlainKind(proto: object): boolean {
  return proto === Array.prototype || proto === Object.prototype || proto === Map.prototype || proto === Set.prototype;
}

/** Records `v` (a shallow copy of its fields) and, through them, every mutable object it reaches. */
function visit(v: object, memo: Memo, rec: RootRecord): void {
  if (memo.known(v)) return;
  if (Object.isFrozen(v)) {
    if (typeof (v as Partial<SelfSaving>)[SAVE] === 'function') throw new Error('an object that saves itself must be a field of a root');
    return;
  }
  memo.add(v);
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === Array.prototype) {
    const a = (v as unknown[]).length === 0 ? NOTHING : (v as unknown[]).slice();
    push(rec, v, ARRAY, a);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === 'object' && x !== null) visit(x, memo, rec);
    }
    return;
  }
  if (proto === Object.prototype) {
    recordFields(v, memo, rec);
    return;
  }
  if (typeof (v as Partial<SelfSaving>)[SAVE] === 'function') throw new Error('an object that saves itself must be a field of a root');
  if (v instanceof Map) {
    // Keys and values in turn, in the map's order (an array costs less than a map to make).
    const m = v as Map<unknown, unknown>;
    if (m.size === 0) { push(rec, v, MAP, NOTHING); return; }
    const flat: unknown[] = new Array(m.size * 2);
    let i = 0;
    for (const [k, x] of m) { flat[i++] = k; flat[i++] = x; }
    push(rec, v, MAP, flat);
    for (let j = 0; j < flat.length; j++) {
      const x = flat[j];
      if (typeof x === 'object' && x !== null) visit(x, memo, rec);
    }
    return;
  }
  if (v instanceof Set) {
    const set = v as Set<unknown>;
    if (set.size === 0) { push(rec, v, SET, NOTHING); return; }
    const flat = [...set];
    push(rec, v, SET, flat);
    for (const x of flat) if (typeof x === 'object' && x !== null) visit(x, memo, rec);
    return;
  }
  if (ArrayBuffer.isView(v)) {
    push(rec, v, TYPED, (v as unknown as Uint8Array).slice());
    return;
  }
  if (v instanceof WeakMap || v instanceof WeakSet) throw new Error('state held in a WeakMap or WeakSet cannot be saved');
  if (Array.isArray(v)) {
    const a = (v as unknown[]).slice();
    push(rec, v, ARRAY, a);
    for (const x of a) if (typeof x === 'object' && x !== null) visit(x, memo, rec);
    return;
  }
  // Any other object (a class instance): its own enumerable fields; it keeps its prototype.
  recordFields(v, memo, rec);
}

/** Records a record or class instance by its own enumerable fields, and what they reach. */
function recordFields(v: object, memo: Memo, rec: RootRecord): void {
  const o = { ...(v as Record<string, unknown>) };
  const at = rec.entries.length;
  push(rec, v, FIELDS, o);
  let fields = 0;
  let first: string | undefined;
  for (const k in o) {
    if (fields++ === 0) first = k;
    const x = o[k];
    if (typeof x === 'object' && x !== null) visit(x, memo, rec);
  }
  if (first !== undefined) rec.entries[at + 3] = memo.shapes.of(o, first, fields);
}

/**
 * Writers for the field names of the records and class instances a snapshotter meets: objects
 * made at one place have the same names in the same order, and a writer made for them (named
 * stores) writes them back faster than Object.assign. Found by the first name and the count,
 * then checked name by name.
 */
class Shapes {
  private readonly byFirst = new Map<string, Shape[]>();
  /** The shape of `o`, a record of `count` fields whose first is `first`. */
  of(o: Record<string, unknown>, first: string, count: number): Shape | undefined {
    let list = this.byFirst.get(first);
    if (list === undefined) {
      // Records used as dictionaries (names without end) get no shape.
      if (this.byFirst.size >= FIRST_NAMES) return undefined;
      this.byFirst.set(first, (list = []));
    }
    for (let i = 0; i < list.length; i++) {
      const shape = list[i]!;
      if (shape.names.length === count && namesAre(o, shape.names)) return shape;
    }
    if (list.length >= SHAPES_PER_NAME) return undefined;
    const shape = shapeOf(Object.keys(o));
    list.push(shape);
    return shape;
  }
}

/** First field names, and shapes per first name, that a snapshotter keeps. */
const FIRST_NAMES = 1024;
const SHAPES_PER_NAME = 8;

/** Whether the fields of `o` are `names`, in that order. */
function namesAre(o: Record<string, unknown>, names: readonly string[]): boolean {
  let i = 0;
  for (const k in o) if (names[i++] !== k) return false;
  return i === names.length;
}

function push(rec: RootRecord, object: object, kind: Kind, value: unknown): void {
  rec.entries.push(object, kind, value, undefined);
}

/** Writes a record back: the root's fields, then every object's, each into the same object. */
function writeBack(root: Record<string, unknown>, rec: RootRecord): void {
  writeFields(root, rec.fields, rec.shape);
  for (const k of rec.selfSaved ?? NO_NAMES) {
    const v = rec.fields[k] as SelfSaved;
    v.of[RESTORE](v.data);
    root[k] = v.of;
  }
  const entries = rec.entries;
  for (let e = 0; e < entries.length; e += ENTRY) {
    const o = entries[e] as object;
    const kind = entries[e + 1] as Kind;
    const value = entries[e + 2];
    switch (kind) {
      case ARRAY: writeArray(o as unknown[], value as unknown[]); break;
      case FIELDS: writeFields(o as Record<string, unknown>, value as Record<string, unknown>, entries[e + 3] as Shape | undefined); break;
      case MAP: writeMap(o as Map<unknown, unknown>, value as unknown[]); break;
      case SET: writeSet(o as Set<unknown>, value as unknown[]); break;
      default: (o as unknown as Uint8Array).set(value as Uint8Array);
    }
  }
}

function writeArray(a: unknown[], s: unknown[]): void {
  a.length = s.length;
  for (let i = 0; i < s.length; i++) a[i] = s[i];
}

/**
 * Writes the saved fields `s` back into `t`, in their saved order: by its shape's writer when `t`
 * has the same names in the same order as at the save (the common case), else (fields added or
 * deleted since) every field goes and the saved ones come back in order.
 */
function writeFields(t: Record<string, unknown>, s: Record<string, unknown>, shape: Shape | undefined): void {
  if (shape !== undefined) {
    if (namesAre(t, shape.names)) { shape.write(t, s); return; }
  } else if (namesAre(t, Object.keys(s))) { Object.assign(t, s); return; }
  for (const k in t) if (Object.hasOwn(t, k)) delete t[k];
  Object.assign(t, s);
}

function writeMap(m: Map<unknown, unknown>, flat: readonly unknown[]): void {
  // Its entries are mostly what they were (the objects they hold are written back in place):
  // compared in order first, the map is rebuilt only when they differ.
  if (m.size * 2 === flat.length) {
    let i = 0;
    let same = true;
    for (const [k, x] of m) {
      if (flat[i] !== k || flat[i + 1] !== x) { same = false; break; }
      i += 2;
    }
    if (same) return;
  }
  m.clear();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
}

function writeSet(t: Set<unknown>, flat: readonly unknown[]): void {
  if (t.size === flat.length) {
    let i = 0;
    let same = true;
    for (const x of t) {
      if (flat[i++] !== x) { same = false; break; }
    }
    if (same) return;
  }
  t.clear();
  for (let i = 0; i < flat.length; i++) t.add(flat[i]);
}
