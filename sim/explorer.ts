/**
 * Exhaustive bounded exploration: every interleaving of a small workload, by depth-first search
 * over the scheduler's choices, with state hashing and a partial-order reduction (sleep sets).
 *
 * The world has no clone, so a branch is explored by running again from the start with a choice
 * prefix (fast-check's and Coyote's way of replaying a schedule). Every run goes on to quiescence
 * and is judged whole, by the lifecycle monitor and by the checks of specs/, exactly as `run`
 * judges it; its replay token is a plain choice list, so `wbemsim replay` reproduces it.
 *
 * One run: (1) follow its prefix to the state where its branch starts; (2) expand: at each state
 * not seen before, remember its sleep set, take the first step not asleep and push the others as
 * branches; (3) once a state was seen (or every step is asleep), finish the run with the first
 * enabled step at each point, without expanding: that tail is only there to judge the run whole.
 *
 * The state key: `World.stateKey()` (the client's calls, actions, callbacks in
 * progress with their remaining time, the providers, the sinks' reference counts and the broker's
 * own `stateKey()`), the lifecycle monitor's state of every call (all regions), and the judge's
 * key (`Judge.stateKey()`: the open windows the checks still compare across calls, the tracker's
 * record of calls not yet ended, what each check declares): the same key as the stateful
 * search's. Never virtual time, sequence numbers or callback history beyond that. States with
 * equal keys have the same futures and the same verdicts for those futures, so each is expanded
 * once: `states` counts distinct keys and `transitions` the (state, step) pairs explored.
 *
 * The reduction (sleep sets, Godefroid 1996, with the state-caching rule: a state seen again with
 * a smaller sleep set explores the steps that slept before and are awake now): after step t was
 * explored at a state, its siblings explored later carry t in their sleep set while they take
 * steps independent of t (`StepIndependence`): the interleaving where t comes later is an
 * equivalent reordering of one already explored. Sleep sets never lose a reachable state, only
 * redundant transitions, and reorder only steps whose events no rule compares.
 */
import { rejectionText } from '../specs/rejection-words.ts';
import { decideOutcome } from '../report/result.ts';
import type { BrokerAdapter } from './broker-adapter.ts';
import { createJudge } from '../specs/index.ts';
import type { TraceEvent, TraceHeader } from '../trace/event.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import { Coverage, type Monitor, type MonitorRejection } from '../specs/monitor.ts';
import { runOnce, type RunResult } from './run.ts';
import type { ClientModel } from './client-api.ts';
import { canSnapshot, exploreBreadthFirst, exploreStateful } from './stateful-explorer.ts';
import { StepIndependence, type CallSinks } from './step-independence.ts';
import { SinkPersistentSets } from './persistent-sets.ts';
import { expand, type Visited } from './sleep-sets.ts';
import { StateTable } from './state-table.ts';
import type { Step, Strategy } from './strategy.ts';
import { runsInProcess, type World } from './world.ts';
import type { Workload } from './workload.ts';
import type { SharedClaims } from './shared-claims.ts';

/** Bounds and inputs of one exploration. */
export interface ExploreOptions {
  /** The `--impl` value, recorded in replay tokens. */
  impl: string;
  broker: BrokerAdapter;
  workload: Workload;
  /** A client model playing the workload (sim/client-api.ts). */
  client?: ClientModel;
  /** Step bound per run; a run that reaches it makes the exploration incomplete. */
  maxSteps?: number;
  /** Distinct states at which exploration stops (incomplete). */
  maxStates?: number;
  watchdog?: number;
  /** Turns the reduction off (for tests that compare it with the plain search). */
  noReduction?: boolean;
  /**
   * Partial-order reduction (`--por`): providers go untimed (WorldOptions.untimedProviders: a few
   * more interleavings, and their steps commute with other calls'), and the stateful depth-first
   * search explores one sink's steps at a state where the others' commute with them
   * (sim/persistent-sets.ts). The re-execution search takes the untimed providers only.
   */
  por?: boolean;
  /** With `por`: providers untimed, but every enabled step explored (tests compare the two). */
  noPersistentSets?: boolean;
  /** Stop at the first run that breaks a `must` rule. */
  stopAtFirstViolation?: boolean;
  /** Wall-clock cut-off between runs and steps. */
  shouldStop?: () => boolean;
  /** Every run, as it finishes (a campaign folds them). */
  onRun?: (r: RunResult) => void;
  /** Keep each run's whole trace in its result (for `onRun`). */
  keepTrace?: boolean;
  /**
   * `stateful` keeps the world, the broker, the monitor and the judge at branch points
   * (sim/stateful-explorer.ts); `re-execution` runs every branch again from the start. Default:
   * stateful when the broker can be saved and restored and no whole run is asked for (`onRun`).
   */
  mode?: ExploreMode;
  /**
   * Hash compaction (stateful search only): store each state as a 64-bit hash instead of its key.
   * Far less memory per state; the result states the estimated probability that a state was
   * omitted because two states shared a hash.
   */
  bitstate?: boolean;
  /** Turns the symmetry reduction of the stateful search off (sim/symmetry.ts; tests compare the two). */
  noSymmetry?: boolean;
  /** Tests: verify every saved check state shared between saved states (JudgeOptions.verifySaves). */
  verifySaves?: boolean;
  /** Progress of a stateful or breadth-first search, now and then: paths ended, states, violated rules so far. */
  onProgress?: (p: { runs: number; states: number; violations: number }) => void;
  /**
   * Explore only part `k` of `n` (stateful search): at depth `depth` only the states whose key
   * hashes to k - 1 modulo n are explored further. The n parts together explore every state.
   */
  shard?: { k: number; n: number; depth: number };
  /**
   * Explore as worker `k` of `n` threads that share `claims` (stateful search): every worker
   * explores the levels above `depth`; at `depth` a worker takes its own states first (by key
   * hash), then, once done, those of the others that no worker has claimed yet; below it, a state
   * is expanded by the one worker that claims it first (sim/shared-claims.ts).
   */
  team?: { claims: SharedClaims; k: number; n: number; depth: number };
}

export type ExploreMode = 'stateful' | 're-execution' | 'breadth-first';

/** A rule broken in some explored run: the first run that broke it, and how many did. */
export interface ExploredViolation {
  rule: string;
  /** `judge` for a check of specs/, `monitor` for a rejection by the lifecycle machine. */
  by: 'judge' | 'monitor';
  explanation: string;
  token: string;
  steps: number;
  runs: number;
}

/** What an exploration found. */
export interface Exploration {
  impl: string;
  /** How branches were explored (see ExploreOptions.mode). */
  mode: ExploreMode;
  workload: string;
  states: number;
  transitions: number;
  /** With hash compaction: the estimated probability that some state was not explored, and the table's bytes per state. */
  hashCompaction?: { omission: number; bytesPerState: number };
  /** Full states (no hash compaction): the bytes per state of the table of visited states (sim/state-table.ts). */
  stateTable?: { bytesPerState: number };
  /** Worker threads that shared their states by hash: the estimated probability that a state was not explored because two shared a hash. */
  sharedClaims?: { omission: number };
  /** The groups of interchangeable calls whose renamings the stateful search merged (sim/symmetry.ts). */
  symmetry?: string[][];
  /**
   * `--por`: how many expansions of a state explored one sink's steps only
   * (sim/persistent-sets.ts), or why none did, and whether providers were untimed then.
   */
  por?: { reduced: number } | { refusal: string; untimedProviders?: true };
  /** Executions from the start (one per branch explored). */
  runs: number;
  steps: number;
  /** True when every reachable state was expanded within the bounds. */
  complete: boolean;
  /** Why not complete: the bound that cut it. */
  cut?: 'max-states' | 'max-steps' | 'stopped' | 'first-violation' | 'broker-failure';
  conformant: boolean;
  /** The broker's process failed (crash, hang, protocol error): the exploration stopped there. */
  brokerFailure?: { reason: string; detail?: string; token: string };
  violations: ExploredViolation[];
  /** How the runs ended (quiescent, deadlock, ...). */
  ends: Record<string, number>;
  /** The first run found that ended in a deadlock: what waited on what (the run's end detail), and its replay token. */
  deadlock?: { detail: string; token: string; steps: number };
  coverage: Coverage;
}

export const DEFAULT_MAX_STATES = 20_000;
export const DEFAULT_EXPLORE_MAX_STEPS = 500;

/** A branch still to explore: the choices leading to it, and the sleep set it starts with. */
interface Branch {
  prefix: number[];
  sleep: Step[];
}

/** Explores every interleaving of the workload within the bounds, stateful where it can. */
export function explore(o: ExploreOptions): Exploration {
  const mode = o.mode ?? (canSnapshot(o.broker) && !o.onRun && !o.keepTrace ? 'stateful' : 're-execution');
  if (o.bitstate && mode !== 'stateful') throw new Error('explore: hash compaction (bitstate) needs the stateful depth-first search');
  if (mode === 'stateful' || mode === 'breadth-first') {
    if (o.onRun || o.keepTrace) throw new Error('explore: whole runs (onRun, keepTrace) exist only in re-execution mode');
    return mode === 'stateful' ? exploreStateful(o) : exploreBreadthFirst(o);
  }
  return exploreByReexecution(o);
}

/** The trace header every search judges its runs under (a simulation of the broker, white-box). */
export function searchHeader(o: Pick<ExploreOptions, 'broker' | 'workload'>): TraceHeader {
  return {
    seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: 'simulation',
    broker: { name: o.broker.info.name, version: o.broker.info.version }, inProcess: runsInProcess(o.workload, o.broker.info),
    whiteBox: true, seed: 0, workload: o.workload.name,
  };
}

/**
 * With `--por`, why the persistent sets do not apply to the search of `o`, or undefined when they
 * do. Where they do not, providers stay timed as well: untimed providers would also hold back the
 * watchdog, which is offered only when nothing else is enabled.
 */
export function porRefusal(o: ExploreOptions): string | undefined {
  return o.client ? 'a client model plays the workload' : SinkPersistentSets.refusal(o.workload);
}

/** Whether the search of `o` runs untimed providers: `--por` where the persistent sets apply. */
export function untimedSearch(o: ExploreOptions): boolean {
  return o.por === true && porRefusal(o) === undefined;
}

/** `Exploration.por` of a search other than the stateful depth-first one. */
export function porOutside(o: ExploreOptions, search: 're-execution' | 'breadth-first'): { refusal: string; untimedProviders?: true } {
  const refusal = porRefusal(o);
  return refusal !== undefined ? { refusal } : { refusal: `the ${search} search takes the untimed providers only`, untimedProviders: true };
}

/** What every search starts from: the step independence of the reduction, the bounds, an empty coverage. */
export function searchBounds(o: ExploreOptions): { independent: (a: Step, b: Step) => boolean; attach: (world: CallSinks) => void; maxStates: number; maxSteps: number; coverage: Coverage } {
  const indep = new StepIndependence(o.workload, o.client !== undefined, untimedSearch(o));
  const m = compiledMachine();
  return {
    independent: o.noReduction ? () => false : (a, b) => indep.independent(a, b),
    attach: (world) => indep.attach(world),
    maxStates: o.maxStates ?? DEFAULT_MAX_STATES,
    maxSteps: o.maxSteps ?? DEFAULT_EXPLORE_MAX_STEPS,
    coverage: new Coverage(m.stateNodes.length, m.transitions.length),
  };
}

/**
 * The re-execution search: every branch runs again from the start with its choice prefix. It needs
 * nothing of the broker but determinism (a stdio broker explores this way), gives every run whole
 * (`onRun`), and is the oracle the stateful search is tested against.
 */
export function exploreByReexecution(o: ExploreOptions): Exploration {
  const { independent, attach, maxStates, maxSteps, coverage } = searchBounds(o);
  const untimed = untimedSearch(o);
  /** The states explored, each with the sleep set it was expanded with (step keys; it shrinks on revisits). */
  const visited: Visited = new StateTable();
  const stack: Branch[] = [{ prefix: [], sleep: [] }];
  const violations = new Map<string, ExploredViolation>();
  const ends: Record<string, number> = {};
  let transitions = 0;
  let runs = 0;
  let steps = 0;
  let cut: Exploration['cut'];
  let brokerFailure: Exploration['brokerFailure'];
  let deadlock: Exploration['deadlock'];
  /** The search ends with branches left (a max-steps cut does not end it). */
  let halt = false;
  const haltBy = (why: 'max-states' | 'first-violation') => {
    cut = endingCut(cut, why);
    halt = true;
  };

  while (stack.length && !halt) {
    if (o.shouldStop?.()) { cut = 'stopped'; break; }
    const branch = stack.pop()!;
    const strategy = new ExplorerStrategy(branch, o.workload, searchHeader(o), visited, independent, () => visited.size >= maxStates, stack);
    const r = runOnce({
      impl: o.impl, broker: o.broker, workload: o.workload, seed: 0, strategy, client: o.client,
      maxSteps, watchdog: o.watchdog, untimedProviders: untimed, shouldStop: o.shouldStop, keepTrace: o.keepTrace,
      onWorld: (world, monitor) => {
        attach(world);
        strategy.attach(world, monitor);
      },
    });
    strategy.finish(r.end.reason === 'quiescent' || r.end.reason === 'deadlock');
    transitions += strategy.transitions;
    runs++;
    steps += r.steps;
    ends[r.end.reason] = (ends[r.end.reason] ?? 0) + 1;
    if (r.end.reason === 'deadlock' && !deadlock) deadlock = { detail: r.end.detail ?? '', token: r.token, steps: r.steps };
    coverage.merge(r.monitorCoverage);
    o.onRun?.(r);
    record(r, violations);
    if (r.end.reason === 'crash' || r.end.reason === 'timeout' || r.end.reason === 'protocol-error') {
      brokerFailure = { reason: r.end.reason, ...(r.end.detail ? { detail: r.end.detail } : {}), token: r.token };
      cut = 'broker-failure';
      halt = true;
    }
    // A max-steps cut lets the search go on (other branches are still worth running, as in the
    // stateful search) but makes it incomplete.
    if (r.end.reason === 'bound') cut ??= 'max-steps';
    if (r.end.reason === 'stopped') { cut = 'stopped'; halt = true; }
    // Also on the last branch: a state its run did not expand is not explored.
    if ((visited.size >= maxStates && stack.length) || strategy.cutShort) haltBy('max-states');
    if (o.stopAtFirstViolation && violations.size) haltBy('first-violation');
  }
  const complete = cut === undefined && stack.length === 0;
  const outcome = decideOutcome({ violations: [...violations.values()], brokerFailures: brokerFailure ? 1 : 0, runs });
  return {
    impl: o.impl, mode: 're-execution', workload: o.workload.name, states: visited.size, transitions, runs, steps, complete,
    ...(o.por ? { por: porOutside(o, 're-execution') } : {}),
    ...tableFigures(visited),
    ...(complete ? {} : { cut: cut ?? 'stopped' }),
    conformant: outcome.conformant, violations: [...violations.values()], ends, coverage,
    ...(brokerFailure ? { brokerFailure } : {}), ...(deadlock ? { deadlock } : {}),
  };
}

/**
 * The cut a search reports when `why` ends it: what ended it, not a max-steps cut met before (a
 * step bound cuts a path and lets the search go on; `ends.bound` counts those paths).
 */
export function endingCut(prior: Exploration['cut'], why: 'max-states' | 'first-violation'): Exploration['cut'] {
  return prior === undefined || prior === 'max-steps' ? why : prior;
}

/** Folds one run's `must` violations and monitor rejections into the exploration's list. */
function record(r: RunResult, into: Map<string, ExploredViolation>): void {
  eachBrokenRule(r.judge.violations, r.monitor, (k, rule, by, explanation) => {
    const prior = into.get(k);
    if (prior) {
      prior.runs++;
      // Keep the shortest witness: the one a person reads first.
      if (r.steps < prior.steps) Object.assign(prior, { token: r.token, steps: r.steps, explanation });
    } else into.set(k, { rule, by, explanation, token: r.token, steps: r.steps, runs: 1 });
  });
}

/**
 * Each rule one run or path broke, once (keyed `by:rule`): the checks' decided `must` findings,
 * then the lifecycle machine's rejections, explained in words.
 */
export function eachBrokenRule(
  judged: readonly { rule: string; explanation: string }[], rejections: readonly MonitorRejection[],
  each: (key: string, rule: string, by: ExploredViolation['by'], explanation: string) => void,
): void {
  const seen = new Set<string>();
  const add = (rule: string, by: ExploredViolation['by'], explanation: string) => {
    const k = `${by}:${rule}`;
    if (seen.has(k)) return;
    seen.add(k);
    each(k, rule, by, explanation);
  };
  for (const f of judged) add(f.rule, 'judge', f.explanation);
  for (const x of rejections) for (const rule of x.rules) add(rule, 'monitor', rejectionText(x, rule));
}

/**
 * The strategy of one exploration run (see the module comment): replays the branch's prefix,
 * expands new states, then finishes with first choices. Its choices are indices into the full
 * enabled set, so its token replays without the explorer.
 */
class ExplorerStrategy implements Strategy {
  readonly name = 'exhaustive';
  transitions = 0;
  /** The table of states was full at a state this run did not expand: the search is cut there. */
  cutShort = false;
  private i = 0;
  private mode: 'prefix' | 'expand' | 'tail';
  private sleep: Step[];
  private readonly taken: number[] = [];
  private world?: World;
  private monitor?: Monitor;
  /** A judge of its own, fed the run's events as they come, for its state key only. */
  private readonly judge = createJudge({ keyed: true });
  private fed = 0;

  constructor(
    private readonly branch: Branch,
    private readonly workload: Workload,
    header: TraceHeader,
    private readonly visited: Visited,
    private readonly independent: (a: Step, b: Step) => boolean,
    private readonly full: () => boolean,
    private readonly stack: Branch[],
  ) {
    this.mode = branch.prefix.length ? 'prefix' : 'expand';
    this.sleep = branch.sleep;
    this.judge.begin(header);
  }

  attach(world: World, monitor: Monitor): void {
    this.world = world;
    this.monitor = monitor;
  }

  choose(steps: readonly Step[]): number {
    const c = this.pick(steps);
    this.taken.push(c);
    return c;
  }

  /**
   * At the run's end: a state reached in expansion where nothing is enabled (`ended`: the run
   * ended quiescent or in a deadlock) is counted. One where the run was cut (the step bound, a
   * stop, a broker failure) is not: its steps were not explored, and a path that meets it again
   * explores them.
   */
  finish(ended: boolean): void {
    // A broker that failed before the world existed leaves no state to count.
    if (!this.world) return;
    if (ended && this.mode === 'expand' && !this.full()) {
      const key = this.key();
      this.visited.add(key);
    }
  }

  private pick(steps: readonly Step[]): number {
    if (this.mode === 'prefix') {
      const c = this.branch.prefix[this.i++]!;
      if (this.i === this.branch.prefix.length) this.mode = 'expand';
      return c;
    }
    if (this.mode === 'tail') return 0;
    if (this.full()) { this.mode = 'tail'; this.cutShort = true; return 0; }
    const { todo, sleeps } = expand(this.visited, this.key(), steps, this.sleep, this.independent);
    if (todo.length === 0) { this.mode = 'tail'; return 0; }
    this.transitions += todo.length;
    for (let n = todo.length - 1; n >= 1; n--) this.stack.push({ prefix: [...this.taken, todo[n]!], sleep: sleeps[n]! });
    this.sleep = sleeps[0]!;
    return todo[0]!;
  }

  private key(): string {
    const w = this.world!;
    // The runner has numbered them in place by now (sim/run.ts).
    while (this.fed < w.events.length) this.judge.event(w.events[this.fed++] as TraceEvent);
    const calls = this.workload.calls.map((c) => {
      const s = this.monitor!.stateOf(c.id);
      return s ? Object.values(s).join('.') : '-';
    });
    return `${w.stateKey()}#${calls.join(';')}#${this.judge.stateKey()}`;
  }
}

/** The bytes per state of a search's table of visited states, for its result. */
export function tableFigures(t: StateTable): Pick<Exploration, 'stateTable'> {
  return t.size ? { stateTable: { bytesPerState: Math.round((t.bytes / t.size) * 10) / 10 } } : {};
}
