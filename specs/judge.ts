/**
 * The judge: runs every rule check over one trace, streaming, and sorts what they found into the
 * report's lists (RULES.md "How a trace is judged"). The same judge runs online inside
 * a simulation (feed events as they happen) and offline over a recorded file (`wbemsim check`).
 *
 * Per event: the tracker updates once, then only the checks that read that event type run.
 */
import type { TraceEvent, TraceEventType, TraceHeader, TraceLine } from '../trace/event.ts';
import type { KeyOrder } from '../trace/key-order.ts';
import type { Finding, RuleResult } from './check.ts';
import { BaseCheck } from './base-check.ts';
import { RULES } from './rules.ts';
import { CHECKS } from './registry.ts';
import { Tracker, type TrackerListener } from './tracker.ts';
import { PREFER_SEMISYNC_ADVICE } from './lint-prefer-semisync.ts';
import { judgeAttributionsSync } from './attribution.ts';
import { CancelWindows } from './cancel-windows.ts';
import { StateSnapshotter, type SavedState } from './state-snapshot.ts';
import { decideOutcome } from '../report/result.ts';

/** What a trace's judgement says. Lists are in rule-table order, then trace order. */
export interface JudgeResult {
  /** No `must` rule violated (inconclusive verdicts and warnings do not count). */
  conformant: boolean;
  /** One result per rule ID, in the order of `RULES`. */
  results: RuleResult[];
  /** Decided breaches of `must` rules (broker or scripting layer). */
  violations: Finding[];
  /** Decided breaches of `should` rules of the broker or scripting layer. */
  warnings: Finding[];
  /** Decided findings about the client (`should` rules of party client). */
  lint: Finding[];
  /** Findings that hold in some placements only, of any rule. */
  inconclusive: Finding[];
  /** `info` advice, once per run. */
  advice: string[];
  /** Events judged (the header excluded). */
  events: number;
}

export interface JudgeOptions {
  /** Judge only these rule IDs (default: all). Unknown IDs throw. */
  rules?: readonly string[];
  /**
   * Shared sinks whose callbacks without a call id have more attributions than the search judges
   * (specs/attribution.ts): verdicts resting on them are `inconclusive (attribution bound)`. Read
   * at each callback: the search keeps in it only the sinks open at the time.
   */
  attributionBound?: ReadonlySet<string>;
  /** Events the attribution search may judge in all (default ATTRIBUTION_WORK of specs/attribution.ts). */
  attributionWork?: number;
  /** Keep the state key of exhaustive search (`Judge.stateKey`). */
  keyed?: boolean;
  /**
   * Tests: at every save, compare each check's copy that saved states share with a fresh copy, and
   * throw where a check changed without the judge saying so (specs/state-snapshot.ts).
   */
  verifySaves?: boolean;
  /** Save the state the judge is made in, so that `reset` can go back to it. */
  reusable?: boolean;
}

/** A streaming judge of one trace. */
export interface Judge {
  begin(header: TraceHeader): void;
  event(e: TraceEvent): void;
  finish(): JudgeResult;
  /** How many records the judge holds now: bounded by what is open, never by the trace's length. */
  footprint(): Footprint;
  /** A copy of everything the judge remembers, for stateful search (specs/state-snapshot.ts). */
  save(): SavedState;
  /** Back to a state `save` returned; the saved state stays usable unless `last` says it will not be used again. */
  restore(s: SavedState, last?: boolean): void;
  /**
   * The canonical key of what the judge remembers that can change a future verdict: the open
   * cancel and method windows (specs/cancel-windows.ts) and each check's own `stateKey`. Only a
   * judge made with `keyed: true` has one. `order`: how its lists are ordered (trace/key-order.ts).
   */
  stateKey(order?: KeyOrder): string;
  /** The first decided breach of each `must` rule found so far, before the trace ends. */
  violationsSoFar(): Finding[];
  /**
   * Back to the state the judge was made in, ready for another trace's `begin`: cheaper than
   * making a judge again. Only a judge made with `reusable: true` has it. What `finish` returned
   * stays as it was.
   */
  reset(): void;
}

/** Sizes of the judge's live state. */
export interface Footprint { calls: number; callbacks: number; cancels: number; sinks: number; services: number }

const ADVICE: Record<string, string> = { 'LINT-PREFER-SEMISYNC': PREFER_SEMISYNC_ADVICE };

/** Makes a judge for one trace. */
export function createJudge(options: JudgeOptions = {}): Judge {
  const ids = options.rules ?? RULES.map((r) => r.id);
  const tracker = new Tracker();
  if (options.attributionBound) tracker.boundedSinks = options.attributionBound;
  const checks: BaseCheck[] = ids.map((id) => {
    const make = CHECKS[id];
    if (!make) throw new Error(`no check for rule ${id}`);
    return make(tracker);
  });
  // Dispatch table: event type → checks reading it, so each event costs only its readers.
  const byType = new Map<TraceEventType, BaseCheck[]>();
  for (const c of checks) {
    for (const type of c.types) {
      let list = byType.get(type);
      if (!list) byType.set(type, (list = []));
      list.push(c);
    }
  }
  const hooked = checks.filter((c) => {
    const l = c as TrackerListener;
    return l.cancelClosed !== undefined || l.pairReady !== undefined || l.lateCallback !== undefined;
  });
  // Set once, here: saved states share the list.
  tracker.listeners = hooked as TrackerListener[];
  // What the end of a run changes: the checks with end-of-run judgements, and the hooked ones (the
  // tracker closes the windows still open). The others' results are only read.
  const ownEnd = (BaseCheck.prototype as unknown as { end: unknown }).end;
  const ending = checks.filter((c) => hooked.includes(c) || (c as unknown as { end: unknown }).end !== ownEnd);
  const count = { events: 0 };
  const windows = options.keyed ? new CancelWindows() : undefined;
  let snapshotter: StateSnapshotter | undefined;
  // Made at the first save, once the header (shared, never changed) is known; a reusable judge's
  // is made with the judge, before any header, and copies the header when it saves.
  // The checks are tracked roots of the snapshotter: only the judge calls into them (an event of a
  // type they read, begin, finish) and the tracker (a hook, which it announces), so the two say
  // which ones change, and saved states share the copy of every check that did not.
  const snapshots = () => {
    if (snapshotter) return snapshotter;
    const s = new StateSnapshotter(
      [tracker, count, ...checks, ...(windows ? [windows] : [])],
      [tracker.header, tracker.listeners, ...checks.flatMap((c) => [c.rule, c.rule.citation, c.types])],
      [],
      checks,
    );
    s.verify = options.verifySaves === true;
    tracker.beforeHook = (l) => s.touch(l);
    return (snapshotter = s);
  };
  const touch = (list: readonly BaseCheck[]) => {
    if (snapshotter) for (let i = 0; i < list.length; i++) snapshotter.touch(list[i]!);
  };
  // The checks that do something at the start of a trace; the others' begin changes nothing.
  const ownBegin = BaseCheck.prototype.begin;
  const beginning = checks.filter((c) => c.begin !== ownBegin);
  const pristine = options.reusable ? snapshots().save() : undefined;
  return {
    begin(header) {
      touch(beginning);
      tracker.begin(header);
      for (const c of checks) c.begin(header);
    },
    event(e) {
      count.events++;
      const list = byType.get(e.type);
      if (list) touch(list);
      tracker.update(e);
      windows?.event(e);
      if (list) for (let i = 0; i < list.length; i++) list[i]!.event(e);
    },
    save: () => snapshots().save(),
    reset() {
      if (!pristine) throw new Error('reset: the judge was not made with reusable: true');
      snapshots().restore(pristine);
    },
    restore: (s, last) => snapshots().restore(s, last),
    stateKey(order) {
      if (!windows) throw new Error('stateKey: the judge was not made with keyed: true');
      let key = `${windows.key(order)}|${tracker.stateKey(order)}`;
      for (const c of checks) {
        const k = c.stateKey();
        if (k !== '') key += `|${c.rule.id}:${k}`;
      }
      return key;
    },
    violationsSoFar() {
      const out: Finding[] = [];
      for (const c of checks) {
        if (c.rule.kind !== 'must') continue;
        const f = c.firstViolation();
        if (f) out.push(f);
      }
      return out;
    },
    footprint() {
      return { calls: tracker.calls.size, callbacks: tracker.callbacks.size, cancels: tracker.cancels.size, sinks: tracker.sinks.size, services: tracker.services.size };
    },
    finish() {
      touch(ending);
      tracker.finishRun();
      const results = checks.map((c) => c.finish());
      const advice = results.filter((r) => r.kind === 'info' && r.verdict === 'used').map((r) => ADVICE[r.rule] ?? `${r.rule}: ${RULES.find((x) => x.id === r.rule)?.summary ?? ''}`);
      return sortResults(results, advice, count.events);
    },
  };
}

/**
 * Judges a whole in-memory trace (header first), searching the attributions of callbacks that
 * carry no call id on shared sinks (specs/attribution.ts).
 */
export function judgeTrace(lines: readonly TraceLine[], options: JudgeOptions = {}): JudgeResult {
  const [header] = lines;
  if (!header || header.type !== 'header') throw new Error('judgeTrace: the first line must be the header');
  return judgeAttributionsSync(lines, options);
}

/** A judge result from per-rule results: `conformant` and the findings sorted into the report's lists. */
export function sortResults(results: RuleResult[], advice: string[], events: number): JudgeResult {
  const outcome = decideOutcome({ violations: results.filter((r) => r.kind === 'must' && r.verdict === 'violated'), runs: 1 });
  const out: JudgeResult = { conformant: outcome.conformant, results, violations: [], warnings: [], lint: [], inconclusive: [], advice, events };
  for (const r of results) {
    for (const f of r.findings) {
      if (f.verdict === 'inconclusive') out.inconclusive.push(f);
      else if (f.kind === 'must') out.violations.push(f);
      else if (f.party === 'client') out.lint.push(f);
      else out.warnings.push(f);
    }
  }
  return out;
}
