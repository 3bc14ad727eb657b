/**
 * fast-check arbitraries for workloads (data choices are generated and shrunk like the
 * schedule): 1–6 calls of any operation on 1–3 sinks (so calls share sinks), WBEM_FLAG_SEND_STATUS,
 * providers' results, start failures and NULL sinks, sink behaviours (fast, slow, held, failing),
 * unsecured-apartment wrappers, CoInitializeSecurity on or off, and client actions: cancels from
 * another thread, from inside a callback, with the inner sink of a wrapper, releases.
 * Every generated workload passes `parseWorkload`.
 */
import fc from 'fast-check';
import { OPERATIONS } from '../trace/event.ts';
import { WBEM_E_FAILED, WBEM_E_INVALID_QUERY, WBEM_FLAG_SEND_STATUS } from '../trace/hresult.ts';
import type { CallSpec, ClientAction, SinkSpec, Workload } from '../sim/workload.ts';

const sinkArbitrary = (id: string): fc.Arbitrary<SinkSpec> =>
  fc.record({
    behaviour: fc.constantFrom('fast', 'fast', 'fast', 'slow', 'hold', 'fail-indicate', 'fail-setstatus'),
    delay: fc.integer({ min: 1, max: 3 }),
    wrapped: fc.boolean(),
  }).map(({ behaviour, delay, wrapped }) => ({
    id, ...(behaviour !== 'fast' ? { behaviour: behaviour as SinkSpec['behaviour'] } : {}),
    ...(behaviour === 'slow' ? { delay } : {}), ...(wrapped ? { wrapped } : {}),
  }));

interface CallDraw {
  op: CallSpec['op'];
  sink: number;
  inner: boolean;
  sendStatus: boolean;
  objects: number;
  duration: number;
  outcome: 'ok' | 'failed' | 'start-error' | 'null-sink';
  cancelUnsupported: boolean;
  after: number;
  afterFinal: boolean;
}

const callDraw: fc.Arbitrary<CallDraw> = fc.record({
  op: fc.constantFrom(...OPERATIONS),
  sink: fc.nat({ max: 2 }),
  inner: fc.boolean(),
  sendStatus: fc.boolean(),
  objects: fc.nat({ max: 3 }),
  duration: fc.integer({ min: 1, max: 4 }),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'failed', 'start-error', 'null-sink'),
  cancelUnsupported: fc.boolean(),
  after: fc.nat({ max: 6 }),
  afterFinal: fc.boolean(),
});

interface ActionDraw {
  kind: 'cancel' | 'release-sink' | 'release-services';
  sink: number;
  fromCallback: boolean;
  inner: boolean;
  after: number;
}

const actionDraw: fc.Arbitrary<ActionDraw> = fc.record({
  kind: fc.constantFrom('cancel', 'cancel', 'cancel', 'release-sink', 'release-services'),
  sink: fc.nat({ max: 2 }),
  fromCallback: fc.boolean(),
  inner: fc.boolean(),
  after: fc.nat({ max: 6 }),
});

/** Workloads of 1–6 calls on 1–3 sinks with up to 3 client actions. */
export function workloadArbitrary(): fc.Arbitrary<Workload> {
  return fc.integer({ min: 1, max: 3 }).chain((sinkCount) =>
    fc.record({
      sinks: fc.tuple(...Array.from({ length: sinkCount }, (_, i) => sinkArbitrary(`s${i + 1}`))),
      calls: fc.array(callDraw, { minLength: 1, maxLength: 6 }),
      actions: fc.array(actionDraw, { maxLength: 3 }),
      security: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }).map(({ sinks, calls, actions, security }) => build(sinks, calls, actions, security)));
}

function build(sinks: SinkSpec[], draws: CallDraw[], actionDraws: ActionDraw[], security: boolean): Workload {
  const calls: CallSpec[] = draws.map((d, i) => {
    const spec = sinks[d.sink % sinks.length]!;
    const c: CallSpec = { id: `c${i + 1}`, op: d.op, sink: d.outcome === 'null-sink' ? null : spec.wrapped && !d.inner ? `${spec.id}~stub` : spec.id };
    if (d.sendStatus) c.flags = WBEM_FLAG_SEND_STATUS;
    if (d.op === 'ExecQueryAsync' || d.op === 'CreateInstanceEnumAsync' || d.op === 'CreateClassEnumAsync' || d.op === 'ExecNotificationQueryAsync') c.objects = d.objects;
    if (d.op === 'ExecMethodAsync') c.duration = d.duration;
    if (d.outcome === 'failed') c.result = WBEM_E_FAILED;
    if (d.outcome === 'start-error') c.startError = WBEM_E_INVALID_QUERY;
    if (d.cancelUnsupported) c.cancelUnsupported = true;
    // Only earlier calls, so that `after` never makes a cycle.
    if (d.after < i) c.after = `c${d.after + 1}${d.afterFinal ? '.final' : ''}`;
    return c;
  });
  const actions: ClientAction[] = actionDraws.map((d, i) => {
    const spec = sinks[d.sink % sinks.length]!;
    const after = d.after < calls.length ? { after: calls[d.after]!.id } : {};
    if (d.kind === 'release-sink') return { kind: 'release-sink', sink: spec.id, ...after };
    if (d.kind === 'release-services') return { kind: 'release-services', services: 'svc1', ...after };
    return {
      kind: 'cancel', id: `k${i + 1}`, sink: spec.id, ...after,
      ...(d.fromCallback ? { fromCallback: true } : {}), ...(spec.wrapped && d.inner ? { inner: true } : {}),
    };
  });
  return { name: 'generated', security, sinks, calls, ...(actions.length ? { actions } : {}) };
}
