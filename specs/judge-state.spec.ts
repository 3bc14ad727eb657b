import { describe, expect, it } from 'vitest';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { runOnce } from '../sim/run.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import type { TraceEvent, TraceHeader, TraceLine } from '../trace/event.ts';
import { createJudge } from './judge.ts';
import { Monitor } from './monitor.ts';
import { StateSnapshotter } from './state-snapshot.ts';
import { exploreStateful } from '../sim/stateful-explorer.ts';
import { exploreWorkloads } from '../sim/explore-workloads.ts';

/**
 * The check-state contract: everything the judge and the monitor remember can be saved and
 * restored. Judging a trace straight through and judging it with a detour (save at some event,
 * feed other events, restore, go on) must give the same result for every rule.
 */
function traces(): { name: string; lines: TraceLine[] }[] {
  const out: { name: string; lines: TraceLine[] }[] = [];
  const brokers = [() => new ReferenceBroker(), ...MUTANTS.slice(0, 12).map((m) => m.create)];
  builtinWorkloads().forEach((w, i) => {
    const make = brokers[i % brokers.length]!;
    const r = runOnce({ impl: 'x', broker: make(), workload: w, seed: 7 + i, keepTrace: true });
    out.push({ name: `${w.name} on ${make().info.name}`, lines: r.trace! });
  });
  return out;
}

describe('judge and monitor state, saved and restored', () => {
  it.each(traces().map((t) => [t.name, t.lines] as const))('judges %s the same after a detour to its end and back', (_name, lines) => {
    const [header, ...events] = lines as [TraceHeader, ...TraceEvent[]];
    const straight = createJudge({ keyed: true });
    const mStraight = new Monitor();
    straight.begin(header);
    for (const e of events) { straight.event(e); mStraight.event(e); }
    const expected = straight.finish();

    const j = createJudge({ keyed: true });
    const m = new Monitor();
    j.begin(header);
    const at = Math.floor(events.length / 2);
    for (const e of events.slice(0, at)) { j.event(e); m.event(e); }
    const saved = j.save();
    const savedM = m.save();
    const key = j.stateKey();
    // The detour: the rest of the trace and its end-of-run judgement, then back.
    for (const e of events.slice(at)) { j.event(e); m.event(e); }
    j.finish();
    j.restore(saved);
    m.restore(savedM);
    expect(j.stateKey()).toBe(key);
    for (const e of events.slice(at)) { j.event(e); m.event(e); }
    expect(JSON.stringify(j.finish())).toBe(JSON.stringify(expected));
    expect(JSON.stringify(m.rejections)).toBe(JSON.stringify(mStraight.rejections));
  });
});

describe('judge state restored out of order', () => {
  it('a state saved at the end of one path comes back whole after another path was judged from an earlier state', () => {
    const found = traces().find((t) => (() => { const j = createJudge({ keyed: true }); j.begin(t.lines[0] as TraceHeader); for (const e of t.lines.slice(1)) j.event(e as TraceEvent); return j.finish().violations.length > 0; })());
    expect(found, 'a trace with a violation').toBeDefined();
    const [header, ...events] = found!.lines as [TraceHeader, ...TraceEvent[]];
    const j = createJudge({ keyed: true });
    j.begin(header);
    const early = j.save();
    for (const e of events) j.event(e);
    const late = j.save();
    const expected = JSON.stringify(j.violationsSoFar());
    // Another path from the early state (as a breadth-first search goes), then the late state again.
    j.restore(early);
    for (const e of events.slice(0, 3)) j.event(e);
    j.restore(late);
    expect(JSON.stringify(j.violationsSoFar())).toBe(expected);
  });
});

describe('a judge reset and used again', () => {
  it('judges every trace as a new judge does, and leaves what it returned before as it was', () => {
    const all = traces();
    const judged = (j: ReturnType<typeof createJudge>, lines: TraceLine[]) => {
      j.begin(lines[0] as TraceHeader);
      for (const e of lines.slice(1)) j.event(e as TraceEvent);
      return j.finish();
    };
    expect(all.filter((t) => judged(createJudge(), t.lines).violations.length > 0).length, 'traces with violations').toBeGreaterThan(1);
    const reused = createJudge({ reusable: true });
    const earlier: { result: ReturnType<ReturnType<typeof createJudge>['finish']>; json: string }[] = [];
    for (const t of all) {
      const result = judged(reused, t.lines);
      expect(JSON.stringify(result), t.name).toBe(JSON.stringify(judged(createJudge(), t.lines)));
      earlier.push({ result, json: JSON.stringify(result) });
      reused.reset();
    }
    for (const e of earlier) expect(JSON.stringify(e.result)).toBe(e.json);
  });

  it('is refused to a judge not made reusable', () => {
    expect(() => createJudge().reset()).toThrow(/reusable/);
  });
});

describe('the snapshotter', () => {
  it('keeps roots and shared objects, and writes the rest back into the same objects', () => {
    const shared = { fixed: 1 };
    const rec = { n: 1 };
    const root = { list: [rec], byId: new Map([['a', rec]]), shared, count: 0 } as { list: { n: number }[]; byId: Map<string, { n: number }>; shared: object; count: number; extra?: number };
    const s = new StateSnapshotter([root], [shared]);
    const saved = s.save();
    root.list[0]!.n = 5;
    root.count = 3;
    root.extra = 1;
    s.restore(saved);
    expect(root.list[0]!.n).toBe(1);
    expect(root.list[0]).toBe(rec);
    expect(root.byId.get('a')).toBe(root.list[0]);
    expect(root.shared).toBe(shared);
    expect(root.count).toBe(0);
    expect('extra' in root).toBe(false);
  });

  it('refuses a root that inherits an enumerable field, which a save would copy as its own', () => {
    const root = Object.create({ inherited: 1 }) as { own: number };
    root.own = 2;
    expect(() => new StateSnapshotter([root])).toThrow(/inherits the enumerable field inherited/);
    class Plain { n = 1; method(): number { return this.n; } }
    expect(() => new StateSnapshotter([new Plain()])).not.toThrow();
  });

  it('refuses state it cannot enumerate', () => {
    const s = new StateSnapshotter([{ seen: new WeakSet() }]);
    expect(() => s.save()).toThrow(/WeakMap or WeakSet/);
  });

  it('shares the copy of a tracked root that did not change, and copies one that did', () => {
    const a = { list: [1] };
    const b = { list: [2] };
    const s = new StateSnapshotter([a, b], [], [], [a, b]);
    const first = s.save();
    s.touch(b);
    b.list.push(3);
    const second = s.save();
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    // Back to the first state: b is copied back, a was never changed.
    s.touch(a);
    a.list.push(9);
    s.restore(first, true);
    expect(a.list).toEqual([1]);
    expect(b.list).toEqual([2]);
    // A record both saved states hold is not taken over: the second state is still whole.
    s.touch(a);
    a.list.push(7);
    s.restore(second);
    expect(a.list).toEqual([1]);
    expect(b.list).toEqual([2, 3]);
  });

  it('copies a tracked root every time once it holds an object another root holds', () => {
    const rec = { n: 1 };
    const owner = { recs: [rec] };
    const check = { seen: [] as { n: number }[] };
    const s = new StateSnapshotter([owner, check], [], [], [check]);
    s.save();
    s.touch(check);
    check.seen.push(rec);
    const saved = s.save();
    s.save();
    rec.n = 2;
    s.restore(saved);
    // One object again after the restore, as before the save.
    expect(check.seen[0]).toBe(owner.recs[0]);
    expect(owner.recs[0]!.n).toBe(1);
  });

  it('also when the tracked root comes first and copies the shared object', () => {
    const rec = { n: 1 };
    const check = { seen: [rec] };
    const owner = { recs: [rec] };
    const s = new StateSnapshotter([check, owner], [], [], [check]);
    s.save();
    const saved = s.save();
    s.save();
    rec.n = 2;
    s.restore(saved);
    expect(owner.recs[0]).toBe(check.seen[0]);
    expect(check.seen[0]!.n).toBe(1);
  });

  it('copies every kind of object it meets, with its kind and its sharing', () => {
    class Rec {
      constructor(public n: number) {}
      twice(): number { return this.n * 2; }
    }
    const a = new Rec(1);
    const frozen = Object.freeze({ seq: 1 });
    const root = {
      byRec: new Map<Rec, Rec[]>([[a, [a]]]),
      recs: new Set([a]),
      names: new Map([['a', a]]),
      plain: new Set(['x']),
      bytes: new Uint8Array([1, 2]),
      events: [frozen],
      holes: [a, undefined, null, 3],
    };
    const s = new StateSnapshotter([root]);
    const saved = s.save();
    a.n = 9;
    root.bytes[0] = 7;
    root.plain.add('y');
    root.names.set('b', new Rec(2));
    s.restore(saved);
    const [back] = [...root.recs];
    expect(back).toBeInstanceOf(Rec);
    expect(back!.twice()).toBe(2);
    expect([...root.byRec.keys()][0]).toBe(back);
    expect(root.byRec.get(back!)![0]).toBe(back);
    expect(root.names.get('a')).toBe(back);
    expect(root.names.has('b')).toBe(false);
    expect([...root.plain]).toEqual(['x']);
    expect([...root.bytes]).toEqual([1, 2]);
    expect(root.events[0]).toBe(frozen);
    expect(root.holes).toEqual([back, undefined, null, 3]);
    expect(root.holes[0]).toBe(back);
  });

  it('restores one saved state again and again, whatever changed in between', () => {
    const rec = { n: 1, tags: ['a'] } as { n: number; tags: string[]; late?: number };
    const root = { recs: [rec], byId: new Map([['r', rec]]), seen: new Set(['x']) };
    const s = new StateSnapshotter([root]);
    const saved = s.save();
    for (let round = 0; round < 3; round++) {
      rec.n = 10 + round;
      rec.tags.push('b');
      rec.late = round;
      const made = { n: 99, tags: [], late: 0 };
      root.recs.push(made);
      root.byId.set('m', made);
      root.seen.add('y');
      s.restore(saved);
      expect(root.recs).toEqual([{ n: 1, tags: ['a'] }]);
      expect('late' in rec).toBe(false);
      expect(root.recs[0]).toBe(rec);
      expect([...root.byId.keys()]).toEqual(['r']);
      expect([...root.seen]).toEqual(['x']);
    }
  });

  it('puts a map back in its saved order, also when only its order changed', () => {
    const a = { v: 1 };
    const b = { v: 2 };
    const root = { m: new Map([['a', a], ['b', b]]), s: new Set([a, b]) };
    const snap = new StateSnapshotter([root]);
    const saved = snap.save();
    root.m.delete('a');
    root.m.set('a', a);
    root.s.delete(a);
    root.s.add(a);
    snap.restore(saved);
    expect([...root.m.keys()]).toEqual(['a', 'b']);
    expect([...root.s]).toEqual([a, b]);
  });

  it('restores a root whose fields changed between two saves, to either save', () => {
    const root = { n: 1 } as { n: number; x?: number[] };
    const s = new StateSnapshotter([root]);
    const first = s.save();
    root.x = [1];
    const second = s.save();
    root.n = 5;
    root.x.push(2);
    s.restore(second);
    expect(root).toEqual({ n: 1, x: [1] });
    s.restore(first);
    expect(root).toEqual({ n: 1 });
    root.n = 7;
    s.restore(first);
    expect(root).toEqual({ n: 1 });
  });

  it('writes back records of many shapes that share their first field', () => {
    const recs = Array.from({ length: 12 }, (_, i) => ({ a: i, [`k${i}`]: i }) as Record<string, number>);
    const root = { recs };
    const s = new StateSnapshotter([root]);
    const saved = s.save();
    recs.forEach((r, i) => { r.a = -1; r[`k${i}`] = -1; r.extra = 1; });
    s.restore(saved);
    expect(recs).toEqual(Array.from({ length: 12 }, (_, i) => ({ a: i, [`k${i}`]: i })));
  });

  it('puts back a field deleted since the save in its saved place', () => {
    const thread = { id: 't1', wait: { kind: 'call' }, hr: 0 } as { id: string; wait?: object; hr: number };
    const root = { threads: [thread] };
    const s = new StateSnapshotter([root]);
    s.save();
    const saved = s.save();
    delete thread.wait;
    thread.hr = 5;
    s.restore(saved);
    expect(Object.keys(thread)).toEqual(['id', 'wait', 'hr']);
    expect(thread).toEqual({ id: 't1', wait: { kind: 'call' }, hr: 0 });
  });

  it('refuses to write into an object frozen since the save, on every path', () => {
    const rec = { n: 1 };
    const list = [1];
    const root = { rec, list };
    const s = new StateSnapshotter([root]);
    s.save();
    const saved = s.save();
    rec.n = 2;
    Object.freeze(rec);
    expect(() => s.restore(saved)).toThrow(TypeError);
    const other = { rec: { n: 1 }, list };
    const t = new StateSnapshotter([other]);
    const kept = t.save();
    list.push(2);
    Object.freeze(list);
    expect(() => t.restore(kept)).toThrow(TypeError);
  });

  it('in verify mode, names the field of a reached object that changed without saying so', () => {
    const a = { inner: { n: 1 } };
    const s = new StateSnapshotter([a], [], [], [a]);
    s.verify = true;
    s.save();
    a.inner.n = 2;
    expect(() => s.save()).toThrow(/changed without touch: object 0 it reaches \(Object\)\.n: 1 != 2/);
  });

  it('in verify mode, names a tracked root that changed without saying so', () => {
    const a = { n: 1 };
    const s = new StateSnapshotter([a], [], [], [a]);
    s.verify = true;
    s.save();
    a.n = 2;
    expect(() => s.save()).toThrow(/changed without touch: .n: 1 != 2/);
  });
});

describe('the judge announces every change to its checks', () => {
  it.each(['explore-method-progress-wrapped', 'explore-shared-sink-cancel'])('so a stateful search on %s with every shared copy verified finds no difference', (name) => {
    const w = exploreWorkloads().find((x) => x.name === name)!;
    for (const m of [{ name: 'reference', create: () => new ReferenceBroker() }, ...MUTANTS.filter((x) => ['final-overlaps-indicate', 'double-final', 'cancels-latest-only', 'late-callbacks'].includes(x.name))]) {
      const plain = exploreStateful({ impl: m.name, broker: m.create(), workload: w, maxStates: 1500 });
      const verified = exploreStateful({ impl: m.name, broker: m.create(), workload: w, maxStates: 1500, verifySaves: true });
      expect(verified.violations.map((v) => `${v.by}:${v.rule}`)).toEqual(plain.violations.map((v) => `${v.by}:${v.rule}`));
      expect(verified.states).toBe(plain.states);
    }
  });
});

describe('the judge\'s key', () => {
  // Two orders of the same events up to a point: a call on another sink entered before the
  // cancel (A) or after it (B). Equal keys would let a search merge them, yet a broker release
  // of that sink while the cancel runs breaks CANCEL-SPARES-OTHER-SINKS after A only.
  const header: TraceHeader = { seq: 0, type: 'header', format: 'wbemsim-trace', version: 2, recorder: 'simulation', broker: { name: 'b', version: '1' }, inProcess: true, whiteBox: true };
  const prefix = [
    { type: 'sink.created', sink: 's1' }, { type: 'sink.created', sink: 's2' },
    { type: 'call.entered', call: 'c1', op: 'ExecQueryAsync', services: 'svc', sink: 's1', flags: 0 },
    { type: 'sink.addref', sink: 's1', count: 2, by: 'broker', call: 'c1' },
    { type: 'call.returned', call: 'c1', hr: 0 },
  ];
  const c2 = [
    { type: 'call.entered', call: 'c2', op: 'ExecQueryAsync', services: 'svc', sink: 's2', flags: 0 },
    { type: 'sink.addref', sink: 's2', count: 2, by: 'broker', call: 'c2' },
  ];
  const cancel = { type: 'cancel.entered', cancel: 'k1', services: 'svc', sink: 's1' };
  const returned = { type: 'call.returned', call: 'c2', hr: 0 };
  const then = [{ type: 'sink.release', sink: 's2', count: 1, by: 'broker' }, { type: 'cancel.returned', cancel: 'k1', hr: 0 }];
  const judged = (events: object[]) => {
    const j = createJudge({ keyed: true });
    j.begin(header);
    let seq = 0;
    const feed = (list: object[]) => { for (const e of list) j.event({ seq: ++seq, t: seq, ...e } as TraceEvent); };
    feed(events);
    const key = j.stateKey();
    feed(then);
    return { key, spares: j.finish().results.find((r) => r.rule === 'CANCEL-SPARES-OTHER-SINKS')!.verdict };
  };

  it('tells apart a callback in progress at a cancel\'s entry from a later one on the cancel\'s sink, not on another sink', () => {
    const keyAfter = (events: object[]) => {
      const j = createJudge({ keyed: true });
      j.begin(header);
      let seq = 0;
      for (const e of events) j.event({ seq: ++seq, t: seq, ...e } as TraceEvent);
      return j.stateKey();
    };
    const both = [...prefix, ...c2, returned];
    for (const [call, sink, split] of [['c2', 's2', false], ['c1', 's1', true]] as const) {
      const entered = { type: 'indicate.entered', cb: `${call}#1`, sink, call, count: 1 };
      const back = { type: 'indicate.returned', cb: `${call}#1`, ret: 0, call };
      const before = keyAfter([...both, entered, cancel, back]);
      const after = keyAfter([...both, cancel, entered, back]);
      expect(before !== after, `${call} on ${sink}`).toBe(split);
    }
  });

  it('keeps whether a call was returned or still running at a cancel\'s entry on the cancel\'s sink, and only whether it was pending on another', () => {
    const keyAfter = (events: object[]) => {
      const j = createJudge({ keyed: true });
      j.begin(header);
      let seq = 0;
      for (const e of events) j.event({ seq: ++seq, t: seq, ...e } as TraceEvent);
      return j.stateKey();
    };
    // c2 on s2, another sink than the cancel's: returned before the entry or after it, pending both times.
    expect(keyAfter([...prefix, ...c2, returned, cancel])).toBe(keyAfter([...prefix, ...c2, cancel, returned]));
    // ... but not when it failed to start before the entry: then it had ended.
    const failedReturn = { ...returned, hr: 0x80041001 };
    expect(keyAfter([...prefix, ...c2, failedReturn, cancel])).not.toBe(keyAfter([...prefix, ...c2, cancel, failedReturn]));
    // c3 on the cancel's own sink: whether it was covered (returned) at the entry stays in the key.
    const c3 = [{ type: 'call.entered', call: 'c3', op: 'ExecQueryAsync', services: 'svc', sink: 's1', flags: 0 }, { type: 'sink.addref', sink: 's1', count: 3, by: 'broker', call: 'c3' }];
    const c3Returned = { type: 'call.returned', call: 'c3', hr: 0 };
    expect(keyAfter([...prefix, ...c3, c3Returned, cancel])).not.toBe(keyAfter([...prefix, ...c3, cancel, c3Returned]));
  });

  it('forgets a call compared with a cancel\'s entry once its final status is back, but not whether another sink had a pending call then', () => {
    const keyAfter = (events: object[]) => {
      const j = createJudge({ keyed: true });
      j.begin(header);
      let seq = 0;
      for (const e of events) j.event({ seq: ++seq, t: seq, ...e } as TraceEvent);
      return j.stateKey();
    };
    const finalOf = (call: string, sink: string) => [
      { type: 'setstatus.entered', cb: `${call}#1f`, sink, call, lFlags: 0, hResult: 0, errorObject: false },
      { type: 'setstatus.returned', cb: `${call}#1f`, ret: 0, call },
    ];
    // c3 on the cancel's own sink, still in its method at the entry (A) or entered after it (B).
    const c3 = [{ type: 'call.entered', call: 'c3', op: 'ExecQueryAsync', services: 'svc', sink: 's1', flags: 0 }];
    const c3Returned = { type: 'call.returned', call: 'c3', hr: 0 };
    const a = [...prefix, ...c3, cancel, c3Returned];
    const b = [...prefix, cancel, ...c3, c3Returned];
    expect(keyAfter(a)).not.toBe(keyAfter(b));
    expect(keyAfter([...a, ...finalOf('c3', 's1')])).toBe(keyAfter([...b, ...finalOf('c3', 's1')]));
    // c2 on another sink, pending at the entry or entered after it: finished, the cancel's situation still differs.
    const a2 = [...prefix, ...c2, cancel, returned, ...finalOf('c2', 's2')];
    const b2 = [...prefix, cancel, ...c2, returned, ...finalOf('c2', 's2')];
    expect(keyAfter(a2)).not.toBe(keyAfter(b2));
  });

  it('tells apart a call entered before a running cancel from one entered after it', () => {
    const a = judged([...prefix, ...c2, cancel, returned]);
    const b = judged([...prefix, cancel, ...c2, returned]);
    expect(a.spares).toBe('violated');
    expect(b.spares).not.toBe('violated');
    expect(a.key).not.toBe(b.key);
  });
});
