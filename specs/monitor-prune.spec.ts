import { describe, expect, it } from 'vitest';
import { Monitor } from './monitor.ts';
import { parseTrace } from '../trace/reader.ts';
import type { TraceEvent } from '../trace/event.ts';

/**
 * `wbemsim check` prunes the lifecycle monitor so that its memory follows the calls open at once.
 * On a shared sink whose callbacks name no call (a black-box recording), the monitor never sees a
 * call's final status; such a call must still be forgotten once it is over for the broker.
 */
describe('the pruned monitor on an unattributed shared sink', () => {
  const lines = (copy: number, seq0: number): string[] => {
    const id = (x: string) => `${x}_${copy}`;
    const ev = [
      { type: 'sink.created', sink: id('s1') },
      { type: 'sink.addref', sink: id('s1'), count: 1, by: 'client' },
      { type: 'call.entered', call: id('c1'), op: 'ExecQueryAsync', services: id('svc'), sink: id('s1'), flags: 0 },
      { type: 'sink.addref', sink: id('s1'), count: 2, by: 'broker', call: id('c1') },
      { type: 'call.returned', call: id('c1'), hr: 0 },
      { type: 'call.entered', call: id('c2'), op: 'ExecQueryAsync', services: id('svc'), sink: id('s1'), flags: 0 },
      { type: 'sink.addref', sink: id('s1'), count: 3, by: 'broker', call: id('c2') },
      { type: 'call.returned', call: id('c2'), hr: 0 },
      { type: 'indicate.entered', cb: id('i1'), sink: id('s1'), count: 1 },
      { type: 'indicate.returned', cb: id('i1'), ret: 0 },
      { type: 'setstatus.entered', cb: id('f1'), sink: id('s1'), lFlags: 0, hResult: 0, errorObject: false },
      { type: 'setstatus.returned', cb: id('f1'), ret: 0 },
      { type: 'sink.release', sink: id('s1'), count: 2, by: 'broker', call: id('c1') },
      { type: 'setstatus.entered', cb: id('f2'), sink: id('s1'), lFlags: 0, hResult: 0, errorObject: false },
      { type: 'setstatus.returned', cb: id('f2'), ret: 0 },
      { type: 'sink.release', sink: id('s1'), count: 1, by: 'broker', call: id('c2') },
    ];
    return ev.map((e, i) => JSON.stringify({ seq: seq0 + i, ...e }));
  };

  it('forgets each call once its method returned and the broker released its reference, and rejects nothing', () => {
    const text = [
      '{"seq":0,"type":"header","format":"wbemsim-trace","version":1,"recorder":"hand","broker":{"name":"b","version":"1"},"inProcess":true,"whiteBox":false}',
      ...Array.from({ length: 50 }, (_, k) => lines(k, 1 + 16 * k)).flat(),
      `{"seq":${1 + 16 * 50},"type":"run.end","reason":"quiescent"}`,
    ].join('\n');
    const monitor = new Monitor({ annotated: false, prune: true });
    for (const line of parseTrace(text).slice(1)) monitor.event(line as TraceEvent);
    expect(monitor.rejections).toEqual([]);
    for (let k = 0; k < 50; k++) {
      expect(monitor.stateOf(`c1_${k}`)).toBeUndefined();
      expect(monitor.stateOf(`c2_${k}`)).toBeUndefined();
    }
    // Without pruning the monitor follows them all (what `wbemsim run` does, where calls are few).
    const all = new Monitor({ annotated: false });
    for (const line of parseTrace(text).slice(1)) all.event(line as TraceEvent);
    expect(all.stateOf('c1_0')).toBeDefined();
  });
});
