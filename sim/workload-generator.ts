/**
 * The swarm campaign's workload generator (swarm testing: Groce, Zhang, Eide, Chen, Regehr,
 * ISSTA 2012). Each run first draws a *feature subset* (which operations, sink behaviours and
 * client actions may appear at all), then a small workload using only those features. Leaving
 * features out is the point: a workload without an event subscription lets a query's race with
 * its cancel happen more often, a workload with two IWbemServices objects and one sink makes
 * cross-object cancels possible at all. Every choice comes from the seeded PRNG (sim/prng.ts), so
 * a workload is a pure function of its seed and the feature odds.
 *
 * The workload is plain data: it validates against specs/workload.schema.json and travels inline
 * in a replay token.
 */
import type { Operation } from '../trace/event.ts';
import { Prng } from './prng.ts';
import type { CallSpec, ClientAction, SinkBehaviour, SinkSpec, Workload } from './workload.ts';
import { passedSink, WORKLOAD_VERSION } from './workload.ts';

/** The features a generated workload may use; each run enables a random subset of them. */
export const FEATURES = [
  /** Queries and enumerations that produce several objects. */
  'queries',
  /** GetObject, put and delete (instances and classes): one result, fast. */
  'fast-operations',
  /** ExecMethodAsync: a lengthy method provider whose output arrives at the end, at any point against a cancel. */
  'methods',
  /** ExecNotificationQueryAsync: never completes on its own. */
  'notifications',
  /** Several calls on one sink. */
  'shared-sinks',
  /** WBEM_FLAG_SEND_STATUS on some calls (progress statuses). */
  'send-status',
  /** Providers that fail, and operations that cannot start. */
  'provider-errors',
  /** Sinks that take virtual time in each callback. */
  'slow-sinks',
  /** Sinks that block in Indicate, progress or the final SetStatus until a cancel returned. */
  'holding-sinks',
  /** Sinks whose Indicate or SetStatus fails (before or after the provider completed). */
  'sink-errors',
  /** CancelAsyncCall from another thread. */
  'cancels',
  /** CancelAsyncCall from inside one of the sink's callbacks. */
  'cancels-in-callbacks',
  /** Two CancelAsyncCall with the same sink, in flight at once. */
  'overlapping-cancels',
  /** Two IWbemServices objects sharing sinks. */
  'several-services',
  /** Unsecured-apartment wrappers, cancelled through the wrapper or the inner sink. */
  'wrappers',
  /** The client releases its sink or its IWbemServices object. */
  'releases',
  /** Calls made after others returned or finished (`after`). */
  'sequencing',
  /** Cancels with a sink never used, or NULL; NULL sinks in calls. */
  'bad-arguments',
  /** No CoInitializeSecurity (the callbacks may be refused), or the connection lost mid-run. */
  'environment',
  /** A script's SWbemSink: its calls, Cancel and Nothing. */
  'scripting',
] as const;

export type Feature = (typeof FEATURES)[number];

/** The odds of each feature being enabled in a run (0..1); features not listed get `base`. */
export interface FeatureOdds {
  base: number;
  boost?: Partial<Record<Feature, number>>;
}

/**
 * The swarm runs of the default campaign (`wbemsim run` with no options), after the scenarios.
 * Here rather than in sim/swarm.ts so that the CLI's option parsing can read it without loading
 * the lifecycle machine.
 */
export const DEFAULT_SWARM_RUNS = 400;

/** The odds with no steering: every feature on in half the runs. */
export const DEFAULT_ODDS: FeatureOdds = { base: 0.5 };

/** A generated workload with the feature subset it was drawn from. */
export interface Generated {
  workload: Workload;
  features: Feature[];
}

const QUERY_OPS: Operation[] = ['ExecQueryAsync', 'CreateInstanceEnumAsync', 'CreateClassEnumAsync'];
const FAST_OPS: Operation[] = ['GetObjectAsync', 'PutInstanceAsync', 'DeleteInstanceAsync', 'PutClassAsync', 'DeleteClassAsync'];
/** Provider failures a generated call may carry: WBEM_E_FAILED, WBEM_E_NOT_FOUND, WBEM_E_ACCESS_DENIED, WBEM_E_INVALID_QUERY. */
const ERRORS = [0x80041001, 0x80041002, 0x80041003, 0x80041017];
/** Why an operation cannot start: the request itself is bad (WBEM_E_NOT_FOUND, WBEM_E_INVALID_CLASS, WBEM_E_INVALID_QUERY). */
const START_ERRORS = [0x80041002, 0x80041010, 0x80041017];
const SEND_STATUS = 0x80;

/** Draws a feature subset with the given odds (at least one kind of operation is always on). */
export function drawFeatures(prng: Prng, odds: FeatureOdds = DEFAULT_ODDS): Feature[] {
  const on = FEATURES.filter((f) => chance(prng, odds.boost?.[f] ?? odds.base));
  if (!on.some((f) => f === 'queries' || f === 'fast-operations' || f === 'methods' || f === 'notifications' || f === 'scripting')) on.unshift('queries');
  return on;
}

/** The workload of one swarm run: its features from `odds`, then the workload, all from `seed`. */
export function generateWorkload(seed: number, odds: FeatureOdds = DEFAULT_ODDS): Generated {
  const prng = new Prng(seed ^ 0x2545f491);
  const features = drawFeatures(prng, odds);
  return { workload: buildWorkload(prng, new Set(features), `swarm-${seed}`), features };
}

function chance(prng: Prng, p: number): boolean {
  return prng.nextU32() / 4294967296 < p;
}

function pick<T>(prng: Prng, xs: readonly T[]): T {
  return xs[prng.below(xs.length)]!;
}

function buildWorkload(prng: Prng, on: Set<Feature>, name: string): Workload {
  const has = (f: Feature) => on.has(f);
  const services = has('several-services') ? ['svc1', 'svc2'] : ['svc1'];
  const behaviours: SinkBehaviour[] = ['fast'];
  if (has('slow-sinks')) behaviours.push('slow');
  if (has('holding-sinks')) behaviours.push('hold', 'hold-final');
  if (has('sink-errors')) behaviours.push('fail-indicate', 'fail-setstatus');
  // Operations by group: a call first picks one of the groups that are on, so that a group of
  // one operation (methods, notifications) is as likely as a group of five.
  const groups: Operation[][] = [];
  if (has('queries')) groups.push(QUERY_OPS);
  if (has('fast-operations')) groups.push(FAST_OPS);
  if (has('methods')) groups.push(['ExecMethodAsync']);
  if (has('notifications')) groups.push(['ExecNotificationQueryAsync']);
  const ops = groups.flat();

  // Sinks: one when they are shared (so that every call lands on it), else up to three.
  const sinkCount = has('shared-sinks') ? 1 + prng.below(2) : 1 + prng.below(3);
  const sinks: SinkSpec[] = [];
  for (let i = 1; i <= sinkCount; i++) {
    const s: SinkSpec = { id: `s${i}` };
    const behaviour = pick(prng, behaviours);
    if (behaviour !== 'fast') s.behaviour = behaviour;
    if (behaviour === 'slow') s.delay = 1 + prng.below(4);
    if (has('wrappers') && chance(prng, 0.6)) s.wrapped = true;
    sinks.push(s);
  }
  // A feature that is on shows up: the first sink (the shared one) takes a behaviour it enables.
  const featured: SinkBehaviour[] = [];
  if (has('sink-errors')) featured.push('fail-indicate', 'fail-setstatus');
  if (has('holding-sinks')) featured.push('hold', 'hold-final');
  if (has('slow-sinks')) featured.push('slow');
  if (featured.length && chance(prng, 0.7)) {
    const s = sinks[0]!;
    s.behaviour = pick(prng, featured);
    if (s.behaviour === 'slow') s.delay = 1 + prng.below(4);
    else delete s.delay;
  }

  // Calls: 1..4 (2..4 when sinks are shared), on the first sink when shared, else anywhere.
  const calls: CallSpec[] = [];
  const callCount = ops.length ? (has('shared-sinks') ? 2 + prng.below(3) : 1 + prng.below(4)) : 0;
  for (let i = 1; i <= callCount; i++) {
    const op = pick(prng, pick(prng, groups));
    const sink = has('shared-sinks') && chance(prng, 0.75) ? sinks[0]! : pick(prng, sinks);
    const c: CallSpec = { id: `c${i}`, op, sink: passedSink(sink) };
    if (services.length > 1 && chance(prng, 0.5)) c.services = pick(prng, services);
    if (op === 'ExecQueryAsync' || op === 'CreateInstanceEnumAsync' || op === 'CreateClassEnumAsync' || op === 'ExecNotificationQueryAsync') c.objects = prng.below(5);
    if (op === 'ExecMethodAsync') c.duration = prng.below(9);
    if (has('send-status') && chance(prng, 0.6)) c.flags = SEND_STATUS;
    if (has('provider-errors') && op !== 'ExecNotificationQueryAsync') {
      if (chance(prng, 0.4)) c.result = pick(prng, ERRORS);
      else if (chance(prng, 0.15)) c.startError = pick(prng, START_ERRORS);
    }
    if (has('provider-errors') && op !== 'ExecMethodAsync' && op !== 'ExecNotificationQueryAsync' && chance(prng, 0.2)) c.cancelUnsupported = true;
    if (has('bad-arguments') && chance(prng, 0.15)) c.sink = null;
    if (has('sequencing') && i > 1 && chance(prng, 0.5)) {
      const before = calls[prng.below(calls.length)]!;
      // Waiting for a final status that may never come (a subscription, a call that cannot
      // start or has no sink) would leave this call unmade: wait for the return instead.
      const finishes = before.op !== 'ExecNotificationQueryAsync' && before.sink !== null && before.startError === undefined && !has('environment');
      c.after = finishes && chance(prng, 0.5) ? `${before.id}.final` : before.id;
    }
    calls.push(c);
  }

  const actions: ClientAction[] = [];
  let k = 0;
  const onSink = (s: SinkSpec) => calls.filter((c) => c.sink === passedSink(s) || c.sink === s.id);
  const used = sinks.filter((s) => onSink(s).length > 0);
  const target = () => (used.length ? pick(prng, used) : undefined);
  // A cancel comes after one of the sink's calls returned (the `after` of the action), so that it
  // meets the call pending more often than not.
  const afterOf = (s: SinkSpec) => {
    const mine = onSink(s);
    return mine.length ? pick(prng, mine).id : undefined;
  };
  const cancel = (s: SinkSpec, extra: Partial<Extract<ClientAction, { kind: 'cancel' }>> = {}) => {
    const a: Extract<ClientAction, { kind: 'cancel' }> = { kind: 'cancel', id: `k${++k}`, sink: s.id };
    const after = afterOf(s);
    if (after) a.after = after;
    const svc = calls.find((c) => c.id === after)?.services;
    if (svc) a.services = svc;
    else if (services.length > 1 && chance(prng, 0.3)) a.services = pick(prng, services);
    Object.assign(a, extra);
    actions.push(a);
    return a;
  };
  if (has('cancels-in-callbacks')) {
    const s = target();
    if (s) cancel(s, { fromCallback: true });
  }
  if (has('cancels')) {
    const s = target();
    if (s) cancel(s, has('wrappers') && s.wrapped && chance(prng, 0.3) ? { inner: true } : {});
  }
  if (has('overlapping-cancels')) {
    // Two or three cancels with the sink that has the most calls, after the same call.
    const s = [...used].sort((a, b) => onSink(b).length - onSink(a).length)[0];
    if (s) {
      const first = cancel(s);
      for (let n = 1 + prng.below(2); n > 0; n--) actions.push({ ...first, id: `k${++k}` });
    }
  }
  if (has('bad-arguments')) {
    if (chance(prng, 0.5)) {
      const unused: SinkSpec = { id: `s${sinks.length + 1}` };
      sinks.push(unused);
      actions.push({ kind: 'cancel', id: `k${++k}`, sink: unused.id, ...(calls.length ? { after: calls[0]!.id } : {}) });
    } else actions.push({ kind: 'cancel', id: `k${++k}`, sink: null });
  }
  if (has('releases')) {
    const s = target();
    // Released after a call was made with it: a sink released before any call is gone.
    if (s && chance(prng, 0.6)) actions.push({ kind: 'release-sink', sink: s.id, after: pick(prng, onSink(s)).id });
    if (calls.length && chance(prng, 0.6)) {
      const c = pick(prng, calls);
      const finishes = c.op !== 'ExecNotificationQueryAsync' && c.sink !== null && c.startError === undefined && !has('environment');
      actions.push({ kind: 'release-services', services: c.services ?? 'svc1', after: finishes && chance(prng, 0.4) ? `${c.id}.final` : c.id });
    }
  }
  let security: boolean | undefined;
  if (has('environment')) {
    if (chance(prng, 0.4)) security = false;
  }
  let swbemsinks: { id: string }[] | undefined;
  if (has('scripting')) {
    swbemsinks = [{ id: 'sw1' }];
    const n = 1 + prng.below(2);
    for (let i = 1; i <= n; i++) {
      const op = pick(prng, ['ExecQueryAsync', 'ExecNotificationQueryAsync', 'ExecMethodAsync'] as Operation[]);
      const c: CallSpec = { id: `w${i}`, op, sink: null, swsink: 'sw1' };
      if (op !== 'ExecMethodAsync') c.objects = prng.below(4);
      if (has('send-status') && chance(prng, 0.5)) c.flags = SEND_STATUS;
      if (has('provider-errors') && op === 'ExecQueryAsync' && chance(prng, 0.4)) c.result = pick(prng, ERRORS);
      calls.push(c);
    }
    actions.push(chance(prng, 0.7)
      ? { kind: 'swbem-cancel', swsink: 'sw1', after: 'w1', ...(chance(prng, 0.2) ? { fromCallback: true } : {}) }
      : { kind: 'swbem-nothing', swsink: 'sw1', after: 'w1' });
  }
  // The connection lost after some call: later calls and cancels fail without reaching the broker.
  if (has('environment') && calls.length && chance(prng, 0.3)) actions.push({ kind: 'transport-loss', after: pick(prng, calls).id });
  // "Nothing to run" is not a workload: fall back to one query.
  if (!calls.length && !actions.length) calls.push({ id: 'c1', op: 'ExecQueryAsync', sink: passedSink(sinks[0]!), objects: 2 });

  const w: Workload = { version: WORKLOAD_VERSION, name, description: `Generated from features: ${[...on].join(', ')}.`, sinks, calls };
  if (security === false) w.security = false;
  if (swbemsinks) w.swbemsinks = swbemsinks;
  if (actions.length) w.actions = actions;
  return w;
}
