/**
 * `wbemsim replay TOKEN`: re-runs one run exactly from its replay token (CORE-NOTES 11, STYLE 14)
 * and prints its verdict and findings. Tokens printed by `run`, `explore`, a failing property and
 * reports all work. A token that does not parse, names an unknown implementation or workload, or
 * whose choices no longer fit the run (the model changed since) is bad input: exit 2.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { BrokerFactory } from '../sim/broker-adapter.ts';
import { BrokerFailure } from '../sim/broker-adapter.ts';
import { resolveWorkload } from '../sim/explore-workloads.ts';
import { decodeToken, TokenError, type ReplaySpec } from '../sim/replay-token.ts';
import { ReplayDivergence, runOnce, type RunResult } from '../sim/run.ts';
import { parseWorkload, WorkloadError } from '../sim/workloads.ts';
import type { Workload } from '../sim/workload.ts';
import { decideOutcome } from '../report/result.ts';
import { notStarted, resolveImplForCli } from './impl.ts';
import { exitCodeFor, FAIL_ON, parseFailOn } from './exit-code.ts';
import { checkOutputs } from './options.ts';
import { UsageError } from './usage-error.ts';
import { inert, inertLines } from '../report/inert.ts';
import { runTask } from './interrupt.ts';
import type { ReplayResult } from './tasks.ts';

/**
 * Re-runs the token's run strictly; throws UsageError (exit 2) for a bad or diverging token.
 * `stop` (a stop request, polled between steps) cuts the run short: it then ends `stopped`.
 */
export function replayToken(token: string, factory: BrokerFactory, stop?: () => boolean): RunResult {
  const spec = decode(token);
  let broker;
  try {
    broker = factory();
  } catch (err) {
    if (err instanceof BrokerFailure) throw notStarted(err);
    throw err;
  }
  try {
    const r = runOnce({
      impl: spec.impl, broker, workload: workloadOf(spec), seed: spec.seed, choices: spec.choices, strict: true,
      maxSteps: spec.maxSteps, watchdog: spec.watchdog, depth: spec.depth, keepTrace: true, shouldStop: stop,
      // Named as the original strategy so that the replay's token is the token replayed.
      strategy: { name: spec.strategy, choose: () => 0 },
    });
    if (r.end.reason === 'stopped' && stop?.()) return r;
    if (r.choices.length !== spec.choices.length) {
      throw new UsageError(`replay token diverges: the run ended after ${r.choices.length} of its ${spec.choices.length} recorded choices (the model or the implementation changed since it was made)`);
    }
    return r;
  } catch (err) {
    if (err instanceof ReplayDivergence) throw new UsageError(`replay token diverges: ${err.message} (the model or the implementation changed since it was made)`);
    throw err;
  } finally {
    broker.close?.();
  }
}

/** The token's spec, or a UsageError naming what is wrong with it. */
function decode(token: string): ReplaySpec {
  try {
    return decodeToken(token);
  } catch (err) {
    if (err instanceof TokenError) throw new UsageError(err.message);
    throw err;
  }
}

function workloadOf(spec: ReplaySpec): Workload {
  try {
    return typeof spec.workload === 'string' ? resolveWorkload(spec.workload) : parseWorkload(JSON.stringify(spec.workload), 'the replay token\'s workload');
  } catch (err) {
    if (err instanceof WorkloadError) throw new UsageError(`replay token: ${err.message}`);
    throw err;
  }
}

/** The outcome of a replayed run (report/result.ts decides it): a run a bound stopped is cut. */
export function replayOutcome(r: RunResult) {
  return decideOutcome({
    violations: [...r.judge.violations, ...r.monitor], runs: 1, cutRuns: r.end.reason === 'bound' || r.end.reason === 'stopped' ? 1 : 0,
    brokerFailures: r.end.reason === 'crash' || r.end.reason === 'timeout' || r.end.reason === 'protocol-error' ? 1 : 0,
    warnings: r.judge.warnings, inconclusive: r.judge.inconclusive, lint: r.judge.lint,
  });
}

/** The `--json` shape of a replayed run. */
export function replayJson(r: RunResult) {
  const outcome = replayOutcome(r);
  return {
    conformant: outcome.conformant, conclusive: outcome.conclusive, cut: outcome.cut, token: r.token, impl: r.impl, workload: r.workload,
    strategy: r.strategy, seed: r.seed, steps: r.steps, end: r.end,
    violations: r.judge.violations, warnings: r.judge.warnings, inconclusive: r.judge.inconclusive, lint: r.judge.lint,
    monitor: r.monitor,
  };
}

/** The text a person reads: what ran, each finding, the verdict. */
export function formatReplay(r: RunResult): string {
  const out = [`wbemsim replay: ${inert(r.impl)} on ${inert(r.workload)} (strategy ${inert(r.strategy)}, seed ${r.seed}), ${r.steps} steps, run ended ${r.end.reason}${r.end.detail ? ` (${inertLines(r.end.detail)})` : ''}`];
  for (const f of r.judge.violations) out.push(`  VIOLATED ${inert(f.rule)}: ${inert(f.explanation)}\n    events: ${f.events.join(', ') || '-'}`);
  for (const f of r.judge.warnings) out.push(`  warning ${inert(f.rule)}: ${inert(f.explanation)}`);
  for (const f of r.judge.inconclusive) out.push(`  inconclusive ${inert(f.rule)}: ${inert(f.explanation)}`);
  for (const f of r.judge.lint) out.push(`  client ${inert(f.rule)}: ${inert(f.explanation)}`);
  for (const x of r.monitor) out.push(`  REJECTED by the lifecycle machine: ${inert(x.event)} on ${inert(x.call)} (event ${x.seq}) breaks ${x.rules.join(', ')}`);
  const outcome = replayOutcome(r);
  out.push(outcome.conformant ? (outcome.conclusive ? 'Verdict: CONFORMANT' : 'Verdict: NOT CONCLUSIVE: 1 of 1 run cut') : `Verdict: NOT CONFORMANT (${[...new Set([...r.judge.violations.map((f) => f.rule), ...r.monitor.flatMap((x) => x.rules)])].join(', ')})`);
  out.push(`replay: wbemsim replay ${inert(r.token)}`);
  return out.join('\n') + '\n';
}

/** Registers `wbemsim replay`. */
export function registerReplay(program: Command, setCode: (code: number) => void): void {
  program
    .command('replay')
    .description('Re-run one run exactly from its replay token and judge it again.')
    .argument('<token>', 'a wbs1.… replay token, as printed by run, explore, a failing property or a report')
    .option('--trace <file>', 'write the run\'s trace (JSON lines)')
    .option('--json', 'print a machine-readable verdict instead of text')
    .option('--allow-cut', 'exit 0 even when the run was cut by its step bound')
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`, '')
    .addHelpText('after', '\nExit codes: 0 no must rule violated, 1 a violation, 2 a token that does not parse or no longer replays,\n130/143 interrupted by Ctrl-C/SIGTERM (the summary printed is marked PARTIAL).')
    .action(async (token: string, opts) => {
      checkOutputs({ '--trace': opts.trace });
      const failOn = parseFailOn(opts.failOn);
      const spec = decode(token);
      // An unknown implementation is bad usage, found here before the work starts.
      await resolveImplForCli(spec.impl, {}, 'replay token: ');
      // The run is made in a worker thread, so that Ctrl-C can stop it (cli/interrupt.ts).
      const { run: r, interrupted } = await runTask<ReplayResult>('replay', { token });
      if (!r) {
        process.stdout.write(opts.json ? JSON.stringify({ partial: true, interrupted: true, steps: 0 }, null, 2) + '\n' : 'PARTIAL: interrupted before the run started; nothing was judged\n');
        return;
      }
      if (opts.trace) writeFileSync(opts.trace, r.trace!.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const partial = `PARTIAL: interrupted after ${r.steps} of the token's steps; the verdict covers only those\n`;
      process.stdout.write(opts.json ? JSON.stringify({ ...replayJson(r), ...(interrupted ? { partial: true, interrupted: true } : {}) }, null, 2) + '\n'
        : (interrupted ? partial : '') + formatReplay(r));
      setCode(exitCodeFor(replayOutcome(r), failOn, opts.allowCut === true));
    });
}
