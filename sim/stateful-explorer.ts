/**
 * Stateful exhaustive search: the same search as sim/explorer.ts (depth-first over the
 * scheduler's choices, state caching, sleep sets), but the world, the broker, the lifecycle monitor
 * and the judge are kept at each branch point (saved, then restored for the next sibling) instead
 * of being rebuilt and re-run from the start for every branch. It needs a broker that can be saved
 * and restored (BrokerAdapter.snapshot/restore: the in-process brokers); the re-execution search
 * stays for the others and as the oracle this one is tested against.
 *
 * The state key is the world's, the broker's (inside the world's), the monitor's of every call and
 * the judge's (its open windows and what each check remembers: Judge.stateKey). A path ends where
 * nothing is enabled (the run is judged whole: end-of-run rules included), at a state seen before
 * (the rest was explored from there; the path's own findings so far are collected), or at the
 * step bound (the exploration is then incomplete). Only a violation needs a trace: its path's
 * choices are run again from the start to make the witness and its replay token.
 */
import { BrokerFailure, type BrokerAdapter } from './broker-adapter.ts';
import { createJudge, type Judge } from '../specs/index.ts';
import { addMonitorFindings, Coverage, Monitor } from '../specs/monitor.ts';
import type { SavedState } from '../specs/state-snapshot.ts';
import type { TraceEvent, UnnumberedEvent } from '../trace/event.ts';
import { runOnce } from './run.ts';
import { CallSymmetry } from './symmetry.ts';
import { expand, expandCompact, HashCompactTable, type Visited } from './sleep-sets.ts';
import { StateTable } from './state-table.ts';
import { PorUnsound, SinkPersistentSets } from './persistent-sets.ts';
import type { Step, Strategy } from './strategy.ts';
import { World, type WorldSaved } from './world.ts';
import { eachBrokenRule, endingCut, porOutside, porRefusal, searchBounds, searchHeader, tableFigures, untimedSearch, type Exploration, type ExploredViolation, type ExploreOptions } from './explorer.ts';
import { DEFAULT_WATCHDOG } from './run.ts';
import { decideOutcome } from '../report/result.ts';

/** A state key's 32-bit FNV-1a hash: which shard, or which worker first, explores below it. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** True when the broker can be saved and restored, so that stateful search applies. */
export function canSnapshot(b: BrokerAdapter): boolean {
  return typeof b.snapshot === 'function' && typeof b.restore === 'function';
}

/** Everything a branch point keeps. */
interface Saved {
  world: WorldSaved;
  broker: unknown;
  monitor: SavedState;
  judge: SavedState;
  seq: number;
  now: number;
}

/** A violation found on some path: its choices, to be run again for the witness. */
interface Found {
  rule: string;
  by: ExploredViolation['by'];
  explanation: string;
  choices: number[];
  paths: number;
}

/** The strategy of a witness run: the path's choices, then the first enabled step (as the search does). */
const FIRST: Strategy = { name: 'exhaustive', choose: () => 0 };

/**
 * The live objects of a stateful search over one workload, and how to feed, save, restore and key
 * them: the world (with the broker inside), the lifecycle monitor and the judge, each event fed
 * to both as it happens.
 */
export function searchState(o: ExploreOptions) {
  const callIds = o.workload.calls.map((c) => c.id);
  const world = new World(o.workload, o.broker, { watchdog: o.watchdog ?? DEFAULT_WATCHDOG, ...(o.client ? { client: o.client } : {}), ...(untimedSearch(o) ? { untimedProviders: true } : {}) });
  const monitor = new Monitor({ annotated: o.broker.info.annotates === true });
  const judge: Judge = createJudge({ keyed: true, verifySaves: o.verifySaves });
  judge.begin(searchHeader(o));
  let seq = 0;
  const feed = (e: UnnumberedEvent) => {
    const ev = ('seq' in e ? e : { seq: 0, ...e }) as TraceEvent;
    ev.seq = ++seq;
    // A judged event is never changed again: saved states share it instead of copying it.
    Object.freeze(ev);
    monitor.event(ev);
    judge.event(ev);
  };
  const flush = () => {
    const events = world.events;
    for (let i = 0; i < events.length; i++) feed(events[i]!);
    events.length = 0;
  };
  const save = (): Saved => ({ world: world.save(), broker: o.broker.snapshot!(), monitor: monitor.save(), judge: judge.save(), seq, now: world.now });
  const restore = (s: Saved, last: boolean) => {
    world.restore(s.world, last);
    o.broker.restore!(s.broker, last);
    monitor.restore(s.monitor, last);
    judge.restore(s.judge, last);
    seq = s.seq;
  };
  /** Lets virtual time pass until some step is enabled or nothing is left; the steps enabled then. */
  const settle = () => {
    let enabled = world.enabled();
    while (enabled.length === 0) {
      const t = world.nextTimer();
      if (t === undefined) break;
      world.advanceTo(t);
      flush();
      enabled = world.enabled();
    }
    return enabled;
  };
  /**
   * Ends the run where nothing is enabled (a deadlock if a thread is stuck), or at the step bound
   * `bound` (as a run that reaches `maxSteps` ends), and judges it whole.
   */
  const finish = (bound?: number) => {
    const stuck = bound === undefined ? world.stuck() : undefined;
    const t = world.now;
    if (stuck) feed({ type: 'marker.watchdog', verdict: 'deadlock', detail: stuck, t });
    if (bound !== undefined) feed({ type: 'run.end', reason: 'bound', detail: `${bound} steps`, t });
    else feed({ type: 'run.end', reason: stuck ? 'deadlock' : 'quiescent', ...(stuck ? { detail: stuck } : {}), t });
    const r = judge.finish();
    addMonitorFindings(r, monitor.rejections);
    const end: 'bound' | 'deadlock' | 'quiescent' = bound !== undefined ? 'bound' : stuck ? 'deadlock' : 'quiescent';
    return { r, end, detail: stuck || undefined };
  };
  // With symmetry, the least key over the renamings of interchangeable calls (sim/symmetry.ts).
  const symmetry = o.noSymmetry || o.client || !o.broker.symmetric ? undefined : CallSymmetry.of(o.workload);
  const key = symmetry
    ? () => symmetry.canonical((order) => `${world.stateKey(order)}#${judge.stateKey(order)}`, (calls) => monitor.stateKey(calls))
    : () => `${world.stateKey()}#${monitor.stateKey(callIds)}#${judge.stateKey()}`;
  const stepName = symmetry ? (k: string) => symmetry.name(k) : undefined;
  flush();
  return { world, monitor, judge, flush, save, restore, settle, finish, key, symmetry, stepName };
}

export function exploreStateful(o: ExploreOptions): Exploration {
  if (!canSnapshot(o.broker)) throw new Error(`exploreStateful: broker ${o.broker.info.name} cannot be saved and restored`);
  const bounds = searchBounds(o);
  const { attach, maxStates, maxSteps, coverage } = bounds;
  // Hash compaction stores a state with the sleep set it was met with, having no stored set to
  // apply the revisit rule to: a state would be stored (and expanded) once per sleep set met.
  // Without sleep sets each state is stored and expanded once (on 2/2/1: 25,504 states and
  // 105,031 transitions, against 49,740 and 162,564 with them).
  // Worker threads that share their states go without them too: a state another worker claimed
  // was expanded with that worker's sleep set, which may have kept steps this path needs.
  const team = o.team;
  const independent = o.bitstate || team ? () => false : bounds.independent;
  let live: ReturnType<typeof searchState>;
  try {
    live = searchState(o);
  } catch (err) {
    if (!(err instanceof BrokerFailure)) throw err;
    return brokerFailed(o, err, [], maxSteps, { mode: 'stateful', states: 0, transitions: 0, runs: 0, steps: 0, ends: {}, coverage });
  }
  const { world, monitor, judge, flush, save, restore, settle, finish, key, symmetry, stepName } = live;
  attach(world);

  const refused = o.por ? porRefusal(o) : undefined;
  const por = o.por && !o.noPersistentSets && refused === undefined ? SinkPersistentSets.of(o.workload) : undefined;
  let reducedExpansions = 0;
  /** With persistent sets, the keys of the states on the current path: one met again is a cycle. */
  const onPath = new Set<string>();
  const visited: Visited = new StateTable();
  const compact = o.bitstate ? new HashCompactTable() : undefined;
  const stored = () => compact ? compact.size : visited.size;
  const full = () => stored() >= maxStates || (team !== undefined && team.claims.size >= maxStates);
  /**
   * A team's split states that belong to other workers, with the path to each: explored, once
   * this worker is done with its own, if no worker has claimed them by then.
   */
  const deferred = new Map<string, number[]>();
  let helping = false;
  /** Below the split depth, whether this worker expands the state `k`: it claims it first. */
  const claimed = (k: string, depth: number): boolean => {
    if (!team || depth < team.depth) return true;
    const c = team.claims.claim(k);
    if (c === 'full') haltBy('max-states');
    return c === 'claimed';
  };
  const found = new Map<string, Found>();
  const ends: Record<string, number> = {};
  const path: number[] = [];
  /** The first path that ended in a deadlock, and what waited on what. */
  let firstDeadlock: { choices: number[]; detail: string } | undefined;
  let transitions = 0;
  let paths = 0;
  let steps = 0;
  let cut: Exploration['cut'];
  /** The search ends with paths left: a stop, a full table or a first violation (a max-steps cut does not end it). */
  let halted = false;
  const haltBy = (why: 'max-states' | 'first-violation') => {
    cut = endingCut(cut, why);
    halted = true;
  };

  /** Folds the current path's violations (found so far, or at its end) into `found`. */
  const collect = (judged: { rule: string; explanation: string }[], rejections: Monitor['rejections']) => {
    paths++;
    eachBrokenRule(judged, rejections, (k, rule, by, explanation) => {
      const prior = found.get(k);
      if (!prior) {
        found.set(k, { rule, by, explanation, choices: [...path], paths: 1 });
        if (o.stopAtFirstViolation) haltBy('first-violation');
      } else {
        prior.paths++;
        if (path.length < prior.choices.length) Object.assign(prior, { choices: [...path], explanation });
      }
    });
  };
  const progress = () => {
    if (o.onProgress && (paths & 1023) === 0) o.onProgress({ runs: paths, states: stored(), violations: found.size });
  };
  const endPath = (reason: string) => {
    progress();
    ends[reason] = (ends[reason] ?? 0) + 1;
    collect(judge.violationsSoFar(), monitor.rejections);
  };
  /**
   * Ends the path where nothing is enabled, or at the step bound `bound`, and judges it whole. A
   * path cut by the bound is judged as the re-execution search judges a run that reaches it:
   * end-of-run rules that a cut cannot excuse (a final status missing after the broker released
   * the sink) are decided; the others are inconclusive, not violated.
   */
  const terminal = (bound?: number) => {
    const { r, end, detail } = finish(bound);
    ends[end] = (ends[end] ?? 0) + 1;
    if (end === 'deadlock' && !firstDeadlock) firstDeadlock = { choices: [...path], detail: detail ?? '' };
    collect(r.violations, monitor.rejections);
    progress();
  };
  const dfs = (depth: number, sleep: Step[]): void => {
    const enabled = settle();
    if (enabled.length === 0) {
      // Counted like the re-execution search counts a run's last state.
      if (!full()) {
        const k = key();
        if (claimed(k, depth)) {
          if (compact) compact.add(`${k}@`);
          else visited.add(k);
        }
      }
      terminal();
      return;
    }
    const k = key();
    // A shard goes on below the split depth only from its own states.
    if (o.shard && depth === o.shard.depth && hashKey(k) % o.shard.n !== o.shard.k - 1) return;
    if (team && depth === team.depth && !helping && hashKey(k) % team.n !== team.k - 1) {
      // Another worker's: met again, it counts as a merge, as a state seen before does.
      if (deferred.has(k)) endPath('merged');
      else deferred.set(k, [...path]);
      return;
    }
    if (depth >= maxSteps) { cut ??= 'max-steps'; terminal(maxSteps); return; }
    if (halted) return;
    if (o.shouldStop?.()) { cut = 'stopped'; halted = true; endPath('stopped'); return; }
    if (full()) { haltBy('max-states'); endPath('max-states'); return; }
    if (!claimed(k, depth)) {
      if (halted) { endPath('max-states'); return; }
      // Another worker claimed it (or this one, met again): its future is explored there.
      endPath('merged');
      return;
    }
    if (por && onPath.has(k)) throw PorUnsound.cycle(o.broker.info.name);
    const only = por?.choose(world, enabled);
    if (only) reducedExpansions++;
    const { todo, sleeps } = compact ? expandCompact(compact, k, enabled, sleep, independent, stepName, only) : expand(visited, k, enabled, sleep, independent, stepName, only);
    // A state seen before (or one whose every step sleeps): its future was explored from where it
    // was first met, and the key holds whatever of the path so far a future verdict depends on.
    if (todo.length === 0) { endPath('merged'); return; }
    transitions += todo.length;
    if (por) onPath.add(k);
    const here = todo.length > 1 ? save() : undefined;
    for (let n = 0; n < todo.length; n++) {
      if (n > 0) {
        if (halted) return;
        restore(here!, n === todo.length - 1);
      }
      const j = todo[n]!;
      path.push(j);
      steps++;
      const sensitive = por?.sensitive(enabled[j]!, world) ?? false;
      world.take(enabled[j]!);
      por?.check(enabled[j]!, sensitive, world.events, world, o.broker.info.name);
      flush();
      dfs(depth + 1, sleeps[n]!);
      path.pop();
    }
    onPath.delete(k);
  };
  // A broker process that fails (a crash, a timeout, a bad reply, also to a snapshot or a
  // restore) ends the search where it happened, as it ends a run of the re-execution search.
  let failure: { err: BrokerFailure; path: number[] } | undefined;
  try {
    const start = team ? save() : undefined;
    dfs(0, []);
    // Then the other workers' split states that none has claimed yet, from the last: their owner
    // takes its own from the first, so the two meet in the middle.
    if (team) {
      helping = true;
      for (const p of [...deferred.values()].reverse()) {
        if (halted) break;
        // The path first, so that a broker failure on the way names the run it happened in.
        path.push(...p);
        restore(start!, false);
        for (const j of p) {
          world.take(settle()[j]!);
          flush();
        }
        dfs(p.length, []);
        path.length = 0;
      }
    }
  } catch (err) {
    if (!(err instanceof BrokerFailure)) throw err;
    failure = { err, path: [...path] };
  }
  coverage.merge(monitor.coverage);

  // Each violation's witness: its path run again from the start, as `wbemsim replay` will run it.
  const violations: ExploredViolation[] = [];
  for (const f of found.values()) {
    const r = runOnce({ impl: o.impl, broker: o.broker, workload: o.workload, seed: 0, strategy: FIRST, choices: f.choices, maxSteps, watchdog: o.watchdog, client: o.client, untimedProviders: untimedSearch(o) });
    const again = f.by === 'judge' ? r.judge.violations.some((v) => v.rule === f.rule) : r.monitor.some((x) => x.rules.includes(f.rule));
    if (!again && !failure) throw new Error(`stateful search found ${f.rule} on a path that does not break it when run again: a state was not saved or restored whole`);
    violations.push({ rule: f.rule, by: f.by, explanation: f.explanation, token: r.token, steps: r.steps, runs: f.paths });
  }
  if (failure) {
    const failed = brokerFailed(o, failure.err, failure.path, maxSteps, { mode: 'stateful', states: stored(), transitions, runs: paths, steps, ends, coverage });
    const outcome = decideOutcome({ violations, brokerFailures: 1, runs: paths });
    return { ...failed, violations, conformant: outcome.conformant };
  }
  const complete = cut === undefined;
  const outcome = decideOutcome({ violations, runs: paths });
  return {
    impl: o.impl, mode: 'stateful', workload: o.workload.name, states: stored(), transitions, runs: paths, steps, complete,
    ...(complete ? {} : { cut }),
    ...(compact ? { hashCompaction: { omission: compact.omission(), bytesPerState: compact.size ? compact.bytes / compact.size : 0 } } : tableFigures(visited)),
    ...(team ? { sharedClaims: { omission: team.claims.omission() } } : {}),
    ...(symmetry ? { symmetry: symmetry.groups.map((g) => [...g]) } : {}),
    ...(o.por ? { por: refused !== undefined ? { refusal: refused } : { reduced: reducedExpansions } } : {}),
    conformant: outcome.conformant, violations, ends, coverage, ...deadlockOf(o, firstDeadlock, maxSteps),
  };
}

/** The first deadlock a search met, with the replay token of its path run again from the start. */
function deadlockOf(o: ExploreOptions, first: { choices: number[]; detail: string } | undefined, maxSteps: number): Pick<Exploration, 'deadlock'> {
  if (!first) return {};
  const r = runOnce({ impl: o.impl, broker: o.broker, workload: o.workload, seed: 0, strategy: FIRST, choices: first.choices, maxSteps, watchdog: o.watchdog, client: o.client, untimedProviders: untimedSearch(o) });
  return { deadlock: { detail: first.detail, token: r.token, steps: r.steps } };
}

/**
 * The exploration a broker failure ended: counts so far, and the failure with the replay token of
 * the path on which it happened (run again from the start: a failure of a step shows again there).
 */
function brokerFailed(
  o: ExploreOptions, err: BrokerFailure, path: number[], maxSteps: number,
  counts: Pick<Exploration, 'mode' | 'states' | 'transitions' | 'runs' | 'steps' | 'ends' | 'coverage'>,
): Exploration {
  const r = runOnce({ impl: o.impl, broker: o.broker, workload: o.workload, seed: 0, strategy: FIRST, choices: path, maxSteps, watchdog: o.watchdog, client: o.client, untimedProviders: untimedSearch(o) });
  const outcome = decideOutcome({ violations: [], brokerFailures: 1, runs: counts.runs });
  return {
    impl: o.impl, workload: o.workload.name, ...counts, complete: false, cut: 'broker-failure', conformant: outcome.conformant, violations: [],
    brokerFailure: { reason: err.reason, detail: err.message, token: r.token },
  };
}

/** A rule's shortest witness found by breadth-first search. */
export interface ShortestWitness {
  rule: string;
  by: ExploredViolation['by'];
  explanation: string;
  /** Scheduler steps of the witness run, from the start to its end (as `steps` of any run). */
  steps: number;
  /** The run's choices, one per step. */
  choices: number[];
  token: string;
}

export interface ShortestSearch {
  witnesses: ShortestWitness[];
  /** Distinct states reached. */
  states: number;
  /** The search covered every state within the bounds, or found every rule asked for. */
  complete: boolean;
  cut?: Exploration['cut'];
  transitions: number;
  /** Runs that ended (nothing enabled), and how. */
  ends: Record<string, number>;
  steps: number;
  coverage: Coverage;
  /**
   * Every run of at most this many steps was judged (the levels up to it were expanded whole, no
   * state dropped by the bound): a rule not found has no witness this short, so its shortest
   * witness is longer. The lower bound a cut search still proves.
   */
  exhaustedSteps: number;
  /** The first run that ended in a deadlock (a shortest one: levels are searched in order). */
  deadlock?: Exploration['deadlock'];
}

/**
 * Breadth-first search over the scheduler's choices, level by level from the start, keeping each
 * level's states saved (world, broker, monitor, judge): the first whole run that breaks a rule is a
 * shortest witness of it (fewest steps from the start to the run's end). A state is expanded only
 * at the first, hence shallowest, depth it is reached, told apart by its key and by the rules its
 * path has broken so far (two paths that differ only in that must both go on). No reduction: a
 * sleep set would hide the shortest order of two independent steps. It measures how close
 * shrinking comes to the shortest witness; memory grows with the widest level, so it suits small
 * (shrunk) workloads. `rules`: stop once each has a witness.
 */
export function shortestWitnesses(o: ExploreOptions, rules?: ReadonlySet<string>): ShortestSearch {
  if (!canSnapshot(o.broker)) throw new Error(`shortestWitnesses: broker ${o.broker.info.name} cannot be saved and restored`);
  const { maxStates, maxSteps, coverage } = searchBounds(o);
  const st = searchState(o);
  const found = new Map<string, Found>();
  const ends: Record<string, number> = {};
  let transitions = 0;
  let steps = 0;
  let cut: Exploration['cut'];
  let firstDeadlock: { choices: number[]; detail: string } | undefined;
  /** Ends the path where nothing is enabled, or at the step bound `bound`, and judges it whole. */
  const ended = (path: number[], bound?: number) => {
    const { r, end, detail } = st.finish(bound);
    ends[end] = (ends[end] ?? 0) + 1;
    if (end === 'deadlock' && !firstDeadlock) firstDeadlock = { choices: path, detail: detail ?? '' };
    eachBrokenRule(r.violations, st.monitor.rejections, (k, rule, by, explanation) => {
      if ((!rules || rules.has(rule)) && !found.has(k)) found.set(k, { rule, by, explanation, choices: path, paths: 1 });
    });
  };
  const brokenSoFar = () => {
    const keys: string[] = [];
    eachBrokenRule(st.judge.violationsSoFar(), st.monitor.rejections, (k) => keys.push(k));
    return keys.sort().join(',');
  };
  const allFound = () => rules !== undefined && [...rules].every((r) => [...found.values()].some((f) => f.rule === r));
  const visited = new Set<string>();
  let complete = true;
  let frontier: { saved: Saved; path: number[] }[] = [];
  let exhaustedSteps = 0;
  if (st.settle().length === 0) ended([]);
  else {
    visited.add(`${st.key()}|${brokenSoFar()}`);
    frontier.push({ saved: st.save(), path: [] });
  }
  for (let depth = 0; frontier.length > 0 && !allFound(); depth++) {
    if (o.shouldStop?.()) { complete = false; cut = 'stopped'; break; }
    if (depth >= maxSteps) {
      // Each path cut by the bound is judged whole, as a run that reaches it is.
      complete = false;
      cut = 'max-steps';
      for (const node of frontier) {
        st.restore(node.saved, true);
        ended(node.path, maxSteps);
      }
      break;
    }
    const next: typeof frontier = [];
    let dropped = false;
    for (const node of frontier) {
      st.restore(node.saved, false);
      const width = st.world.enabled().length;
      for (let j = 0; j < width; j++) {
        if (j > 0) st.restore(node.saved, false);
        st.world.take(st.world.enabled()[j]!);
        st.flush();
        transitions++;
        steps++;
        if (o.onProgress && (transitions & 1023) === 0) o.onProgress({ runs: Object.values(ends).reduce((a, b) => a + b, 0), states: visited.size, violations: found.size });
        const path = [...node.path, j];
        if (st.settle().length === 0) { ended(path); continue; }
        const k = `${st.key()}|${brokenSoFar()}`;
        if (visited.has(k)) continue;
        if (visited.size >= maxStates) { complete = false; cut ??= 'max-states'; dropped = true; continue; }
        visited.add(k);
        next.push({ saved: st.save(), path });
      }
    }
    if (!dropped && exhaustedSteps === depth) exhaustedSteps = depth + 1;
    frontier = next;
  }
  coverage.merge(st.monitor.coverage);
  const witnesses: ShortestWitness[] = [];
  for (const f of found.values()) {
    const r = runOnce({ impl: o.impl, broker: o.broker, workload: o.workload, seed: 0, strategy: FIRST, choices: f.choices, maxSteps, watchdog: o.watchdog, client: o.client, untimedProviders: untimedSearch(o) });
    witnesses.push({ rule: f.rule, by: f.by, explanation: f.explanation, steps: r.steps, choices: f.choices, token: r.token });
  }
  const done = complete || allFound();
  return { witnesses, states: visited.size, complete: done, ...(done ? {} : { cut }), transitions, ends, steps, coverage, exhaustedSteps, ...deadlockOf(o, firstDeadlock, maxSteps) };
}

/** `explore --mode breadth-first`: every rule's shortest witness, as an exploration's result. */
export function exploreBreadthFirst(o: ExploreOptions): Exploration {
  let s: ShortestSearch;
  try {
    s = shortestWitnesses(o);
  } catch (err) {
    if (!(err instanceof BrokerFailure)) throw err;
    const { maxSteps, coverage } = searchBounds(o);
    return brokerFailed(o, err, [], maxSteps, { mode: 'breadth-first', states: 0, transitions: 0, runs: 0, steps: 0, ends: {}, coverage });
  }
  const violations: ExploredViolation[] = s.witnesses.map((w) => ({ rule: w.rule, by: w.by, explanation: w.explanation, token: w.token, steps: w.steps, runs: 1 }));
  const outcome = decideOutcome({ violations, runs: s.witnesses.length });
  return {
    impl: o.impl, mode: 'breadth-first', workload: o.workload.name, states: s.states, transitions: s.transitions,
    runs: Object.values(s.ends).reduce((a, b) => a + b, 0), steps: s.steps, complete: s.complete, ...(s.cut ? { cut: s.cut } : {}),
    ...(o.por ? { por: porOutside(o, 'breadth-first') } : {}),
    conformant: outcome.conformant, violations, ends: s.ends, coverage: s.coverage, ...(s.deadlock ? { deadlock: s.deadlock } : {}),
  };
}
