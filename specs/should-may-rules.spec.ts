/**
 * `should` rules report a warning (broker, scripting) or a lint finding (client) that never makes
 * the run non-conformant; `may` rules are freedoms: a trace taking each one is accepted with verdict
 * `used` and no finding; the `info` rule gives its advice once.
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED, WBEM_E_FAILED, WBEM_E_NOT_AVAILABLE, WBEM_E_OUT_OF_MEMORY, RPC_E_DISCONNECTED } from '../trace/hresult.ts';
import { RULES } from './rules.ts';
import { TraceBuilder, verdictOf, type BuilderOptions } from './trace-builder.ts';

interface Case { rule: string; opts?: BuilderOptions; build(b: TraceBuilder): void }
const WB: BuilderOptions = { whiteBox: true, recorder: 'simulation' };

/** A conformant query on its own sink: accepted, one Indicate, final S_OK, released. */
function query(b: TraceBuilder, q: string, s: string, o: Parameters<TraceBuilder['call']>[2] = {}): void {
  b.accept(q, s, o); b.ind(`${q}.i`, s, q); b.iret(`${q}.i`); b.final(`${q}.f`, s, q);
}

const SHOULD: Case[] = [
  { rule: 'NULL-SINK-REJECTED', build: (b) => { b.call('q', null); b.ret('q'); b.end(); } },
  { rule: 'OVERLAPPING-CALLS-ACCEPTED', build: (b) => {
    b.call('q1', 's1'); b.ret('q1'); b.call('q2', 's2'); b.ret('q2', WBEM_E_FAILED); b.status('f', 's1', 'q1'); b.sret('f'); b.end();
  } },
  { rule: 'SEQUENTIAL-CALLS-ACCEPTED', build: (b) => {
    b.call('q1', 's1'); b.ret('q1'); b.status('f', 's1', 'q1'); b.sret('f'); b.call('q2', 's2'); b.ret('q2', WBEM_E_FAILED); b.end();
  } },
  { rule: 'CALLBACK-AUTH-LEVEL', opts: { inProcess: false, recorder: 'recorder' }, build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q'); b.add({ type: 'marker.auth-level', cb: 'f', level: 1 }); b.sret('f'); b.end();
  } },
  { rule: 'RELEASE-PROMPTLY', opts: WB, build: (b) => {
    b.accept('q', 's'); b.status('f', 's', 'q'); b.sret('f'); b.add({ type: 'broker.idle' }); b.cancel('k', 's'); b.release('s', 'broker'); b.cret('k'); b.end();
  } },
  { rule: 'CANCEL-INVALID-PARAMETER-CODE', build: (b) => { b.cancel('k', null); b.cret('k', WBEM_E_FAILED); b.end(); } },
  { rule: 'CANCEL-DOES-NOT-WAIT-FOR-FINAL', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.cancel('k', 's'); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED, { held: true });
    b.hold('f'); b.sret('f'); b.cret('k'); b.end();
  } },
  { rule: 'CANCEL-FROM-SINK-NOT-OPERATIONAL', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's', { fromCallback: 'i1' }); b.add({ type: 'run.end', reason: 'deadlock' });
  } },
  { rule: 'LINT-ONE-SINK-PER-CALL', build: (b) => {
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2');
    b.status('f1', 's', 'q1'); b.sret('f1'); b.status('f2', 's', 'q2'); b.sret('f2'); b.end();
  } },
  { rule: 'LINT-NO-CANCEL-IN-SINK', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's', { fromCallback: 'i1' }); b.cret('k'); b.iret('i1');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
  { rule: 'LINT-CANCEL-PENDING-SINK', build: (b) => { query(b, 'q', 's'); b.cancel('k', 's'); b.cret('k'); b.end(); } },
  { rule: 'LINT-CANCEL-NEVER-ENDING', build: (b) => {
    b.call('q', 's', { op: 'ExecNotificationQueryAsync' }); b.ret('q'); b.release('s', 'client'); b.end();
  } },
  { rule: 'LINT-KEEP-WRAPPER', build: (b) => {
    b.add({ type: 'sink.created', sink: 'inner' }); b.add({ type: 'sink.created', sink: 'w', wraps: 'inner' });
    b.accept('q', 'w'); b.release('w', 'client'); b.final('f', 'w', 'q'); b.end();
  } },
  { rule: 'LINT-INIT-SECURITY', build: (b) => { b.add({ type: 'marker.no-security' }); query(b, 'q', 's'); b.end(); } },
  { rule: 'LINT-REFCOUNTED-SINK', opts: WB, build: (b) => {
    b.accept('q', 's'); b.cancel('k', 's'); b.cret('k');
    b.add({ type: 'sink.release', sink: 's', count: 0, by: 'client' });
    b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.end();
  } },
  { rule: 'LINT-CANCEL-RELEASED-SINK', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q'); b.sret('f'); b.release('s', 'client'); b.cancel('k', 's'); b.cret('k'); b.end();
  } },
  { rule: 'LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's'); b.cret('k'); b.release('s', 'client'); b.iret('i1');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
  { rule: 'LINT-PROGRESS-IS-NOT-FINAL', build: (b) => {
    b.call('q', 's', { flags: 0x80 }); b.ret('q'); b.status('p', 's', 'q', 0x00010002, { lFlags: 2 }); b.sret('p');
    b.add({ type: 'client.saw', what: 'completed', call: 'q' }); b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'LINT-CHECK-FINAL-HRESULT', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q', WBEM_E_FAILED); b.sret('f'); b.add({ type: 'client.saw', what: 'success', call: 'q' }); b.end();
  } },
  { rule: 'LINT-KEEP-INDICATED-OBJECTS', build: (b) => {
    query(b, 'q', 's'); b.add({ type: 'client.saw', what: 'object-used-after-indicate', call: 'q' }); b.end();
  } },
  { rule: 'LINT-FAST-SINK', build: (b) => {
    b.call('q', 's', { op: 'ExecNotificationQueryAsync' }); b.ret('q'); b.ind('e1', 's', 'q', { t: 10 }); b.iret('e1', 0, 400);
    b.cancel('k', 's'); b.cret('k'); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
  { rule: 'LINT-NO-WMI-CALLS-IN-EVENT-SINK', build: (b) => {
    b.call('q', 's', { op: 'ExecNotificationQueryAsync' }); b.ret('q'); b.ind('e1', 's', 'q');
    query(b, 'q2', 's2', { fromCallback: 'e1' }); b.iret('e1');
    b.cancel('k', 's'); b.cret('k'); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
];

describe('should rules: the finding appears and the broker stays conformant', () => {
  for (const c of SHOULD) {
    it(c.rule, () => {
      const b = new TraceBuilder(c.opts);
      c.build(b);
      const r = b.judge();
      const rule = RULES.find((x) => x.id === c.rule)!;
      const list = rule.party === 'client' ? r.lint : r.warnings;
      expect(list.map((f) => f.rule)).toContain(c.rule);
      expect(r.violations).toEqual([]);
      expect(r.conformant).toBe(true);
    });
  }

  it('covers every should rule of the table', () => {
    const covered = new Set(SHOULD.map((c) => c.rule));
    expect(RULES.filter((r) => r.kind === 'should' && !covered.has(r.id)).map((r) => r.id)).toEqual([]);
  });
});

const MAY: Case[] = [
  { rule: 'CALLBACK-MAY-PRECEDE-RETURN', build: (b) => { b.call('q', 's'); b.status('f', 's', 'q'); b.sret('f'); b.ret('q'); b.end(); } },
  { rule: 'CANCELLED-STATUS-MAY-OVERLAP', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's'); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED);
    b.cret('k'); b.sret('f'); b.iret('i1'); b.end();
  } },
  { rule: 'CALLS-MAY-CALL-BACK-CONCURRENTLY', build: (b) => {
    b.call('q1', 's1'); b.ret('q1'); b.call('q2', 's2'); b.ret('q2'); b.ind('a', 's1', 'q1'); b.ind('b', 's2', 'q2');
    b.iret('a'); b.iret('b'); b.status('f1', 's1', 'q1'); b.sret('f1'); b.status('f2', 's2', 'q2'); b.sret('f2'); b.end();
  } },
  { rule: 'INDICATE-BATCHING', build: (b) => { b.call('q', 's'); b.ret('q'); b.ind('i', 's', 'q', { count: 7 }); b.iret('i'); b.status('f', 's', 'q'); b.sret('f'); b.end(); } },
  { rule: 'FINAL-WITHOUT-INDICATE', build: (b) => { b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q', 0x80041017); b.sret('f'); b.end(); } },
  { rule: 'PROGRESS-HRESULT-IS-COUNTER', build: (b) => {
    b.call('q', 's', { flags: 0x80 }); b.ret('q'); b.status('p', 's', 'q', 0xffff0003, { lFlags: 2 }); b.sret('p'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'CANCELLED-WITHOUT-CLIENT-CANCEL', build: (b) => { b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end(); } },
  { rule: 'PROGRESS-MAY', build: (b) => { b.call('q', 's', { flags: 0x80 }); b.ret('q'); b.status('f', 's', 'q'); b.sret('f'); b.end(); } },
  { rule: 'NO-SECURITY-NO-COMPLETION', opts: WB, build: (b) => {
    b.add({ type: 'marker.no-security' }); b.accept('q', 's'); b.release('s', 'broker'); b.end();
  } },
  { rule: 'ORDER-NOT-GUARANTEED', build: (b) => {
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2'); b.ind('a', 's', 'q2'); b.iret('a'); b.ind('b', 's', 'q1'); b.iret('b');
    b.status('f2', 's', 'q2'); b.sret('f2'); b.status('f1', 's', 'q1'); b.sret('f1'); b.end();
  } },
  { rule: 'TRANSPORT-FAILURE', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.add({ type: 'marker.transport-lost' }); b.cancel('k', 's'); b.cret('k', RPC_E_DISCONNECTED); b.end();
  } },
  { rule: 'CALLBACK-OBJECTS-BORROWED', build: (b) => { query(b, 'q', 's'); b.end(); } },
  { rule: 'CANCEL-SCOPE-PER-SERVICES', build: (b) => {
    b.call('q', 's', { services: 'svc1' }); b.ret('q'); b.cancel('k', 's', { services: 'svc2' }); b.cret('k'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'CANCEL-MAY-LOSE-RACE', build: (b) => {
    b.call('q', 's', { op: 'DeleteInstanceAsync' }); b.ret('q'); b.cancel('k', 's'); b.status('f', 's', 'q'); b.sret('f'); b.cret('k'); b.end();
  } },
  { rule: 'CANCEL-AFTER-END-MAY-SUCCEED', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q'); b.sret('f'); b.cancel('k', 's'); b.cret('k'); b.end();
  } },
  { rule: 'CALLBACK-IN-FLIGHT-MAY-FINISH', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's'); b.cret('k'); b.iret('i1');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
  { rule: 'PROVIDER-MAY-STOP', opts: WB, build: (b) => {
    b.accept('q', 's'); b.add({ type: 'provider.started', call: 'q', kind: 'instance' });
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.add({ type: 'provider.stopped', call: 'q' });
    b.cret('k'); b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.end();
  } },
  { rule: 'EVENTS-MAY-BE-DROPPED', opts: WB, build: (b) => {
    b.accept('q', 's', { op: 'ExecNotificationQueryAsync' }); b.add({ type: 'provider.started', call: 'q', kind: 'event' });
    b.add({ type: 'provider.produced', call: 'q', count: 5 }); b.ind('e', 's', 'q', { count: 2 }); b.iret('e');
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.cret('k');
    b.add({ type: 'annotation.final-decided', call: 'q', hResult: WBEM_E_CALL_CANCELLED }); b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.end();
  } },
  { rule: 'SWBEMSINK-NOTHING-IS-NOT-CANCEL', build: (b) => {
    b.call('q', 's1', { swsink: 'W' }); b.ret('q'); b.add({ type: 'swbem.nothing', swsink: 'W' }); b.status('f', 's1', 'q'); b.sret('f');
    b.add({ type: 'swbem.event', swsink: 'W', call: 'q', event: 'OnCompleted', hResult: 0 }); b.end();
  } },
  { rule: 'SWBEMSINK-CANCEL-ERRORS', build: (b) => {
    b.add({ type: 'swbem.cancel.entered', swsink: 'W' }); b.add({ type: 'swbem.cancel.returned', swsink: 'W', err: WBEM_E_OUT_OF_MEMORY }); b.end();
  } },
  { rule: 'SWBEMSINK-ONCOMPLETED-AFTER-CANCEL', build: (b) => {
    b.call('q', 's1', { swsink: 'W' }); b.ret('q'); b.add({ type: 'swbem.cancel.entered', swsink: 'W' }); b.cancel('k', 's1'); b.cret('k');
    b.add({ type: 'swbem.cancel.returned', swsink: 'W', err: 0 }); b.status('f', 's1', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
];

describe('may rules: the freedom is accepted, verdict used, never a finding', () => {
  for (const c of MAY) {
    it(c.rule, () => {
      const b = new TraceBuilder(c.opts);
      c.build(b);
      const r = b.judge();
      expect(verdictOf(r, c.rule)).toBe('used');
      expect(r.violations).toEqual([]);
      expect(r.warnings.filter((f) => f.party !== 'client')).toEqual([]);
      expect(r.conformant).toBe(true);
    });
  }

  it('covers every may rule of the table', () => {
    const covered = new Set(MAY.map((c) => c.rule));
    expect(RULES.filter((r) => r.kind === 'may' && !covered.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it('reports a may rule that the trace never reached as not exercised, with the reason', () => {
    const b = new TraceBuilder();
    query(b, 'q', 's');
    const res = b.judge().results.find((x) => x.rule === 'CANCEL-MAY-LOSE-RACE')!;
    expect(res.verdict).toBe('not exercised');
    expect(res.reason).toBeTruthy();
  });
});

describe('info rule LINT-PREFER-SEMISYNC', () => {
  it('gives its advice once per run, never as a finding', () => {
    const b = new TraceBuilder();
    query(b, 'q1', 's1'); query(b, 'q2', 's2'); b.end();
    const r = b.judge();
    expect(r.advice.filter((a) => a.startsWith('LINT-PREFER-SEMISYNC'))).toHaveLength(1);
    expect([...r.lint, ...r.warnings].some((f) => f.rule === 'LINT-PREFER-SEMISYNC')).toBe(false);
  });
});

describe('a conformant white-box run', () => {
  it('produces no violation, warning, lint finding or inconclusive verdict', () => {
    const b = new TraceBuilder(WB);
    b.add({ type: 'sink.created', sink: 's1' }); b.add({ type: 'sink.created', sink: 's2' });
    query(b, 'q1', 's1', { flags: 0x80 });
    b.accept('q2', 's2'); b.add({ type: 'provider.started', call: 'q2', kind: 'instance' });
    b.add({ type: 'provider.produced', call: 'q2', count: 2 }); b.ind('i1', 's2', 'q2', { count: 2 }); b.iret('i1');
    b.cancel('k', 's2'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q2'] });
    b.add({ type: 'provider.cancel-requested', call: 'q2', answer: WBEM_E_NOT_AVAILABLE });
    b.release('s2', 'broker'); b.addref('s2', 'broker');
    b.cret('k');
    b.add({ type: 'annotation.final-decided', call: 'q2', hResult: WBEM_E_CALL_CANCELLED }); b.final('f2', 's2', 'q2', WBEM_E_CALL_CANCELLED);
    b.add({ type: 'provider.completed', call: 'q2', hr: 0 });
    b.end('quiescent');
    const r = b.judge();
    expect({ v: r.violations, w: r.warnings, l: r.lint, i: r.inconclusive }).toEqual({ v: [], w: [], l: [], i: [] });
    expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('held');
    expect(verdictOf(r, 'RELEASED-BEFORE-CANCEL-RETURNS')).toBe('held');
    expect(verdictOf(r, 'FINAL-STATUS-ONCE')).toBe('held');
  });
});
