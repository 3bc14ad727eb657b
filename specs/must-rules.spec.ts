/**
 * Every `must` rule: a small hand-written trace that breaks it, and the violation names that rule
 * and nothing outside the trace's declared set (some faults necessarily break
 * several rules, e.g. a second final status).
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED, WBEM_E_FAILED, WBEM_E_NOT_AVAILABLE } from '../trace/hresult.ts';
import { RULES } from './rules.ts';
import { TraceBuilder, violatedRules, type BuilderOptions } from './trace-builder.ts';

interface Case {
  rule: string;
  /** Other rules the same fault necessarily breaks. */
  also?: string[];
  opts?: BuilderOptions;
  build(b: TraceBuilder): void;
}

const WB: BuilderOptions = { whiteBox: true, recorder: 'simulation' };

const CASES: Case[] = [
  { rule: 'CALL-RETURNS-IMMEDIATELY', build: (b) => {
    b.call('q', 's'); b.ind('i1', 's', 'q', { held: true }); b.hold('i1'); b.iret('i1'); b.ret('q');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'START-FAILURE-NO-CALLBACKS', build: (b) => {
    b.call('q', 's'); b.ret('q', WBEM_E_FAILED); b.ind('i1', 's', 'q'); b.iret('i1'); b.end();
  } },
  { rule: 'BROKER-HOLDS-SINK', also: ['FINAL-STATUS-ONCE'], opts: WB, build: (b) => {
    // Wine's ExecQueryAsync(NULL, NULL): S_OK, the sink released before the return, never called.
    b.call('q', 's'); b.addref('s', 'broker'); b.release('s', 'broker'); b.ret('q'); b.end();
  } },
  { rule: 'ONE-CALLBACK-AT-A-TIME', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.ind('i2', 's', 'q'); b.iret('i1'); b.iret('i2');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'NO-EMPTY-INDICATE', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q', { count: 0 }); b.iret('i1'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'STATUS-FLAGS-VALID', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('r', 's', 'q', 0, { lFlags: 1 }); b.sret('r'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'SINK-ERROR-CANCELS', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1', WBEM_E_FAILED); b.ind('i2', 's', 'q'); b.iret('i2');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'FINAL-STATUS-ONCE', also: ['NOTHING-AFTER-FINAL'], build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f1', 's', 'q'); b.sret('f1'); b.status('f2', 's', 'q'); b.sret('f2'); b.end();
  } },
  { rule: 'FINAL-STATUS-ONCE', build: (b) => {
    // Liveness: accepted, quiescent, never a final status.
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1'); b.end('quiescent');
  } },
  { rule: 'FINAL-STATUS-CARRIES-RESULT', opts: WB, build: (b) => {
    b.accept('q', 's'); b.add({ type: 'provider.started', call: 'q', kind: 'instance' });
    b.add({ type: 'provider.completed', call: 'q', hr: WBEM_E_FAILED }); b.final('f', 's', 'q'); b.end();
  } },
  { rule: 'NOTHING-AFTER-FINAL', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.status('f', 's', 'q'); b.sret('f'); b.ind('i1', 's', 'q'); b.iret('i1'); b.end();
  } },
  { rule: 'RELEASE-AFTER-FINAL', opts: WB, build: (b) => {
    // The client releases IWbemServices after the final status: the broker's reference must be gone by then.
    b.accept('q', 's'); b.status('f', 's', 'q'); b.sret('f'); b.add({ type: 'services.release.entered', services: 'svc' }); b.add({ type: 'services.release.returned', services: 'svc' }); b.end('quiescent');
  } },
  { rule: 'PROGRESS-ONLY-IF-ASKED', build: (b) => {
    b.call('q', 's', { flags: 0 }); b.ret('q'); b.status('p', 's', 'q', 0x00010002, { lFlags: 2 }); b.sret('p');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'CANCEL-COVERS-SHARING-CALLS', opts: { recorder: 'stdio' }, build: (b) => {
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2');
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q1'] }); b.cret('k');
    b.add({ type: 'annotation.final-decided', call: 'q1', hResult: WBEM_E_CALL_CANCELLED }); b.status('f1', 's', 'q1', WBEM_E_CALL_CANCELLED); b.sret('f1');
    b.add({ type: 'annotation.final-decided', call: 'q2', hResult: WBEM_E_CALL_CANCELLED }); b.status('f2', 's', 'q2', WBEM_E_CALL_CANCELLED); b.sret('f2'); b.end();
  } },
  { rule: 'CANCEL-COVERS-SHARING-CALLS', opts: { recorder: 'stdio' }, build: (b) => {
    // Left out of the annotation and never ended: the cancel did not cover it.
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2');
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q1'] }); b.cret('k');
    b.add({ type: 'annotation.final-decided', call: 'q1', hResult: WBEM_E_CALL_CANCELLED }); b.status('f1', 's', 'q1', WBEM_E_CALL_CANCELLED); b.sret('f1');
    b.end('bound');
  } },
  { rule: 'CANCEL-SPARES-OTHER-SINKS', build: (b) => {
    // The broker holds two references to a (its stored one and a delivery's) and drops one during b's cancel.
    b.call('qa', 'a'); b.addref('a', 'broker'); b.addref('a', 'broker'); b.ret('qa'); b.accept('qb', 'b');
    b.cancel('k', 'b'); b.release('a', 'broker'); b.cret('k');
    b.status('fb', 'b', 'qb', WBEM_E_CALL_CANCELLED); b.sret('fb'); b.release('b', 'broker'); b.status('fa', 'a', 'qa'); b.sret('fa'); b.release('a', 'broker'); b.end();
  } },
  { rule: 'CANCELLED-STATUS', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's'); b.cret('k'); b.iret('i1');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'NO-CALLBACKS-AFTER-CANCEL', opts: { recorder: 'stdio' }, build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's');
    b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] });
    b.iret('i1'); b.ind('i2', 's', 'q'); b.iret('i2'); b.cret('k'); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
  { rule: 'CANCEL-UNKNOWN-SINK-ERROR', build: (b) => {
    b.cancel('k', null); b.cret('k'); b.end();
  } },
  { rule: 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q', { held: true }); b.cancel('k', 's'); b.hold('i1'); b.iret('i1'); b.cret('k');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
  { rule: 'RELEASED-BEFORE-CANCEL-RETURNS', build: (b) => {
    b.call('q', 's'); b.addref('s', 'broker'); b.ret('q'); b.cancel('k', 's');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.cret('k'); b.release('s', 'broker'); b.end();
  } },
  { rule: 'CANCEL-AFTER-CLIENT-RELEASE', build: (b) => {
    b.call('q', 's'); b.ret('q'); b.release('s', 'client'); b.cancel('k', 's'); b.status('f', 's', 'q'); b.sret('f');
    b.cret('k', WBEM_E_FAILED); b.end();
  } },
  { rule: 'PROVIDER-NOT-NOTIFIED', opts: WB, build: (b) => {
    b.accept('q', 's', { op: 'ExecMethodAsync' }); b.add({ type: 'provider.started', call: 'q', kind: 'method' });
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] });
    b.add({ type: 'provider.cancel-requested', call: 'q', answer: 0 }); b.cret('k');
    b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.add({ type: 'provider.completed', call: 'q', hr: 0 }); b.end();
  } },
  { rule: 'PROVIDER-RUNS-TO-COMPLETION', opts: WB, build: (b) => {
    b.accept('q', 's', { op: 'ExecMethodAsync' }); b.add({ type: 'provider.started', call: 'q', kind: 'method' });
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.cret('k');
    b.add({ type: 'provider.stopped', call: 'q' }); b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.end();
  } },
  // The inner sink was never passed to a call: a success also answers for a sink the broker never accepted.
  { rule: 'CANCEL-SAME-POINTER', also: ['CANCEL-UNKNOWN-SINK-ERROR'], build: (b) => {
    b.add({ type: 'sink.created', sink: 'inner' }); b.add({ type: 'sink.created', sink: 'w', wraps: 'inner' });
    b.call('q', 'w'); b.ret('q'); b.cancel('k', 'inner'); b.cret('k'); b.status('f', 'w', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'PROVIDER-CANCEL-UNSUPPORTED', also: ['CANCELLED-STATUS'], opts: WB, build: (b) => {
    b.accept('q', 's'); b.add({ type: 'provider.started', call: 'q', kind: 'instance' });
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] });
    b.add({ type: 'provider.cancel-requested', call: 'q', answer: WBEM_E_NOT_AVAILABLE }); b.cret('k');
    b.add({ type: 'provider.completed', call: 'q', hr: 0 }); b.add({ type: 'annotation.final-decided', call: 'q', hResult: 0 });
    b.final('f', 's', 'q'); b.end();
  } },
  { rule: 'NOTIFICATION-NEVER-COMPLETES', build: (b) => {
    b.call('q', 's', { op: 'ExecNotificationQueryAsync' }); b.ret('q'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'ANNOTATIONS-CONSISTENT', opts: { recorder: 'stdio' }, build: (b) => {
    b.call('q', 's'); b.ret('q'); b.cancel('k', 's'); b.cret('k'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] });
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
  } },
  { rule: 'ANNOTATIONS-CONSISTENT', opts: { recorder: 'stdio' }, build: (b) => {
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.add({ type: 'annotation.final-decided', call: 'q', hResult: 0 });
    b.iret('i1'); b.status('f', 's', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'SWBEMSINK-CANCEL-ALL', build: (b) => {
    b.add({ type: 'swbem.created', swsink: 'W' }); b.call('q', 's1', { swsink: 'W' }); b.ret('q');
    b.add({ type: 'swbem.cancel.entered', swsink: 'W' }); b.add({ type: 'swbem.cancel.returned', swsink: 'W', err: 0 });
    b.status('f', 's1', 'q'); b.sret('f'); b.end();
  } },
  { rule: 'SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED', build: (b) => {
    b.call('q', 's1', { swsink: 'W' }); b.ret('q'); b.add({ type: 'swbem.event', swsink: 'W', call: 'q', event: 'OnProgress' });
    b.status('f', 's1', 'q'); b.sret('f'); b.add({ type: 'swbem.event', swsink: 'W', call: 'q', event: 'OnCompleted', hResult: 0 }); b.end();
  } },
  { rule: 'SWBEMSINK-ONCOMPLETED-HRESULT', build: (b) => {
    b.call('q', 's1', { swsink: 'W' }); b.ret('q'); b.status('f', 's1', 'q', WBEM_E_FAILED); b.sret('f');
    b.add({ type: 'swbem.event', swsink: 'W', call: 'q', event: 'OnCompleted', hResult: 0 }); b.end();
  } },
  { rule: 'SWBEMSINK-ONCOMPLETED-HRESULT', build: (b) => {
    // Liveness: the operation ended on its own and OnCompleted never fired.
    b.call('q', 's1', { swsink: 'W' }); b.ret('q'); b.status('f', 's1', 'q'); b.sret('f'); b.end('quiescent');
  } },
];

describe('must rules: each breaking trace is a violation of that rule and of no unrelated one', () => {
  for (const c of CASES) {
    it(`${c.rule}${c.also ? ` (with ${c.also.join(', ')})` : ''}`, () => {
      const b = new TraceBuilder(c.opts);
      c.build(b);
      const r = b.judge();
      const got = violatedRules(r);
      expect(got).toContain(c.rule);
      expect(got.filter((id) => id !== c.rule && !(c.also ?? []).includes(id))).toEqual([]);
      expect(r.conformant).toBe(false);
      const f = r.violations.find((x) => x.rule === c.rule)!;
      expect(f.events.length).toBeGreaterThan(0);
      expect(f.explanation.length).toBeGreaterThan(10);
      expect(f.citation.phrase.length).toBeGreaterThan(0);
    });
  }

  it('covers every must rule of the table', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(RULES.filter((r) => r.kind === 'must' && !covered.has(r.id)).map((r) => r.id)).toEqual([]);
  });
});
