/**
 * How much work each table does. The default finishes all eight tables in under five minutes on two
 * cores; `--quick` is a tiny budget for the smoke test (its figures mean nothing).
 */
export interface Budget {
  name: 'default' | 'quick';
  /** Repetitions of each timed figure (the table shows their median). */
  reps: number;
  /** Untimed warm-up of each contender before the first repetition, ms. */
  warmupMs: number;
  /** Time per repetition: wbemsim's pipeline, the fast-check alternative, the bare loop, ms. */
  pipelineMs: number;
  alternativeMs: number;
  bareMs: number;
  /** Full-pipeline runs recorded for the bare loop. */
  bareRuns: number;
  /** Exhaustive exploration: repetitions and the state bound (undefined: the explorer's default). */
  exploreReps: number;
  exploreMaxStates?: number;
  /** Mutants: seeds per strategy, and rounds (one run per workload each) per seed at most. */
  mutantSeeds: number;
  mutantRounds: number;
  /** Mutants: state bound per exhaustive search (0 skips the exhaustive column). */
  mutantMaxStates: number;
  /** Shrinking: runs per witness, and how many mutants (the zoo's first ones; undefined: all). */
  shrinkBudget: number;
  shrinkMutants?: number;
  /** Shrinking: only these mutants (by name), when given. */
  shrinkOnly?: string[];
  /** Shrinking: state bound of the breadth-first search for the shortest witness on the shrunk workload. */
  shortestStates: number;
  /** Scaling: call counts and time per repetition, ms. */
  scaling: number[];
  scalingMs: number;
  /** Stdio brokers: the pinned configurations explored in both modes, and repetitions of each search. */
  stdioConfigs: string[];
  stdioReps: number;
}

export const DEFAULT_BUDGET: Budget = {
  name: 'default',
  reps: 5,
  warmupMs: 500,
  pipelineMs: 1000,
  alternativeMs: 1000,
  bareMs: 250,
  bareRuns: 200,
  exploreReps: 3,
  mutantSeeds: 20,
  mutantRounds: 60,
  mutantMaxStates: 3000,
  shrinkBudget: 500,
  shortestStates: 2000,
  scaling: [1, 2, 4, 8, 16, 32, 64],
  scalingMs: 600,
  stdioConfigs: ['explore-shared-sink-cancel'],
  stdioReps: 5,
};

export const QUICK_BUDGET: Budget = {
  name: 'quick',
  reps: 2,
  warmupMs: 10,
  pipelineMs: 30,
  alternativeMs: 30,
  bareMs: 10,
  bareRuns: 5,
  exploreReps: 1,
  exploreMaxStates: 100,
  mutantSeeds: 2,
  mutantRounds: 3,
  mutantMaxStates: 50,
  shrinkBudget: 20,
  shrinkMutants: 3,
  shortestStates: 200,
  scaling: [1, 2, 8, 64],
  scalingMs: 20,
  stdioConfigs: ['explore-method-progress-wrapped'],
  stdioReps: 1,
};
