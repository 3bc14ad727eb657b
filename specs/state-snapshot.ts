/**
 * Saving and restoring the state of live objects, for stateful search: the explorer keeps the
 * world, the broker, the lifecycle monitor and the judge at a branch point and goes back to it
 * instead of running again from the start.
 *
 * A snapshotter is made over *roots*: the long-lived objects whose identity others hold (a check
 * holds its tracker, a scripting layer holds closures over its world). Saving copies each root's
 * own fields, deeply: arrays, maps, sets, typed arrays, plain records and class instances (their
 * prototype kept), with shared references kept shared. Restoring copies a saved state back into
 * the same root objects, so every reference to a root stays valid. What is never copied:
 * - the roots themselves, wherever they are referenced (they are restored in place);
 * - objects listed as shared (immutable inputs: the workload, the compiled machine, rule rows),
 *   and frozen objects (trace events once judged);
 * - functions: a closure may capture roots and shared objects only, never other mutable state.
 * Weak collections cannot be enumerated, so state held in one is an error, not a silent loss.
 */
import { RESTORE, SAVE, type SelfSaving } from '../trace/self-saving.ts';

/**
 * An object may save and restore itself instead of being copied field by field: `[SAVE]()` returns
 * a value that `[RESTORE](value)` puts back into the same object (which therefore must stay the
 * same object for the life of the snapshotter, as a root does). Cheaper for objects with an
 * append-only list, such as a rule's outcome (restoring truncates the list), or for a collection
 * that rarely changes, which returns the same saved value until it does (trace/capped-set.ts).
 */
export { RESTORE, SAVE, type SelfSaving };
/** Marks a saved record that more than one saved state holds: a restore never takes it over. */
const SHARED = Symbol('shared');

/** A value saved by its object itself, and the object it goes back into. */
class SelfSaved {
  constructor(readonly of: SelfSaving, readonly data: unknown) {}
}

/** What `save` returns: one record of copied fields per root, in the order of the roots. */
export type SavedState = readonly Readonly<Record<string, unknown>>[];

export class StateSnapshotter {
  private readonly stable: Map<object, object>;
  /** Per root: whether every change to it is announced by `touch`. */
  private readonly tracked: boolean[];
  /** Per tracked root: the saved record its live fields equal now, if any. */
  private readonly current: (Readonly<Record<string, unknown>> | undefined)[];
  /** Tracked roots found to share objects with another root: always copied, so the sharing stays whole. */
  private readonly entangled: boolean[];
  private readonly index: Map<object, number>;
  /** Compare every record a save reuses with a fresh copy (tests: a change that was not announced). */
  verify = false;

  /**
   * `shared` objects are kept as they are; so is everything reachable from `sharedDeep` (inputs
   * such as a workload, never changed during a run). `tracked` roots announce every change to
   * their state by `touch(root)` (their owner knows when it calls into them): a save reuses the
   * copy of one that did not change since it was last saved or restored, and a restore leaves it
   * alone when it already holds the state restored. A tracked root that holds an object another
   * root also holds is copied every time instead, so that the shared object stays one object.
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
    for (const r of roots) {
      for (const k in Object.create(Object.getPrototypeOf(r) as object | null)) throw new Error(`state-snapshot: a root inherits the enumerable field ${k}`);
    }
  }

  /** A tracked root changes (or is about to): its next save copies it. */
  touch(root: object): void {
    const i = this.index.get(root);
    if (i !== undefined) this.current[i] = undefined;
  }

  /** A copy of every root's fields, independent of the live objects from now on. */
  save(): SavedState {
    const memo = new Memo(this.stable, this.entangled);
    const out: Readonly<Record<string, unknown>>[] = new Array(this.roots.length);
    for (let i = 0; i < this.roots.length; i++) {
      const reuse = this.entangled[i] ? undefined : this.current[i];
      if (reuse !== undefined) {
        if (this.verify) this.check(i, reuse);
        (reuse as Record<symbol, unknown>)[SHARED] = true;
        out[i] = reuse;
        continue;
      }
      memo.root = i;
      memo.rootTracked = this.tracked[i]!;
      const rec = copyFields(this.roots[i]!, memo, undefined);
      out[i] = rec;
      if (this.tracked[i]) this.current[i] = rec;
    }
    return out;
  }

  /**
   * Puts the roots back into the state `s` was saved in. `s` stays usable for further restores,
   * unless `last` says it will not be used again: then its copies are taken over, not copied
   * (except a record that another saved state shares).
   */
  restore(s: SavedState, last = false): void {
    const memo = new Memo(this.stable, this.entangled);
    for (let i = 0; i < this.roots.length; i++) {
      const saved = s[i]!;
      if (!this.entangled[i] && this.current[i] === saved) continue;
      const root = this.roots[i] as Record<string, unknown>;
      for (const k in root) if (!(k in saved)) delete root[k];
      memo.root = i;
      memo.rootTracked = this.tracked[i]!;
      if (!last || (saved as Record<symbol, unknown>)[SHARED] === true) {
        copyFields(saved, memo, root);
        if (this.tracked[i]) this.current[i] = saved;
        continue;
      }
      for (const k in saved) {
        const v = saved[k];
        if (v instanceof SelfSaved) {
          v.of[RESTORE](v.data);
          root[k] = v.of;
        } else root[k] = v;
      }
      if (this.tracked[i]) this.current[i] = undefined;
    }
  }

  /** Throws when a reused record no longer equals its root: a change that was not announced. */
  private check(i: number, reused: Readonly<Record<string, unknown>>): void {
    const fresh = copyFields(this.roots[i]!, new Memo(this.stable, this.entangled), undefined);
    const why = differs(reused, fresh, this.stable, new Map(), '');
    if (why !== undefined) throw new Error(`state-snapshot: root ${i} (${this.roots[i]!.constructor.name}) changed without touch: ${why}`);
  }
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
 * Copies the own enumerable fields of `from` into `into` (a fresh record when undefined). A field
 * holding an object that saves itself is saved (or restored) by it; such objects are fields of
 * roots only, never deeper, so that a saved state can be taken over whole.
 */
function copyFields(from: object, memo: Memo, into: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = into ?? {};
  const src = from as Record<string, unknown>;
  // for-in, not Object.keys: no array of names per copy (a restore copies every root it restores).
  // It yields own fields only: the constructor checks that no root inherits an enumerable one.
  for (const k in src) {
    const v = src[k];
    if (typeof v !== 'object' || v === null) {
      out[k] = v;
      continue;
    }
    const proto = Object.getPrototypeOf(v) as object;
    if (proto === SelfSaved.prototype) {
      // Restoring: the object goes back to its saved value and stays itself.
      const x = v as SelfSaved;
      x.of[RESTORE](x.data);
      out[k] = x.of;
    } else if (!isPlainKind(proto) && typeof (v as Partial<SelfSaving>)[SAVE] === 'function' && !memo.get(v)) {
      out[k] = new SelfSaved(v as unknown as SelfSaving, (v as unknown as SelfSaving)[SAVE]());
    } else out[k] = copy(v, memo);
  }
  return out;
}

/** Arrays, plain records, maps and sets: never objects that save themselves. */
function isPlainKind(proto: object): boolean {
  return proto === Array.prototype || proto === Object.prototype || proto === Map.prototype || proto === Set.prototype;
}

/**
 * The copies made so far in one save or restore, over the objects kept as they are. Sharing
 * between roots matters only where a tracked root is involved (its copy may be reused while the
 * other root's is made afresh), so only copies made for tracked roots record their root: a copy
 * met again from another root, or one without a recorded root met from a tracked root, entangles.
 */
class Memo {
  private readonly made = new Map<object, object>();
  /** The root whose fields are being copied now, and whether it is tracked. */
  root = 0;
  rootTracked = false;
  private readonly owner = new Map<object, number>();
  constructor(private readonly stable: ReadonlyMap<object, object>, private readonly entangled: boolean[]) {}
  get(v: object): object | undefined {
    const s = this.stable.get(v);
    if (s !== undefined) return s;
    const m = this.made.get(v);
    if (m !== undefined) {
      const o = this.owner.get(v);
      if (o === undefined ? this.rootTracked : o !== this.root) {
        this.entangled[this.root] = true;
        if (o !== undefined) this.entangled[o] = true;
      }
    }
    return m;
  }
  set(v: object, copy: object): void {
    this.made.set(v, copy);
    if (this.rootTracked) this.owner.set(v, this.root);
  }
}

/** A deep copy of one value (see the module comment for what is shared instead). */
function copy<T>(v: T, memo: Memo): T {
  if (typeof v !== 'object' || v === null) return v;
  const known = memo.get(v);
  if (known !== undefined) return known as T;
  if (Object.isFrozen(v)) {
    if (typeof (v as Partial<SelfSaving>)[SAVE] === 'function') throw new Error('an object that saves itself must be a field of a root');
    return v;
  }
  // The common kinds first, by prototype; each is copied natively, then its object members fixed.
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === Array.prototype) {
    const src = v as unknown as unknown[];
    const a = src.slice();
    memo.set(v, a);
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === 'object' && x !== null) a[i] = copy(x, memo);
    }
    return a as T;
  }
  if (proto === Object.prototype) {
    const o = { ...(v as Record<string, unknown>) };
    memo.set(v, o);
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'object' && x !== null) o[k] = copy(x, memo);
    }
    return o as T;
  }
  if (proto === Map.prototype) {
    const src = v as unknown as Map<unknown, unknown>;
    let objectKeys = false;
    for (const k of src.keys()) if (typeof k === 'object' && k !== null) { objectKeys = true; break; }
    if (objectKeys) {
      const m = new Map();
      memo.set(v, m);
      for (const [k, x] of src) m.set(copy(k, memo), copy(x, memo));
      return m as T;
    }
    const m = new Map(src);
    memo.set(v, m);
    for (const [k, x] of m) if (typeof x === 'object' && x !== null) m.set(k, copy(x, memo));
    return m as T;
  }
  if (proto === Set.prototype) {
    const src = v as unknown as Set<unknown>;
    let objects = false;
    for (const x of src) if (typeof x === 'object' && x !== null) { objects = true; break; }
    const s = objects ? new Set() : new Set(src);
    memo.set(v, s);
    if (objects) for (const x of src) s.add(copy(x, memo));
    return s as T;
  }
  if (typeof (v as Partial<SelfSaving>)[SAVE] === 'function') throw new Error('an object that saves itself must be a field of a root');
  if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(copy(k, memo), copy(x, memo));
    return m as T;
  }
  if (v instanceof Set) {
    const s = new Set();
    memo.set(v, s);
    for (const x of v) s.add(copy(x, memo));
    return s as T;
  }
  if (ArrayBuffer.isView(v)) {
    const t = (v as unknown as Uint8Array).slice();
    memo.set(v, t);
    return t as T;
  }
  if (v instanceof WeakMap || v instanceof WeakSet) throw new Error('state held in a WeakMap or WeakSet cannot be saved');
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    memo.set(v, a);
    for (let i = 0; i < v.length; i++) a[i] = copy(v[i], memo);
    return a as T;
  }
  const o = Object.create(proto) as Record<string, unknown>;
  memo.set(v, o);
  const src = v as Record<string, unknown>;
  for (const k of Object.keys(src)) o[k] = copy(src[k], memo);
  return o as T;
}
