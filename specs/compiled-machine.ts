/**
 * The lifecycle machine compiled into flat tables for the hot path (scheduler, monitor). Rows
 * are filled from `lifecycleMachine` with XState's pure `transition` function the first time a
 * (state, event) pair is met, then every later step is one array lookup: the tables are a
 * compiled form of the machine, never a second source of truth. The machine has some 12,000
 * reachable states (its regions are independent products), of which a run visits a few hundred,
 * so compiling on demand costs milliseconds where compiling everything costs seconds;
 * `compileAll()` does the latter for tests and coverage.
 */
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { CALL_EVENTS, lifecycleMachine, REGIONS, type CallEventType } from './lifecycle-machine.ts';

const UNKNOWN = -2;
const EVENT_INDEX = new Map<CallEventType, number>(CALL_EVENTS.map((e, i) => [e, i]));

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

  private readonly snapshots: AnyMachineSnapshot[] = [];
  private readonly nodesOf: number[][] = [];
  private readonly index = new Map<string, number>();
  private readonly transitionIndex: Map<string, number>;
  private readonly nodeIndex: Map<string, number>;
  private readonly ruleSetIndex = new Map<string, number>();
  private readonly transitionSetIndex = new Map<string, number>();

  constructor() {
    this.transitions = allTransitions();
    this.transitionIndex = new Map(this.transitions.map((t, i) => [t.id, i]));
    this.stateNodes = REGIONS.flatMap((r) => Object.keys(lifecycleMachine.root.states[r]!.states).map((s) => `${r}.${s}`));
    this.nodeIndex = new Map(this.stateNodes.map((n, i) => [n, i]));
    const [initial] = initialTransition(lifecycleMachine);
    this.intern(initial);
  }

  /** Number of states compiled so far; state 0 is the initial one. */
  get stateCount(): number {
    return this.snapshots.length;
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
    return this.snapshots[s]!.value as Record<string, string>;
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
    for (let s = 0; s < this.snapshots.length; s++) for (let e = 0; e < this.eventCount; e++) this.step(s, e);
    return this;
  }

  private intern(snapshot: AnyMachineSnapshot): number {
    const v = snapshot.value as Record<string, string>;
    const key = REGIONS.map((r) => v[r]).join('|');
    let s = this.index.get(key);
    if (s !== undefined) return s;
    s = this.snapshots.length;
    this.snapshots.push(snapshot);
    this.index.set(key, s);
    const size = this.snapshots.length * this.eventCount;
    if (size > this.next.length) this.grow(Math.max(size, this.next.length * 2));
    return s;
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
    const [after, actions] = transition(lifecycleMachine, this.snapshots[s] as never, { type: CALL_EVENTS[e]! } as never);
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
