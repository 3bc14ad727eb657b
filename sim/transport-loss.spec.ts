/**
 * The `transport-loss` action: once the connection to the broker is lost nothing the broker
 * starts reaches the client, the client's later calls and cancels fail with RPC_E_DISCONNECTED
 * without reaching the broker, and a conformant broker is still judged conformant
 * (TRANSPORT-FAILURE is used).
 */
import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import type { TraceEvent } from '../trace/event.ts';
import { RPC_E_DISCONNECTED } from '../trace/hresult.ts';
import { runOnce } from './run.ts';
import { parseWorkload } from './workloads.ts';

const workload = parseWorkload(JSON.stringify({
  version: 1, name: 'transport-loss', sinks: [{ id: 's1' }, { id: 's2' }],
  calls: [
    { id: 'c1', op: 'ExecQueryAsync', sink: 's1', objects: 4 },
    { id: 'c2', op: 'ExecQueryAsync', sink: 's2', objects: 1, after: 'c1' },
  ],
  actions: [{ kind: 'transport-loss', after: 'c1' }, { kind: 'cancel', id: 'k1', sink: 's1', after: 'c1' }],
}), 'transport-loss');

describe('transport-loss', () => {
  it('lets no callback reach the client after the marker, and fails later calls and cancels with RPC_E_DISCONNECTED', () => {
    let lossSeen = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload, seed, keepTrace: true });
      const events = r.trace!.filter((l): l is TraceEvent => l.type !== 'header');
      const lost = events.findIndex((e) => e.type === 'marker.transport-lost');
      expect(lost, `seed ${seed}`).toBeGreaterThan(0);
      const after = events.slice(lost);
      expect(after.filter((e) => e.type === 'indicate.entered' || e.type === 'setstatus.entered'), `seed ${seed}`).toEqual([]);
      for (const e of after) {
        const entered = e.type === 'call.entered' ? e.call : e.type === 'cancel.entered' ? e.cancel : undefined;
        if (entered === undefined) continue;
        const ret = after.find((x) => (x.type === 'call.returned' && x.call === entered) || (x.type === 'cancel.returned' && x.cancel === entered));
        expect(ret && 'hr' in ret ? ret.hr : undefined, `seed ${seed}: ${entered}`).toBe(RPC_E_DISCONNECTED);
        lossSeen++;
      }
      expect(r.end.reason, `seed ${seed}`).toBe('quiescent');
      expect(r.judge.violations.map((v) => v.rule), `seed ${seed}`).toEqual([]);
      expect(r.monitor, `seed ${seed}`).toEqual([]);
      // A loss after everything ended changes nothing the client sees; otherwise the freedom is used.
      const finals = new Set(events.flatMap((e) => (e.type === 'setstatus.entered' && e.lFlags === 0 && e.call ? [e.call] : [])));
      const unfinished = events.slice(0, lost).some((e) => e.type === 'call.entered' && !finals.has(e.call));
      const open = unfinished || after.some((e) => e.type === 'call.entered' || e.type === 'cancel.entered');
      if (open) expect(r.judge.results.find((x) => x.rule === 'TRANSPORT-FAILURE')!.verdict, `seed ${seed}`).toBe('used');
    }
    expect(lossSeen).toBeGreaterThan(50);
  });
});
