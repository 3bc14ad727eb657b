/**
 * Where a step's time goes: the parts of the full pipeline timed alone over the same runs as the
 * bare loop (same workload, same seeds), each as steps per second of those runs. The parts are
 * the simulation (scheduler, world, reference broker: what produces the trace), the lifecycle
 * monitor over the recorded traces, and the judge (every check of specs/) over them; the full
 * pipeline adds the glue (sequence numbers, replay token, campaign folding).
 */
import type { BrokerAdapter } from '../sim/broker-adapter.ts';
import { createJudge } from '../specs/judge.ts';
import { Monitor } from '../specs/monitor.ts';
import { Prng } from '../sim/prng.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_WATCHDOG } from '../sim/run.ts';
import { Scheduler } from '../sim/scheduler.ts';
import { RandomStrategy } from '../sim/strategy.ts';
import { World } from '../sim/world.ts';
import type { Workload } from '../sim/workload.ts';
import type { TraceEvent, TraceHeader } from '../trace/event.ts';
import type { BareRecording } from './bare.ts';

/** A part of the pipeline: one pass over the recorded runs, returning their steps. */
export interface Layer {
  name: string;
  pass: () => { runs: number; steps: number };
}

export function pipelineLayers(rec: BareRecording, broker: BrokerAdapter, workload: Workload, seed: number): Layer[] {
  const done = { runs: rec.runs, steps: rec.steps };
  return [
    {
      // Same seeds and strategy as runOnce's default, so the same runs; events are produced, not consumed.
      name: 'simulation alone (scheduler, world, reference broker)',
      pass: () => {
        let steps = 0;
        for (let i = 0; i < rec.runs; i++) {
          const world = new World(workload, broker, { watchdog: DEFAULT_WATCHDOG });
          const scheduler = new Scheduler(new RandomStrategy(new Prng(seed + i)));
          scheduler.run(world, { maxSteps: DEFAULT_MAX_STEPS });
          steps += scheduler.steps;
        }
        return { runs: rec.runs, steps };
      },
    },
    {
      name: 'lifecycle monitor alone (over the recorded traces)',
      pass: () => {
        for (const trace of rec.traces) {
          const monitor = new Monitor();
          for (let k = 1; k < trace.length; k++) monitor.event(trace[k] as TraceEvent);
        }
        return done;
      },
    },
    {
      name: 'judge alone: every check of specs/ (over the recorded traces)',
      pass: () => {
        // One judge reset between traces, as the pipeline's runs use it (sim/run.ts).
        const judge = createJudge({ reusable: true });
        for (const trace of rec.traces) {
          judge.begin(trace[0] as TraceHeader);
          for (let k = 1; k < trace.length; k++) judge.event(trace[k] as TraceEvent);
          judge.finish();
          judge.reset();
        }
        return done;
      },
    },
  ];
}
