/**
 * The bare limit (table 3 of `npm run bench`): the machine transitions of real runs, replayed
 * on the compiled table with nothing else: no scheduling, no allocation, no checks.
 *
 * Recording: a run of the full pipeline keeps its trace; the trace is fed again to a fresh
 * lifecycle `Monitor` while the shared compiled machine's `step` is wrapped to log each
 * (state, event) lookup the monitor makes, i.e. exactly the transitions of that trace. Each lookup
 * is then given a call slot: a lookup from state s continues the chain of some call now in s (calls
 * in the same state are interchangeable for a table lookup), or opens a new slot from state 0.
 * Replaying: per run, reset the slots to 0 and do `st[slot] = next[st[slot] * E + e]` per lookup.
 */
import type { BrokerAdapter } from '../sim/broker-adapter.ts';
import { compiledMachine } from '../specs/compiled-machine.ts';
import { Monitor } from '../specs/monitor.ts';
import { runOnce } from '../sim/run.ts';
import type { Workload } from '../sim/workload.ts';
import type { TraceEvent, TraceLine } from '../trace/event.ts';

/** The recorded transitions of some runs, ready for the bare loop. */
export interface BareRecording {
  /** Flat (slot, event) pairs of every run, back to back. */
  pairs: Int32Array;
  /** Per run: the index in `pairs` (in pairs) where it starts; one more entry marks the end. */
  starts: Int32Array;
  /** The scheduler steps each run took in the full pipeline (the unit of the comparison). */
  steps: number;
  runs: number;
  slots: number;
  lookups: number;
  /** The recorded traces, for timing the monitor and the judge alone on the same events. */
  traces: TraceLine[][];
}

/** Records the monitor's table lookups of `runs` full-pipeline runs (seeds seed, seed+1, ...). */
export function recordTransitions(broker: BrokerAdapter, workload: Workload, seed: number, runs: number): BareRecording {
  const m = compiledMachine();
  const pairs: number[] = [];
  const starts: number[] = [];
  let steps = 0;
  let slots = 0;
  const traces: TraceLine[][] = [];
  for (let i = 0; i < runs; i++) {
    const r = runOnce({ impl: 'reference', broker, workload, seed: seed + i, keepTrace: true });
    steps += r.steps;
    traces.push(r.trace!);
    starts.push(pairs.length / 2);
    const log: number[] = [];
    const original = m.step;
    // Wrap the instance's step for this replay only (the prototype's method is untouched).
    m.step = function (s: number, e: number): number {
      log.push(s, e);
      return original.call(this, s, e);
    };
    try {
      const monitor = new Monitor();
      for (const line of r.trace!) if (line.type !== 'header') monitor.event(line as TraceEvent);
    } finally {
      delete (m as { step?: unknown }).step;
    }
    // Chain the lookups into call slots (see the module comment).
    const current: number[] = [];
    for (let k = 0; k < log.length; k += 2) {
      const s = log[k]!;
      const e = log[k + 1]!;
      let slot = current.indexOf(s);
      if (slot < 0) {
        if (s !== 0) throw new Error(`bare recording: a lookup from state ${s} continues no call`);
        slot = current.length;
        current.push(0);
      }
      current[slot] = m.next[s * m.eventCount + e]!;
      pairs.push(slot, e);
    }
    slots = Math.max(slots, current.length);
  }
  starts.push(pairs.length / 2);
  return { pairs: Int32Array.from(pairs), starts: Int32Array.from(starts), steps, runs, slots, lookups: pairs.length / 2, traces };
}

/**
 * The bare loop: replays every recorded run once on the compiled `next` table. Returns a checksum
 * of the final states so that the work cannot be optimized away.
 */
export function replayBare(rec: BareRecording, next: Int32Array, eventCount: number, st: Int32Array): number {
  const pairs = rec.pairs;
  const starts = rec.starts;
  let sum = 0;
  for (let r = 0; r < rec.runs; r++) {
    st.fill(0);
    const end = starts[r + 1]! * 2;
    for (let k = starts[r]! * 2; k < end; k += 2) {
      const slot = pairs[k]!;
      st[slot] = next[st[slot]! * eventCount + pairs[k + 1]!]!;
    }
    for (let i = 0; i < st.length; i++) sum += st[i]!;
  }
  return sum;
}
