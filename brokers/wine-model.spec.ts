import { beforeAll, describe, expect, it } from 'vitest';
import type { BrokerOutput } from '../sim/broker-adapter.ts';
import { ImplError, resolveImpl } from './registry.ts';
import { WineModel } from './wine-model.ts';
import { runMany, type Campaign } from '../sim/campaign.ts';
import { runOnce, type RunResult } from '../sim/run.ts';
import { builtinWorkloads, loadWorkload } from '../sim/workloads.ts';
import { RULES } from '../specs/rules.ts';
import {
  REGDB_E_CLASSNOTREG, S_OK, WBEM_E_FAILED, WBEM_E_INVALID_PARAMETER, WBEM_FLAG_SEND_STATUS,
} from '../trace/hresult.ts';

/**
 * IMPLEMENTATIONS.md section 1, column "rules it bears on", for the broker rules: what the suite
 * must find on the Wine model over the built-in workloads (docs/wine-model.md has the table).
 */
const BROKEN = ['CANCEL-DOES-NOT-WAIT-FOR-CLIENT', 'CANCELLED-STATUS', 'NO-CALLBACKS-AFTER-CANCEL', 'CANCEL-SPARES-OTHER-SINKS',
  'CANCEL-UNKNOWN-SINK-ERROR', 'SINK-ERROR-CANCELS', 'NOTIFICATION-NEVER-COMPLETES'];
const WARNED = ['OVERLAPPING-CALLS-ACCEPTED', 'SEQUENTIAL-CALLS-ACCEPTED', 'RELEASE-PROMPTLY', 'CANCEL-FROM-SINK-NOT-OPERATIONAL'];
const KEPT = ['CALL-RETURNS-IMMEDIATELY', 'START-FAILURE-NO-CALLBACKS', 'BROKER-HOLDS-SINK', 'NULL-SINK-REJECTED', 'ONE-CALLBACK-AT-A-TIME',
  'NO-EMPTY-INDICATE', 'STATUS-FLAGS-VALID', 'FINAL-STATUS-ONCE', 'FINAL-STATUS-CARRIES-RESULT', 'NOTHING-AFTER-FINAL', 'RELEASE-AFTER-FINAL',
  'PROGRESS-ONLY-IF-ASKED', 'CANCEL-INVALID-PARAMETER-CODE', 'RELEASED-BEFORE-CANCEL-RETURNS', 'ANNOTATIONS-CONSISTENT'];
const FREEDOMS_USED = ['CALLBACK-MAY-PRECEDE-RETURN', 'FINAL-WITHOUT-INDICATE', 'PROGRESS-MAY', 'CANCEL-AFTER-END-MAY-SUCCEED'];

const brokerRule = (id: string) => RULES.find((r) => r.id === id)?.party === 'broker';
const run = (workload: string, seed: number, wrappers = false): RunResult =>
  runOnce({ impl: wrappers ? 'wine:wrappers' : 'wine', broker: new WineModel({ wrappers }), workload: loadWorkload(workload), seed, keepTrace: true });

describe('the Wine model over the built-in workloads', () => {
  let c: Campaign;
  beforeAll(() => {
    c = runMany({ impl: 'wine', factory: () => new WineModel(), workloads: builtinWorkloads(), strategy: 'random', seed: 1, runs: 40 });
  });

  it('breaks exactly the must rules IMPLEMENTATIONS.md says it breaks, and no other broker rule', () => {
    const violated = [...new Set(c.violations.map((f) => f.rule))].filter(brokerRule).sort();
    expect(violated).toEqual([...BROKEN].sort());
  });

  it('gets a warning for each should rule it breaks, and for no other', () => {
    const warned = [...new Set(c.warnings.map((f) => f.rule))].filter(brokerRule).sort();
    expect(warned).toEqual([...WARNED].sort());
  });

  it('keeps the rules it keeps', () => {
    for (const id of KEPT) {
      // Wine never sends a progress status, so nothing exercises PROGRESS-ONLY-IF-ASKED.
      expect(c.rules.find((r) => r.rule === id)?.verdict, id).toBe(id === 'PROGRESS-ONLY-IF-ASKED' ? 'not exercised' : 'held');
    }
  });

  it('uses the freedoms it is observed to use, and is never flagged for a may rule', () => {
    for (const id of FREEDOMS_USED) expect(c.rules.find((r) => r.rule === id)?.verdict, id).toBe('used');
    const mayFlagged = [...c.violations, ...c.warnings, ...c.inconclusive].filter((f) => f.kind === 'may');
    expect(mayFlagged).toEqual([]);
  });

  it('has a replay token for every finding', () => {
    for (const f of [...c.violations, ...c.warnings]) expect(f.replay).toMatch(/^wbs2\./);
  });
});

describe('the Wine model reproduces the worked examples of RULES.md', () => {
  it('B: a cancel that waits for a held Indicate, then delivers the rest and S_OK', () => {
    // Indicate #1 held, the cancel, the watchdog lets it go, Indicate #2, the final S_OK, Release, then the cancel returns.
    const order = ['indicate.entered', 'cancel.entered', 'hold.released', 'indicate.returned', 'indicate.entered', 'setstatus.entered', 'sink.release', 'cancel.returned'];
    const isB = (r: RunResult) => {
      let at = 0;
      for (const l of r.trace!) if (l.type === order[at]) at++;
      return at === order.length;
    };
    const r = Array.from({ length: 20 }, (_, i) => run('held-query-cancel', i + 1)).find(isB);
    expect(r, 'no run of held-query-cancel has the interleaving of example B').toBeDefined();
    expect(r!.judge.violations.map((f) => f.rule)).toEqual(expect.arrayContaining(['CANCEL-DOES-NOT-WAIT-FOR-CLIENT', 'CANCELLED-STATUS', 'NO-CALLBACKS-AFTER-CANCEL']));
    for (const f of r!.judge.violations.filter((x) => x.rule === 'CANCELLED-STATUS' || x.rule === 'NO-CALLBACKS-AFTER-CANCEL')) {
      expect(f.derivedFrom).toBe('CANCEL-DOES-NOT-WAIT-FOR-CLIENT');
    }
    expect(r!.trace!.find((l) => l.type === 'cancel.returned')).toMatchObject({ hr: S_OK });
  });

  it('D: a cancel with a sink never used cancels the other sink\'s call and says S_OK', () => {
    const r = run('cancel-unused-sink', 1);
    expect(r.judge.violations.map((f) => f.rule)).toEqual(expect.arrayContaining(['CANCEL-UNKNOWN-SINK-ERROR', 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT', 'CANCEL-SPARES-OTHER-SINKS']));
    expect(r.judge.lint.map((f) => f.rule)).toContain('LINT-CANCEL-PENDING-SINK');
  });
});

describe('the Wine model, fact by fact (IMPLEMENTATIONS.md section 1)', () => {
  const call = (w: WineModel, call: string, op: 'ExecQueryAsync' | 'ExecMethodAsync' | 'ExecNotificationQueryAsync', sink: string | null, services = 'svc1', flags = 0) =>
    w.input({ kind: 'call', call, op, services, sink, flags, target: { provider: op === 'ExecMethodAsync' ? 'method' : 'instance' } });
  const take = (w: WineModel, prefix: string): BrokerOutput[] => {
    const s = w.enabled().find((x) => x.id.startsWith(prefix));
    if (!s) throw new Error(`no step ${prefix} in ${w.enabled().map((x) => x.id).join(', ')}`);
    return w.step(s.id);
  };
  const finish = (w: WineModel, c: string) => {
    take(w, `ret:${c}`);
    w.input({ kind: 'provider-completed', call: c, hr: S_OK });
    const fin = take(w, `fin:${c}`).find((o) => o.kind === 'set-status')!;
    if (fin.kind === 'set-status') w.input({ kind: 'callback-returned', cb: fin.cb, ret: S_OK });
  };

  it('keeps one operation slot per IWbemServices object, not freed by completion, until CancelAsyncCall', () => {
    const w = new WineModel();
    w.reset({ security: true });
    expect(call(w, 'c1', 'ExecQueryAsync', 's1')).toEqual([
      { kind: 'addref', sink: 's1', call: 'c1' }, { kind: 'addref', sink: 's1', call: 'c1' }, { kind: 'release', sink: 's1', call: 'c1' },
      { kind: 'provider-start', call: 'c1' },
    ]);
    finish(w, 'c1');
    // Finished, yet the slot is taken: QI then Release, and WBEM_E_FAILED at once.
    expect(call(w, 'c2', 'ExecQueryAsync', 's2')).toEqual([
      { kind: 'addref', sink: 's2', call: 'c2' }, { kind: 'release', sink: 's2', call: 'c2' }, { kind: 'call-return', call: 'c2', hr: WBEM_E_FAILED },
    ]);
    // Another IWbemServices object has its own slot.
    expect(call(w, 'c3', 'ExecQueryAsync', 's3', 'svc2').at(-1)).toEqual({ kind: 'provider-start', call: 'c3' });
    // The sink reference is kept after the final status; the cancel releases it and frees the slot.
    expect(w.input({ kind: 'cancel', cancel: 'k1', services: 'svc1', sink: 's9' })).toEqual([]);
    expect(take(w, 'cr:k1')).toEqual([{ kind: 'release', sink: 's1', call: 'c1' }, { kind: 'cancel-return', cancel: 'k1', hr: S_OK }]);
    expect(call(w, 'c4', 'ExecQueryAsync', 's2').at(-1)).toEqual({ kind: 'provider-start', call: 'c4' });
  });

  it('returns S_OK for ExecQueryAsync(NULL language, NULL query), releases the sink before the return, and leaves the slot free', () => {
    const w = new WineModel();
    w.reset({ security: true });
    const nullQuery = (c: string, sink: string) =>
      w.input({ kind: 'call', call: c, op: 'ExecQueryAsync', services: 'svc1', sink, flags: 0, query: null, language: null, target: { provider: 'instance' } });
    expect(nullQuery('c1', 's1')).toEqual([
      { kind: 'addref', sink: 's1', call: 'c1' }, { kind: 'addref', sink: 's1', call: 'c1' },
      { kind: 'release', sink: 's1', call: 'c1' }, { kind: 'release', sink: 's1', call: 'c1' },
      { kind: 'call-return', call: 'c1', hr: S_OK },
    ]);
    expect(w.enabled()).toEqual([]);
    // The slot stays free: the next query is accepted. While it runs, a NULL query meets the busy slot first.
    expect(call(w, 'c2', 'ExecQueryAsync', 's2').at(-1)).toEqual({ kind: 'provider-start', call: 'c2' });
    expect(nullQuery('c3', 's3')).toEqual([
      { kind: 'addref', sink: 's3', call: 'c3' }, { kind: 'release', sink: 's3', call: 'c3' }, { kind: 'call-return', call: 'c3', hr: WBEM_E_FAILED },
    ]);
  });

  it('answers CancelAsyncCall(NULL), and any cancel while the slot is empty, with WBEM_E_INVALID_PARAMETER', () => {
    const w = new WineModel();
    w.reset({ security: true });
    expect(w.input({ kind: 'cancel', cancel: 'k1', services: 'svc1', sink: null })).toEqual([{ kind: 'cancel-return', cancel: 'k1', hr: WBEM_E_INVALID_PARAMETER }]);
    expect(w.input({ kind: 'cancel', cancel: 'k2', services: 'svc1', sink: 's1' })).toEqual([{ kind: 'cancel-return', cancel: 'k2', hr: WBEM_E_INVALID_PARAMETER }]);
  });

  it('fails unimplemented methods at once without touching the sink, and never sends progress', () => {
    const w = new WineModel();
    w.reset({ security: true });
    expect(call(w, 'c1', 'ExecMethodAsync', 's1')).toEqual([{ kind: 'call-return', call: 'c1', hr: WBEM_E_FAILED }]);
    call(w, 'c2', 'ExecQueryAsync', 's2', 'svc1', WBEM_FLAG_SEND_STATUS);
    w.input({ kind: 'provider-produced', call: 'c2', count: 2 });
    expect(w.enabled().map((s) => s.id)).toEqual(['ret:c2', 'ind:c2']);
    const ind = take(w, 'ind:c2');
    expect(ind).toEqual([{ kind: 'indicate', cb: 'c2#1', call: 'c2', sink: 's2', count: 1 }]);
    // An Indicate failing with WBEM_E_FAILED changes nothing: the next object follows.
    w.input({ kind: 'callback-returned', cb: 'c2#1', ret: WBEM_E_FAILED });
    expect(w.enabled().map((s) => s.id)).toContain('ind:c2');
  });

  it('ends a notification query by itself with S_OK and no event', () => {
    const w = new WineModel();
    w.reset({ security: true });
    expect(call(w, 'c1', 'ExecNotificationQueryAsync', 's1').some((o) => o.kind === 'provider-start')).toBe(false);
    const fin = take(w, 'fin:c1').find((o) => o.kind === 'set-status');
    expect(fin).toMatchObject({ lFlags: 0, hResult: S_OK });
  });

  it('deadlocks on a cancel from inside its own Indicate: the run ends in a modelled deadlock, not a hang', () => {
    let deadlocks = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = run('cancel-in-callback', seed);
      if (r.end.reason !== 'deadlock') continue;
      deadlocks++;
      expect(r.end.detail).toMatch(/never returned/);
      expect(r.judge.warnings.map((f) => f.rule)).toContain('CANCEL-FROM-SINK-NOT-OPERATIONAL');
      expect(r.judge.violations.filter((f) => f.rule === 'FINAL-STATUS-ONCE')).toEqual([]);
    }
    expect(deadlocks).toBeGreaterThan(0);
  });

  it('cannot be given an unsecured-apartment wrapper by default (REGDB_E_CLASSNOTREG)', () => {
    const r = run('wrapper-inner-cancel', 1);
    expect(r.trace!.find((l) => l.type === 'call.returned')).toMatchObject({ hr: REGDB_E_CLASSNOTREG });
    expect(r.judge.violations).toEqual([]);
  });

  it('with wrappers, its cancel design hides a client that cancels with the inner sink (CANCEL-SAME-POINTER)', () => {
    const rules = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) for (const f of run('wrapper-inner-cancel', seed, true).judge.violations) rules.add(f.rule);
    expect([...rules]).toContain('CANCEL-SAME-POINTER');
  });
});

describe('--impl wine', () => {
  it('resolves wine and wine:wrappers, and rejects other variants', async () => {
    const { registerWineModel } = await import('./wine-model.ts');
    registerWineModel();
    expect((await resolveImpl('wine'))().info).toMatchObject({ name: 'wine', inProcess: true });
    expect((await resolveImpl('wine:wrappers'))().info.name).toMatch(/wrappers/);
    await expect(resolveImpl('wine:nope')).rejects.toThrow(ImplError);
  });
});
