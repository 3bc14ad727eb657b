/**
 * A call's query text and language (NULL included), and a cancel made from inside the final
 * SetStatus (`fromCallback: "final"`): what the brokers do with them and what the trace shows.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { WineModel } from '../brokers/wine-model.ts';
import type { BrokerAdapter } from './broker-adapter.ts';
import { runOnce, type RunResult } from './run.ts';
import { parseWorkload } from './workloads.ts';
import type { TraceLine } from '../trace/event.ts';
import { S_OK, WBEM_E_INVALID_PARAMETER } from '../trace/hresult.ts';

const workload = (w: object) => parseWorkload(JSON.stringify({ version: 1, name: 'w', ...w }), 'w.json');
const run = (broker: BrokerAdapter, w: object, seed: number): RunResult =>
  runOnce({ impl: broker.info.name, broker, workload: workload(w), seed, keepTrace: true });
const verdict = (r: RunResult, rule: string) => r.judge.results.find((x) => x.rule === rule)?.verdict;
const events = (r: RunResult, type: string) => r.trace!.filter((l) => l.type === type) as (TraceLine & Record<string, unknown>)[];

describe('a call whose query is NULL', () => {
  const nullQuery = (field: 'query' | 'language') => ({
    sinks: [{ id: 's1' }],
    calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 2, [field]: null }],
    actions: [{ kind: 'release-sink', sink: 's1', after: 'c1' }],
  });

  it.each(['query', 'language'] as const)('is a start failure of the reference broker: WBEM_E_INVALID_PARAMETER, no reference kept, no callback (NULL %s)', (field) => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = run(new ReferenceBroker(), nullQuery(field), seed);
      expect(events(r, 'call.returned')).toMatchObject([{ call: 'c1', hr: WBEM_E_INVALID_PARAMETER }]);
      expect(events(r, 'sink.addref').filter((e) => e.by === 'broker')).toEqual([]);
      expect(events(r, 'indicate.entered').length + events(r, 'setstatus.entered').length).toBe(0);
      expect(verdict(r, 'START-FAILURE-NO-CALLBACKS')).toBe('held');
      expect(r.judge.violations).toEqual([]);
    }
  });

  it('is accepted by the Wine model with S_OK and never called back, the sink released before the return', () => {
    const r = run(new WineModel(), nullQuery('query'), 1);
    const c1 = r.trace!.filter((l) => 'call' in l && l.call === 'c1').map((l) => `${l.type}${'count' in l ? ` ${l.count}` : ''}`);
    expect(c1).toEqual(['call.entered', 'sink.addref 2', 'sink.addref 3', 'sink.release 2', 'sink.release 1', 'call.returned']);
    expect(events(r, 'call.returned')).toMatchObject([{ hr: S_OK }]);
    expect(verdict(r, 'FINAL-STATUS-ONCE')).toBe('violated');
    expect(verdict(r, 'BROKER-HOLDS-SINK')).toBe('violated');
  });

  it('leaves the query out of the trace as the recorder does, and writes query text where there is one', () => {
    const r = run(new ReferenceBroker(), {
      sinks: [{ id: 's1' }],
      calls: [
        { id: 'c1', op: 'ExecQueryAsync', sink: 's1', query: null, language: null },
        { id: 'c2', op: 'ExecQueryAsync', sink: 's1', query: 'SELECT * FROM Win32_OperatingSystem', language: 'WQL', objects: 1 },
      ],
    }, 1);
    const entered = Object.fromEntries(events(r, 'call.entered').map((e) => [e.call, e]));
    expect(entered.c1).not.toHaveProperty('query');
    expect(entered.c1).not.toHaveProperty('language');
    expect(entered.c2).toMatchObject({ query: 'SELECT * FROM Win32_OperatingSystem', language: 'WQL' });
    expect(events(r, 'call.returned').find((e) => e.call === 'c2')).toMatchObject({ hr: S_OK });
  });
});

describe('a cancel from inside the final SetStatus (fromCallback: "final")', () => {
  const w = {
    sinks: [{ id: 's1' }],
    calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 1 }],
    actions: [{ kind: 'cancel', id: 'k1', sink: 's1', fromCallback: 'final' }],
  };

  it('is made inside the final status, on its thread, and the trace names that callback', () => {
    // The scheduler may let the final status return first: then the cancel is never made.
    let made = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = run(new ReferenceBroker(), w, seed);
      const final = events(r, 'setstatus.entered').find((e) => e.lFlags === 0)!;
      expect(final, `seed ${seed}`).toBeDefined();
      const cancel = events(r, 'cancel.entered')[0];
      if (cancel === undefined) continue;
      made++;
      expect(cancel).toMatchObject({ cancel: 'k1', sink: 's1', fromCallback: final.cb, thread: final.thread });
      const finalReturned = r.trace!.findIndex((l) => l.type === 'setstatus.returned' && l.cb === final.cb);
      const at = r.trace!.indexOf(cancel);
      expect(at).toBeGreaterThan(r.trace!.indexOf(final));
      expect(at).toBeLessThan(finalReturned);
      expect(r.judge.lint.map((f) => f.rule)).toContain('LINT-NO-CANCEL-IN-SINK');
      expect(r.judge.violations).toEqual([]);
    }
    expect(made).toBeGreaterThan(0);
  });

  it('deadlocks the Wine model, whose cancel waits for the worker that is in the final status', () => {
    let deadlocks = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const r = run(new WineModel(), w, seed);
      const cancel = events(r, 'cancel.entered')[0];
      if (cancel === undefined) continue;
      deadlocks++;
      expect(events(r, 'setstatus.entered').find((e) => e.cb === cancel.fromCallback)).toMatchObject({ lFlags: 0 });
      expect(r.end.reason).toBe('deadlock');
      expect(r.judge.warnings.map((f) => f.rule)).toContain('CANCEL-FROM-SINK-NOT-OPERATIONAL');
    }
    expect(deadlocks).toBeGreaterThan(0);
  });

  it('never lands in an Indicate, and `true` never lands in a final status', () => {
    const made = { final: 0, true: 0 };
    for (let seed = 1; seed <= 10; seed++) {
      for (const fromCallback of ['final', true] as const) {
        const r = run(new ReferenceBroker(), { ...w, calls: [{ ...w.calls[0], objects: 3 }], actions: [{ ...w.actions[0], fromCallback }] }, seed);
        const inside = events(r, 'cancel.entered')[0]?.fromCallback;
        if (inside === undefined) continue;
        made[`${fromCallback}`]++;
        const cb = r.trace!.find((l) => (l.type === 'indicate.entered' || l.type === 'setstatus.entered') && l.cb === inside)!;
        expect(cb.type === 'setstatus.entered' && cb.lFlags === 0, `seed ${seed}, fromCallback ${fromCallback}`).toBe(fromCallback === 'final');
      }
    }
    expect(made.final).toBeGreaterThan(0);
    expect(made.true).toBeGreaterThan(0);
  });
});
