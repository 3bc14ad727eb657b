import { describe, expect, it } from 'vitest';
import { Monitor } from '../specs/monitor.ts';
import type { TraceEvent, UnnumberedEvent } from '../trace/event.ts';
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import type { BrokerInput, BrokerOutput } from './broker-adapter.ts';
import { ReferenceBroker } from '../brokers/reference-broker.ts';
import { formatCampaign } from '../report/campaign-text.ts';
import { runMany } from './campaign.ts';
import { builtinWorkloads } from './workloads.ts';

/** Feeds events (numbered here) to a monitor and returns the rules it reports. */
function judge(annotated: boolean, events: UnnumberedEvent[]): string[] {
  const m = new Monitor({ annotated });
  events.forEach((e, i) => m.event({ seq: i + 1, ...e } as TraceEvent));
  return [...new Set(m.rejections.flatMap((r) => r.rules))].sort();
}

const call = (id: string, sink = 's'): UnnumberedEvent[] => [
  { type: 'call.entered', call: id, op: 'ExecQueryAsync', services: 'svc', sink, flags: 0 },
  { type: 'call.returned', call: id, hr: 0 },
];
const ind = (cb: string, c: string): UnnumberedEvent => ({ type: 'indicate.entered', cb, sink: 's', call: c, count: 1 });
const iret = (cb: string): UnnumberedEvent => ({ type: 'indicate.returned', cb, ret: 0 });
const fin = (cb: string, c: string, hResult = 0): UnnumberedEvent => ({ type: 'setstatus.entered', cb, sink: 's', call: c, lFlags: 0, hResult, errorObject: false });
const sret = (cb: string): UnnumberedEvent => ({ type: 'setstatus.returned', cb, ret: 0 });

describe('the lifecycle monitor without annotations', () => {
  // A broker that does not annotate overlaps the cancelled final status with an Indicate in progress.
  const overlap: UnnumberedEvent[] = [
    ...call('c1'), ind('i1', 'c1'), { type: 'cancel.entered', cancel: 'k', services: 'svc', sink: 's' },
    fin('f', 'c1', WBEM_E_CALL_CANCELLED), { type: 'cancel.returned', cancel: 'k', hr: 0 }, sret('f'), iret('i1'),
  ];

  it('places the unseen cancel processing where the trace allows, and accepts a legal overlap', () => {
    expect(judge(false, overlap)).toEqual([]);
  });

  it('is exact when the broker says it annotates, and then the same trace breaks ONE-CALLBACK-AT-A-TIME', () => {
    expect(judge(true, overlap)).toEqual(['ONE-CALLBACK-AT-A-TIME']);
  });

  it('convicts only what every placement breaks: a new Indicate after the cancel returned, whose predecessor returned after it', () => {
    const late: UnnumberedEvent[] = [
      ...call('c1'), ind('i1', 'c1'), { type: 'cancel.entered', cancel: 'k', services: 'svc', sink: 's' },
      { type: 'cancel.returned', cancel: 'k', hr: 0 }, iret('i1'), ind('i2', 'c1'), iret('i2'), fin('f', 'c1'), sret('f'),
    ];
    expect(judge(false, late)).toEqual(['CANCELLED-STATUS', 'NO-CALLBACKS-AFTER-CANCEL']);
  });

  it('accepts a final status that may have won the race against the cancel', () => {
    const race: UnnumberedEvent[] = [
      ...call('c1'), { type: 'cancel.entered', cancel: 'k', services: 'svc', sink: 's' }, fin('f', 'c1'),
      { type: 'cancel.returned', cancel: 'k', hr: 0 }, sret('f'),
    ];
    expect(judge(false, race)).toEqual([]);
  });

  it('does not apply a cancel that failed (a sink it does not know)', () => {
    const failedCancel: UnnumberedEvent[] = [
      ...call('c1'), { type: 'cancel.entered', cancel: 'k', services: 'svc', sink: 's' },
      { type: 'cancel.returned', cancel: 'k', hr: 0x80041002 }, ind('i1', 'c1'), iret('i1'), fin('f', 'c1'), sret('f'),
    ];
    expect(judge(false, failedCancel)).toEqual([]);
  });
});

describe('the lifecycle monitor over a broker that does not annotate', () => {
  it('accepts every trace of the reference broker with its annotations removed', () => {
    const strip = (out: BrokerOutput[]) => out.filter((o) => o.kind !== 'cancel-processed' && o.kind !== 'final-decided');
    class Silent extends ReferenceBroker {
      constructor() {
        super({ name: 'silent' });
        Object.assign(this.info, { annotates: false });
      }
      override input(msg: BrokerInput): BrokerOutput[] { return strip(super.input(msg)); }
      override step(id: string): BrokerOutput[] { return strip(super.step(id)); }
    }
    const c = runMany({ impl: 'silent', factory: () => new Silent(), workloads: builtinWorkloads(), strategy: 'random', seed: 1, runs: 60 });
    expect(c.conformant, formatCampaign(c)).toBe(true);
  });
});
