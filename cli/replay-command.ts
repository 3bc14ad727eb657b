/**
 * `wbemsim replay TOKEN`: re-runs one run exactly from its replay token and prints its verdict and
 * findings. Tokens printed by `run`, `explore`, `checkConformance`, a failing property and reports
 * all work; `--impl` names the implementation when the token's (a library user's factory) cannot
 * be resolved by name. A token that does not parse, names an unknown implementation or workload,
 * or whose steps are no longer those recorded (the model changed since) is bad input: exit 2.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { BrokerFactory } from '../sim/broker-adapter.ts';
import { BrokerFailure } from '../sim/broker-adapter.ts';
import { decodeToken, TokenError, type ReplaySpec } from '../sim/replay-token.ts';
import { replay } from '../sim/replay.ts';
import { ReplayDivergence, type RunResult } from '../sim/run.ts';
import { resultOfReplay } from '../report/results-of-runs.ts';
import { replayFindingLines, replayText } from '../report/text.ts';
import { verdictLine } from '../report/report-result.ts';
import { jsonText } from '../report/json.ts';
import { notStarted, resolveImplForCli } from './impl.ts';
import { exitCodeFor, FAIL_ON, parseFailOn } from './exit-code.ts';
import { checkOutputs } from './options.ts';
import { UsageError } from './usage-error.ts';
import { runTask } from './interrupt.ts';
import type { ReplayResult } from './tasks.ts';

/**
 * Re-runs the token's run strictly; throws UsageError (exit 2) for a bad or diverging token, or
 * a broker that does not start. `stop` (a stop request, polled between steps) cuts the run short:
 * it then ends `stopped`.
 */
export function replayToken(token: string, factory: BrokerFactory, stop?: () => boolean): RunResult {
  const started: BrokerFactory = () => {
    try {
      return factory();
    } catch (err) {
      if (err instanceof BrokerFailure) throw notStarted(err);
      throw err;
    }
  };
  try {
    return replay(token, started, stop);
  } catch (err) {
    if (err instanceof TokenError) throw new UsageError(err.message);
    if (err instanceof ReplayDivergence) throw new UsageError(`replay token ${err.message} (the model or the implementation changed since it was made)`);
    throw err;
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

/** The outcome of a replayed run (report/result.ts decides it): a run a bound stopped is cut. */
export function replayOutcome(r: RunResult) {
  return resultOfReplay(r).outcome;
}

/** The `--json` shape of a replayed run as `wbemsim scenario` shows it. */
export function replayJson(r: RunResult) {
  const outcome = replayOutcome(r);
  return {
    conformant: outcome.conformant, conclusive: outcome.conclusive, cut: outcome.cut, token: r.token, impl: r.impl, workload: r.workload,
    strategy: r.strategy, seed: r.seed, steps: r.steps, end: r.end,
    violations: r.judge.violations, warnings: r.judge.warnings, inconclusive: r.judge.inconclusive, lint: r.judge.lint,
    monitor: r.monitor,
  };
}

/** One block per finding of one run; a rejection by the lifecycle machine in words. */
export function runFindingLines(r: RunResult): string[] {
  return replayFindingLines(resultOfReplay(r));
}

/** The verdict line of one run. */
export function runVerdictLine(r: RunResult): string {
  return verdictLine(resultOfReplay(r));
}

/** Registers `wbemsim replay`. */
export function registerReplay(program: Command, setCode: (code: number) => void): void {
  program
    .command('replay')
    .description('Re-run one run exactly from its replay token and judge it again.')
    .argument('<token>', 'a wbs2.… replay token (wbs1.… ones still work), as printed by run, explore, checkConformance, a failing property or a report')
    .option('--impl <impl>', 'the implementation to replay against, instead of the one the token names: module:PATH for a token made from your own factory (checkConformance)')
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
      const impl: string = opts.impl ?? spec.impl;
      await resolveImplForCli(impl, {}, opts.impl !== undefined ? '' : 'replay token: ', opts.impl !== undefined ? undefined : 'a token made from your own factory (checkConformance) replays with --impl module:PATH');
      // The run is made in a worker thread, so that Ctrl-C can stop it (cli/interrupt.ts).
      const { run: r, interrupted } = await runTask<ReplayResult>('replay', { token, impl });
      if (!r) {
        process.stdout.write(opts.json ? JSON.stringify({ partial: true, interrupted: true, steps: 0 }, null, 2) + '\n' : 'PARTIAL: interrupted before the run started; nothing was judged\n');
        return;
      }
      if (opts.trace) writeFileSync(opts.trace, r.trace!.map((l) => JSON.stringify(l)).join('\n') + '\n');
      // One result for the text and --json.
      const result = resultOfReplay(r, [], interrupted);
      process.stdout.write(opts.json ? jsonText(result) : replayText(result));
      setCode(exitCodeFor(result.outcome, failOn, opts.allowCut === true));
    });
}
