/**
 * Symmetry reduction for exhaustive search: calls that the workload makes alike (the same
 * operation, sink, services, flags, objects, provider and dependencies; only their ids differ)
 * and that nothing else names are interchangeable. A state and the state with two such calls
 * swapped have the same futures up to the names, and the same verdicts, so the search keys a
 * state by the least of its keys over every renaming of interchangeable calls: it explores one
 * state of each class.
 *
 * The key is renamed as text: a call id (letters, then digits: `c1`, `q12`) is matched where no
 * letter comes before it and no letter or digit after it (`c1` in `c1#2f`, `ret:c1`, `c1:27` or
 * after a status code, `2147749938c1#2f`; never inside `c10` or `xc1`), so it applies only where
 * every part of the key names the calls it is about, and only to ids that no other name of the
 * workload contains that way. The world, the judge and the brokers that say so (`BrokerAdapter.symmetric`) key
 * their parts that way, and order their lists as the renamed text will be ordered
 * (trace/key-order.ts), so that the renamed key is the key of the renamed state; the lifecycle
 * monitor's part, which lists the calls in workload order, is permuted instead. Sleep sets are
 * kept in the renamed names too, so that a state met again under another naming compares its
 * steps with the ones stored.
 */
import type { KeyOrder } from '../trace/key-order.ts';
import { afterCall, type Workload } from './workload.ts';

/** Groups of interchangeable call ids (two or more each), in workload order. */
export function interchangeableCalls(w: Workload): string[][] {
  const named = new Set<string>();
  const mention = (after: string | undefined) => { if (after) named.add(afterCall(after)); };
  for (const c of w.calls) mention(c.after);
  for (const a of w.actions ?? []) mention(a.after);
  const names = [
    ...w.sinks.map((s) => s.id), ...(w.swbemsinks ?? []).map((s) => s.id), ...w.calls.map((c) => c.id),
    ...w.calls.flatMap((c) => [c.services ?? '', c.swsink ?? '']), ...(w.actions ?? []).flatMap((a) => ['id' in a ? a.id : '', 'services' in a ? a.services ?? '' : '']),
  ].filter((n) => n !== '');
  const groups = new Map<string, string[]>();
  for (const c of w.calls) {
    // A renamed id must be found as itself only: in no other name of the workload.
    if (named.has(c.id) || !ID.test(c.id)) continue;
    const alone = idPattern([c.id]);
    if (names.some((n) => n !== c.id && n.match(alone) !== null) || names.filter((n) => n === c.id).length > 1) continue;
    const { id: _, ...spec } = c;
    const like = JSON.stringify(spec, Object.keys(spec).sort());
    let g = groups.get(like);
    if (!g) groups.set(like, (g = []));
    g.push(c.id);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** The ids symmetry renames: letters, then digits. */
const ID = /^[A-Za-z_]+[0-9]+$/;

/** Where the ids stand in a key: no letter before, no letter or digit after. */
function idPattern(ids: readonly string[]): RegExp {
  return new RegExp(`(?<![A-Za-z_])(?:${[...ids].sort((a, b) => b.length - a.length).join('|')})(?![A-Za-z0-9_])`, 'g');
}

/** More renamings than this, and the search does without symmetry (each state would cost them all). */
export const MAX_RENAMINGS = 24;

/** One renaming of call ids: old id → new id. */
type Renaming = ReadonlyMap<string, string>;

/**
 * A renaming as `canonical` applies it: the calls listed positionally (position j holds the call
 * renamed to the j-th id), and the texts it renamed before, kept (up to RENAMED_KEPT of them)
 * because a search meets the same list elements again and again.
 */
interface Applied {
  readonly r: Renaming;
  readonly identity: boolean;
  readonly positions: readonly string[];
  readonly renamed: Map<string, string>;
}

/** Renamed texts kept per renaming before the cache starts again. */
const RENAMED_KEPT = 1 << 16;

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

export class CallSymmetry {
  private readonly renamings: Applied[];
  private readonly pattern: RegExp;
  /** The renaming the last `canonical` chose; `name` renames steps by it. */
  private chosen: Renaming | undefined;

  private constructor(readonly groups: readonly string[][], callIds: readonly string[]) {
    let rs: Map<string, string>[] = [new Map()];
    for (const g of groups) {
      const next: Map<string, string>[] = [];
      for (const r of rs) for (const p of permutations(g)) next.push(new Map([...r, ...g.map((id, i) => [id, p[i]!] as const)]));
      rs = next;
    }
    this.renamings = rs.map((r) => {
      const inverse = new Map([...r].map(([from, to]) => [to, from]));
      return {
        r, identity: [...r].every(([from, to]) => from === to), positions: callIds.map((id) => inverse.get(id) ?? id), renamed: new Map<string, string>(),
      };
    });
    this.pattern = idPattern(groups.flat());
    this.grouped = callIds.flatMap((id, j) => (groups.some((g) => g.includes(id)) ? [j] : []));
  }

  /** The positions (in workload order) of the calls that some renaming moves. */
  private readonly grouped: readonly number[];
  /** Each renamed call's own state, while `canonical` runs. */
  private readonly own = new Map<string, string>();

  /** The symmetry of a workload, or undefined when it has no interchangeable calls (or too many renamings). */
  static of(w: Workload): CallSymmetry | undefined {
    const groups = interchangeableCalls(w);
    if (groups.length === 0) return undefined;
    const n = groups.reduce((k, g) => k * factorial(g.length), 1);
    if (n > MAX_RENAMINGS) return undefined;
    return new CallSymmetry(groups, w.calls.map((c) => c.id));
  }

  private rename(text: string, r: Renaming): string {
    return text.replace(this.pattern, (id) => r.get(id) ?? id);
  }

  /** `rename`, through the renaming's cache of texts renamed before. */
  private renameKept(text: string, a: Applied): string {
    let out = a.renamed.get(text);
    if (out === undefined) {
      if (a.renamed.size >= RENAMED_KEPT) a.renamed.clear();
      out = this.rename(text, a.r);
      a.renamed.set(text, out);
    }
    return out;
  }

  /**
   * The least key over every renaming: `named(order)` is the key's part whose calls are named in
   * it, its lists ordered by `order`; `positional(calls)` the part that lists per-call state in
   * the order of the call ids given.
   */
  canonical(named: (order?: KeyOrder) => string, positional: (calls: readonly string[]) => string): string {
    let best: string | undefined;
    for (const a of this.candidates(positional)) {
      // The identity renames nothing: the key as it is, its lists in plain text order.
      const k = a.identity
        ? `${named()}#${positional(a.positions)}`
        : `${this.rename(named((text) => this.renameKept(text, a)), a.r)}#${positional(a.positions)}`;
      if (best === undefined || k < best) {
        best = k;
        // The identity leaves step keys as they are.
        this.chosen = a.identity ? undefined : a.r;
      }
    }
    return best!;
  }

  /**
   * The renamings worth keying: those that list the calls' own states (`positional` of each call
   * alone) in the least order. A renaming composed with a symmetry of the state lists them as
   * the state renamed lists them under that renaming, so the renamings kept for a state and for
   * any renaming of it give the same renamed states, and the least key among them is the same
   * for the whole class. Where the calls' states all differ, one renaming is left, and the state
   * is keyed once instead of once per renaming.
   */
  private candidates(positional: (calls: readonly string[]) => string): readonly Applied[] {
    const own = this.own;
    own.clear();
    for (const g of this.groups) for (const c of g) own.set(c, positional([c]));
    let kept: Applied[] = [];
    let least: string[] | undefined;
    for (const a of this.renamings) {
      const listed = this.grouped.map((j) => own.get(a.positions[j]!)!);
      const cmp = least === undefined ? -1 : compareLists(listed, least);
      if (cmp < 0) { least = listed; kept = [a]; } else if (cmp === 0) kept.push(a);
    }
    return kept;
  }

  /** A step's key under the renaming of the last canonical key. */
  name(key: string): string {
    return this.chosen ? this.rename(key, this.chosen) : key;
  }
}

/** Lexicographic order of two lists of texts of the same length. */
function compareLists(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}
