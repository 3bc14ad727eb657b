/**
 * A workload's `outOfProcess`: the broker runs in another process, the trace's header says so,
 * and each callback that reaches the client is followed by its authentication level — NONE for
 * a local callback without Kerberos, the broker's stated level otherwise — which
 * CALLBACK-AUTH-LEVEL judges.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBroker, RPC_C_AUTHN_LEVEL_PKT_PRIVACY } from '../brokers/reference-broker.ts';
import type { TraceEvent, TraceHeader } from '../trace/event.ts';
import { runOnce } from './run.ts';
import type { OutOfProcess } from './workload.ts';
import { parseWorkload } from './workloads.ts';

const RPC_C_AUTHN_LEVEL_NONE = 1;

function remoteQuery(outOfProcess?: OutOfProcess) {
  return parseWorkload(JSON.stringify({
    version: 1, name: 'remote-query', ...(outOfProcess ? { outOfProcess } : {}),
    sinks: [{ id: 's1' }], calls: [{ id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 2 }],
  }), 'remote-query');
}

function run(outOfProcess: OutOfProcess | undefined, broker = new ReferenceBroker()) {
  const r = runOnce({ impl: 'reference', broker, workload: remoteQuery(outOfProcess), seed: 1, keepTrace: true });
  const header = r.trace![0] as TraceHeader;
  const events = r.trace!.slice(1) as TraceEvent[];
  const verdict = r.judge.results.find((x) => x.rule === 'CALLBACK-AUTH-LEVEL')!.verdict;
  return { r, header, events, verdict, warnings: r.judge.warnings.filter((f) => f.rule === 'CALLBACK-AUTH-LEVEL') };
}

describe('a broker in another process', () => {
  it('the reference broker calls back at RPC_C_AUTHN_LEVEL_PKT_PRIVACY: CALLBACK-AUTH-LEVEL holds', () => {
    const { r, header, events, verdict, warnings } = run({});
    expect(header.inProcess).toBe(false);
    const callbacks = events.filter((e) => e.type === 'indicate.entered' || e.type === 'setstatus.entered');
    const markers = events.filter((e) => e.type === 'marker.auth-level');
    expect(callbacks.length).toBe(3);
    expect(markers.map((e) => [e.cb, e.level])).toEqual(callbacks.map((e) => [e.cb, RPC_C_AUTHN_LEVEL_PKT_PRIVACY]));
    expect(verdict).toBe('held');
    expect(warnings).toEqual([]);
    expect(r.judge.conformant).toBe(true);
  });

  it('a broker that calls back at NONE where anonymous callbacks are not allowed is warned', () => {
    const { r, verdict, warnings } = run({}, new ReferenceBroker({ callbackAuthLevel: RPC_C_AUTHN_LEVEL_NONE }));
    expect(verdict).toBe('violated');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]!.explanation).toMatch(/authentication level 1 \(NONE\)/);
    // A `should` rule: a warning, not a violation of conformance.
    expect(r.judge.violations).toEqual([]);
  });

  it('a callback at NONE is accepted where the broker\'s machine allows anonymous callbacks', () => {
    const { events, verdict, warnings } = run({ anonymousCallbacks: true }, new ReferenceBroker({ callbackAuthLevel: RPC_C_AUTHN_LEVEL_NONE }));
    expect(events.filter((e) => e.type === 'marker.auth-level').every((e) => e.anonymousAllowed === true)).toBe(true);
    expect(verdict).toBe('held');
    expect(warnings).toEqual([]);
  });

  it('local callbacks without Kerberos come at NONE and are exempt', () => {
    const { events, verdict, warnings } = run({ local: true });
    const markers = events.filter((e) => e.type === 'marker.auth-level');
    expect(markers.length).toBe(3);
    expect(markers.every((e) => e.level === RPC_C_AUTHN_LEVEL_NONE && e.local === true)).toBe(true);
    expect(verdict).toBe('not exercised');
    expect(warnings).toEqual([]);
  });

  it('without `outOfProcess` the broker is where it says it is, and no level is marked', () => {
    const { header, events, verdict } = run(undefined);
    expect(header.inProcess).toBe(true);
    expect(events.filter((e) => e.type === 'marker.auth-level')).toEqual([]);
    expect(verdict).toBe('not exercised');
  });
});
