/**
 * The lifecycle machine compiled into flat tables for the hot path (scheduler, monitor). Rows
 * are filled from `lifecycleMachine` with XState's pure `transition` function the first time a
 * (state, event) pair is met, then every later step is one array lookup: the tables are a
 * compiled form of the machine, never a second source of truth. The machine has some 12,000
 * reachable states (its regions are independent products), of which a run visits a few hundred,
 * so compiling on demand costs milliseconds where compiling everything costs seconds;
 * `compileAll()` does the latter for tests and coverage.
 *
 * Each XState call costs about a millisecond, and a campaign meets a thousand cells, mostly in its
 * first hundred runs: every process (each worker, each shard) would pay that again. So the cells
 * the conformance suite meets come filled, from specs/machine-rows.generated.ts
 * (`npm run gen:machine-rows`); a test checks each of them against XState, so a change of the
 * machine that makes one wrong fails until they are generated again.
 */
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { CALL_EVENTS, lifecycleMachine, REGIONS, type CallEventType } from './lifecycle-machine.ts';
import { MACHINE_ROWS } from './machine-rows.generated.ts';

const UNKNOWN = -2;
const EVENT_INDEX = new Map<CallEventType, number>(CALL_EVENTS.map((e, i) => [e, i]));

/** Cells of the compiled lifecycle machine, filled beforehand (specs/machine-rows.generated.ts, `npm run gen:machine-rows`). */
export interface MachineRows {
  /** The machine's regions, in the order of each state key's parts. */
  regions: string[];
  /** States by key: each region's state, joined by `|`; the first is the initial state. */
  states: string[];
  /** Events, rules and transitions the cells name, by their index here. */
  events: string[];
  rules: string[];
  transitions: string[];
  /** [state, event, next state, rules broken, transitions taken] */
  cells: [number, number, number, number[], number[]][];
}

/** Every legal transition of the machine, by id (`region.state -EVENT-> target [RULE]`), with its rule. */
export interface MachineTransition { id: string; rule: string }

export class CompiledMachine {
  readonly eventCount = CALL_EVENTS.length;
  /** Every legal transition of the machine, derived from its definition. */
  readonly transitions: readonly MachineTransition[];
  /** Every state node of the machine as `region.state`. */
  readonly stateNodes: readonly string[];
  /** Rule sets named by `reject` entries. */
  readonly ruleSets: string[][] = [];
  /** Transition sets named by `took` entries (indices into `transitions`). */
  readonly transitionSets: number[][] = [];
  /** `next[s * eventCount + e]`: the state after event e in state s. */
  next = new Int32Array(0);
  /** `reject[s * eventCount + e]`: index into `ruleSets` of the rules broken, or -1. */
  reject = new Int16Array(0);
  /** `took[s * eventCount + e]`: index into `transitionSets`, or -1. */
  took = new Int32Array(0);

  /** Each state's XState snapshot, made when a cell of its row is first filled. */
  private readonly snapshots: (AnyMachineSnapshot | undefined)[] = [];
  /** Each state's value per region. */
  private readonly values: Readonly<Record<string, string>>[] = [];
  private readonly nodesOf: number[][] = [];
  private readonly index = new Map<string, number>();
  private readonly transitionIndex: Map<string, number>;
  private readonly nodeIndex: Map<string, number>;
  private readonly ruleSetIndex = new Map<string, number>();
  private readonly transitionSetIndex = new Map<string, number>();

  /** `rows`: cells filled beforehand (the generated ones by default; none for a machine compiled from scratch). */
  constructor(rows: MachineRows | undefined = MACHINE_ROWS) {
    this.transitions = allTransitions();
    this.transitionIndex = new Map(this.transitions.map((t, i) => [t.id, i]));
    this.stateNodes = REGIONS.flatMap((r) => Object.keys(lifecycleMachine.root.states[r]!.states).map((s) => `${r}.${s}`));
    this.nodeIndex = new Map(this.stateNodes.map((n, i) => [n, i]));
    const [initial] = initialTransition(lifecycleMachine);
    this.intern(initial);
    if (rows) this.preload(rows);
  }

  /** Number of states compiled so far; state 0 is the initial one. */
  get stateCount(): number {
    return this.values.length;
  }

  /** The state whose value per region is `value` (`{ lifecycle: 'pending', ... }`), compiled if new. */
  stateOf(value: Readonly<Record<string, string>>): number {
    return this.internValue(value);
  }

  /** The cells filled so far, with states by their key (`pending|idle|...`), events, rules and transitions by name. */
  filledRows(): MachineRows {
    const rules = new Map<string, number>();
    const ids = new Map<string, number>();
    const indexOf = (m: Map<string, number>, x: string) => {
      let i = m.get(x);
      if (i === undefined) m.set(x, (i = m.size));
      return i;
    };
    const cells: MachineRows['cells'] = [];
    for (let i = 0; i < this.next.length; i++) {
      const n = this.next[i]!;
      if (n === UNKNOWN) continue;
      const r = this.reject[i]!;
      const t = this.took[i]!;
      cells.push([
        Math.floor(i / this.eventCount), i % this.eventCount, n,
        r >= 0 ? this.ruleSets[r]!.map((x) => indexOf(rules, x)) : [],
        t >= 0 ? this.transitionSets[t]!.map((x) => indexOf(ids, this.transitions[x]!.id)) : [],
      ]);
    }
    return {
      regions: [...REGIONS], events: [...CALL_EVENTS], rules: [...rules.keys()], transitions: [...ids.keys()],
      states: this.values.map((v) => REGIONS.map((r) => v[r]).join('|')), cells,
    };
  }

  /** The state after event `e` in state `s` (filling the row's cell on first use). */
  step(s: number, e: number): number {
    const i = s * this.eventCount + e;
    const n = this.next[i]!;
    return n !== UNKNOWN ? n : this.fill(s, e);
  }

  /** The rules that event `e` breaks in state `s`, or undefined. Call after `step`. */
  rejected(s: number, e: number): readonly string[] | undefined {
    const r = this.reject[s * this.eventCount + e]!;
    return r >= 0 ? this.ruleSets[r] : undefined;
  }

  eventIndex(type: CallEventType): number {
    return EVENT_INDEX.get(type)!;
  }

  /** The state's value per region, e.g. `{ lifecycle: 'pending', callback: 'idle', ... }`. */
  stateValue(s: number): Readonly<Record<string, string>> {
    return this.values[s]!;
  }

  /** Indices into `stateNodes` active in state s (cached: the monitor asks on every state change). */
  activeNodes(s: number): readonly number[] {
    let nodes = this.nodesOf[s];
    if (!nodes) {
      const v = this.stateValue(s);
      nodes = this.nodesOf[s] = REGIONS.map((r) => this.nodeIndex.get(`${r}.${v[r]}`)!);
    }
    return nodes;
  }

  /** Compiles every reachable state (seconds): for tests and for the full coverage picture. */
  compileAll(): this {
    for (let s = 0; s < this.values.length; s++) for (let e = 0; e < this.eventCount; e++) this.step(s, e);
    return this;
  }

  /** Fills the cells of `rows` (states by key, so their numbering need not match this machine's). */
  private preload(rows: MachineRows): void {
    // Rows of another shape of the machine (regions added, removed or reordered) fill nothing.
    const sameRegions = rows.regions.length === REGIONS.length && rows.regions.every((r, i) => r === REGIONS[i]);
    if (!sameRegions) return;
    // A state, event or transition the machine no longer has leaves its cells to XState.
    const state = rows.states.map((key) => {
      const parts = key.split('|');
      if (parts.length !== REGIONS.length || REGIONS.some((r, i) => !this.nodeIndex.has(`${r}.${parts[i]}`))) return undefined;
      return this.internValue(Object.fromEntries(REGIONS.map((r, i) => [r, parts[i]!])));
    });
    const events = rows.events.map((e) => EVENT_INDEX.get(e as CallEventType));
    const transitions = rows.transitions.map((id) => this.transitionIndex.get(id));
    for (const [s, ev, n, rules, ids] of rows.cells) {
      const from = state[s];
      const to = state[n];
      const e = events[ev];
      const took = ids.map((t) => transitions[t]);
      if (from === undefined || to === undefined || e === undefined || took.some((t) => t === undefined)) continue;
      const i = from * this.eventCount + e;
      this.next[i] = to;
      this.reject[i] = rules.length ? intern(this.ruleSets, this.ruleSetIndex, rules.map((r) => rows.rules[r]!)) : -1;
      this.took[i] = took.length ? intern(this.transitionSets, this.transitionSetIndex, took as number[]) : -1;
    }
  }

  private intern(snapshot: AnyMachineSnapshot): number {
    return this.internValue(snapshot.value as Record<string, string>, snapshot);
  }

  private internValue(value: Readonly<Record<string, string>>, snapshot?: AnyMachineSnapshot): number {
    const key = REGIONS.map((r) => value[r]).join('|');
    let s = this.index.get(key);
    if (s !== undefined) {
      this.snapshots[s] ??= snapshot;
      return s;
    }
    s = this.values.length;
    this.values.push(Object.freeze(Object.fromEntries(REGIONS.map((r) => [r, value[r]!]))));
    this.snapshots.push(snapshot);
    this.index.set(key, s);
    const size = this.values.length * this.eventCount;
    if (size > this.next.length) this.grow(Math.max(size, this.next.length * 2));
    return s;
  }

  /** State s's XState snapshot, resolved from its value the first time it is needed. */
  private snapshot(s: number): AnyMachineSnapshot {
    return (this.snapshots[s] ??= lifecycleMachine.resolveState({ value: { ...this.values[s]! } }) as AnyMachineSnapshot);
  }

  private grow(size: number): void {
    const next = new Int32Array(size).fill(UNKNOWN);
    next.set(this.next);
    const reject = new Int16Array(size).fill(-1);
    reject.set(this.reject);
    const took = new Int32Array(size).fill(-1);
    took.set(this.took);
    this.next = next;
    this.reject = reject;
    this.took = took;
  }

  private fill(s: number, e: number): number {
    const [after, actions] = transition(lifecycleMachine, this.snapshot(s) as never, { type: CALL_EVENTS[e]! } as never);
    const target = this.intern(after);
    const i = s * this.eventCount + e;
    const rules: string[] = [];
    const ids: number[] = [];
    for (const a of actions as { type: string; params?: { rules?: string[]; id?: string } }[]) {
      if (a.type === 'reject') rules.push(...(a.params?.rules ?? []));
      else if (a.type === 'took' && a.params?.id) ids.push(this.transitionIndex.get(a.params.id)!);
    }
    this.next[i] = target;
    this.reject[i] = rules.length ? intern(this.ruleSets, this.ruleSetIndex, [...new Set(rules)]) : -1;
    this.took[i] = ids.length ? intern(this.transitionSets, this.transitionSetIndex, ids) : -1;
    return target;
  }
}

function allTransitions(): MachineTransition[] {
  const out: MachineTransition[] = [];
  for (const regionNode of Object.values(lifecycleMachine.root.states)) {
    for (const stateNode of Object.values(regionNode.states)) {
      for (const defs of stateNode.transitions.values()) {
        for (const def of defs) {
          const meta = def.meta as { rule?: string; id?: string } | undefined;
          if (meta?.id && meta.rule) out.push({ id: meta.id, rule: meta.rule });
        }
      }
    }
  }
  return out;
}

function intern<T>(list: T[][], index: Map<string, number>, item: T[]): number {
  const key = item.join(',');
  let i = index.get(key);
  if (i === undefined) {
    i = list.length;
    list.push(item);
    index.set(key, i);
  }
  return i;
}

let shared: CompiledMachine | undefined;
/** The process-wide compiled machine (filled on demand, shared by every monitor). */
export function compiledMachine(): CompiledMachine {
  return (shared ??= new CompiledMachine());
}

/** Makes `m` the process-wide compiled machine (to compile from scratch, as the row generator does); returns it. */
export function setCompiledMachine(m: CompiledMachine): CompiledMachine {
  shared = m;
  return m;
}
