/**
 * EVENTS-MAY-BE-DROPPED in the reference broker: once a notification query has more undelivered
 * events than EVENT_QUEUE_LIMIT, each event beyond it may be kept (the first choice, slowing
 * down) or dropped; below the limit neither step is offered, so no workload that stays under it
 * runs differently.
 */
import { describe, expect, it } from 'vitest';
import { runOnce } from '../sim/run.ts';
import { ChoiceListStrategy } from '../sim/strategy.ts';
import { parseWorkload } from '../sim/workloads.ts';
import type { TraceEvent } from '../trace/event.ts';
import { EVENT_QUEUE_LIMIT, ReferenceBroker } from './reference-broker.ts';

const pressure = (objects: number) => parseWorkload(JSON.stringify({
  version: 1, name: 'pressure', sinks: [{ id: 's1', behaviour: 'slow', delay: 20 }],
  calls: [{ id: 'c1', op: 'ExecNotificationQueryAsync', sink: 's1', objects }],
}), 'pressure');

function delivered(choices: number[], objects: number) {
  const r = runOnce({ impl: 'reference', broker: new ReferenceBroker(), workload: pressure(objects), seed: 0, strategy: new ChoiceListStrategy(choices), keepTrace: true });
  const events = r.trace!.slice(1) as TraceEvent[];
  const count = events.reduce((n, e) => n + (e.type === 'indicate.entered' ? e.count : 0), 0);
  return { count, verdict: r.judge.results.find((x) => x.rule === 'EVENTS-MAY-BE-DROPPED')!.verdict, conformant: r.judge.conformant };
}

describe('event-queue pressure in the reference broker', () => {
  it('keeps every event when the schedule takes the first step: nothing is dropped', () => {
    expect(delivered([], EVENT_QUEUE_LIMIT + 2)).toEqual({ count: EVENT_QUEUE_LIMIT + 2, verdict: 'not exercised', conformant: true });
  });

  it('drops the event beyond the limit when the schedule chooses so: EVENTS-MAY-BE-DROPPED is used', () => {
    // The scenario events-dropped-under-queue-pressure's choices: the last one picks `drop` over `keep`.
    expect(delivered([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], EVENT_QUEUE_LIMIT + 2)).toEqual({ count: EVENT_QUEUE_LIMIT + 1, verdict: 'used', conformant: true });
  });

  it('offers neither step to a query with no more events than the limit, however the schedule goes', () => {
    const broker = new ReferenceBroker();
    let offered = 0;
    let looked = 0;
    for (let seed = 1; seed <= 100; seed++) {
      runOnce({
        impl: 'reference', broker, workload: pressure(EVENT_QUEUE_LIMIT), seed,
        onWorld: (world) => {
          const enabled = world.enabled.bind(world);
          world.enabled = () => {
            looked++;
            for (const s of broker.enabled()) if (/^(keep|drop):/.test(s.id)) offered++;
            return enabled();
          };
        },
      });
    }
    expect(looked).toBeGreaterThan(0);
    expect(offered).toBe(0);
  });
});
