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

/**
 * An object may save and restore itself instead of being copied field by field: `[SAVE]()` returns
 * a value that `[RESTORE](value)` puts back into the same object (which therefore must stay the
 * same object for the life of the snapshotter, as a root does). Cheaper for objects with an
 * append-only list, such as a rule's outcome: restoring truncates the list.
 */
export const SAVE = Symbol('save');
export const RESTORE = Symbol('restore');

export interface SelfSaving {
  [SAVE](): unknown;
  [RESTORE](saved: unknown): void;
}

/** A value saved by its object itself, and the object it goes back into. */
class SelfSaved {
  constructor(readonly of: SelfSaving, readonly data: unknown) {}
}

/** What `save` returns: one record of copied fields per root, in the order of the roots. */
export type SavedState = readonly Readonly<Record<string, unknown>>[];

export class StateSnapshotter {
  private readonly stable: Map<object, object>;

  /**
   * `shared` objects are kept as they are; so is everything reachable from `sharedDeep` (inputs
   * such as a workload, never changed during a run).
   */
  constructor(private readonly roots: readonly object[], shared: readonly unknown[] = [], sharedDeep: readonly unknown[] = []) {
    this.stable = new Map();
    this.stable.set(this, this);
    for (const o of [...roots, ...shared]) if (typeof o === 'object' && o !== null) this.stable.set(o, o);
    for (const o of sharedDeep) markReachable(o, this.stable);
  }

  /** A copy of every root's fields, independent of the live objects from now on. */
  save(): SavedState {
    const memo = new Memo(this.stable);
    return this.roots.map((r) => copyFields(r, memo, undefined));
  }

  /**
   * Puts the roots back into the state `s` was saved in. `s` stays usable for further restores,
   * unless `last` says it will not be used again: then its copies are taken over, not copied.
   */
  restore(s: SavedState, last = false): void {
    const memo = new Memo(this.stable);
    for (let i = 0; i < this.roots.length; i++) {
      const root = this.roots[i] as Record<string, unknown>;
      const saved = s[i]!;
      for (const k of Object.keys(root)) if (!(k in saved)) delete root[k];
      if (!last) {
        copyFields(saved, memo, root);
        continue;
      }
      for (const k of Object.keys(saved)) {
        const v = saved[k];
        if (v instanceof SelfSaved) {
          v.of[RESTORE](v.data);
          root[k] = v.of;
        } else root[k] = v;
      }
    }
  }
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
  for (const k of Object.keys(src)) {
    const v = src[k];
    if (v instanceof SelfSaved) {
      // Restoring: the object goes back to its saved value and stays itself.
      v.of[RESTORE](v.data);
      out[k] = v.of;
    } else if (typeof v === 'object' && v !== null && typeof (v as Partial<SelfSaving>)[SAVE] === 'function' && !memo.get(v)) {
      out[k] = new SelfSaved(v as unknown as SelfSaving, (v as unknown as SelfSaving)[SAVE]());
    } else out[k] = copy(v, memo);
  }
  return out;
}

/** A deep copy of one value (see the module comment for what is shared instead). */
/** The copies made so far in one save or restore, over the objects kept as they are. */
class Memo {
  private readonly made = new Map<object, object>();
  constructor(private readonly stable: ReadonlyMap<object, object>) {}
  get(v: object): object | undefined {
    return this.stable.get(v) ?? this.made.get(v);
  }
  set(v: object, copy: object): void {
    this.made.set(v, copy);
  }
}

function copy<T>(v: T, memo: Memo): T {
  if (typeof v !== 'object' || v === null) return v;
  const known = memo.get(v);
  if (known !== undefined) return known as T;
  if (typeof (v as Partial<SelfSaving>)[SAVE] === 'function') throw new Error('an object that saves itself must be a field of a root');
  if (Object.isFrozen(v)) return v;
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    memo.set(v, a);
    for (let i = 0; i < v.length; i++) a[i] = copy(v[i], memo);
    return a as T;
  }
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
  const o = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
  memo.set(v, o);
  const src = v as Record<string, unknown>;
  for (const k of Object.keys(src)) o[k] = copy(src[k], memo);
  return o as T;
}
