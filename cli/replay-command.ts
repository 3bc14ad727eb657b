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
import { ImplError, resolveImpl } from '../brokers/implementations.ts';
import { decodeToken, TokenError, type ReplaySpec } from '../sim/replay-token.ts';
import { replay } from '../sim/replay.ts';
import { ReplayDivergence, type RunResult } from '../sim/run.ts';
import { exitCodeFor, FAIL_ON, parseFailOn } from './exit-code.ts';
import { UsageError } from './usage-error.ts';

/** Re-runs the token's run strictly; throws UsageError (exit 2) for a bad or diverging token. */
export function replayToken(token: string, factory: BrokerFactory): RunResult {
  try {
    return replay(token, factory);
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

/** The `--json` shape of a replayed run. */
export function replayJson(r: RunResult) {
  return {
    conformant: r.judge.conformant && r.monitor.length === 0, token: r.token, impl: r.impl, workload: r.workload,
    strategy: r.strategy, seed: r.seed, steps: r.steps, end: r.end,
    violations: r.judge.violations, warnings: r.judge.warnings, inconclusive: r.judge.inconclusive, lint: r.judge.lint,
    monitor: r.monitor,
  };
}

/** The text a person reads: what ran, each finding, the verdict. */
export function formatReplay(r: RunResult): string {
  const out = [`wbemsim replay: ${r.impl} on ${r.workload} (strategy ${r.strategy}, seed ${r.seed}), ${r.steps} steps, run ended ${r.end.reason}${r.end.detail ? ` (${r.end.detail})` : ''}`];
  for (const f of r.judge.violations) out.push(`  VIOLATED ${f.rule}: ${f.explanation}\n    events: ${f.events.join(', ') || '-'}`);
  for (const f of r.judge.warnings) out.push(`  warning ${f.rule}: ${f.explanation}`);
  for (const f of r.judge.inconclusive) out.push(`  inconclusive ${f.rule}: ${f.explanation}`);
  for (const f of r.judge.lint) out.push(`  client ${f.rule}: ${f.explanation}`);
  for (const x of r.monitor) out.push(`  REJECTED by the lifecycle machine: ${x.event} on ${x.call} (event ${x.seq}) breaks ${x.rules.join(', ')}`);
  const ok = r.judge.conformant && r.monitor.length === 0;
  out.push(ok ? 'Verdict: CONFORMANT' : `Verdict: NOT CONFORMANT (${[...new Set([...r.judge.violations.map((f) => f.rule), ...r.monitor.flatMap((x) => x.rules)])].join(', ')})`);
  out.push(`replay: wbemsim replay ${r.token}`);
  return out.join('\n') + '\n';
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
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`, '')
    .addHelpText('after', '\nExit codes: 0 no must rule violated, 1 a violation, 2 a token that does not parse or no longer replays.')
    .action(async (token: string, opts) => {
      const failOn = parseFailOn(opts.failOn);
      const spec = decode(token);
      let factory: BrokerFactory;
      try {
        factory = await resolveImpl(opts.impl ?? spec.impl);
      } catch (err) {
        if (!(err instanceof ImplError || err instanceof BrokerFailure)) throw err;
        if (opts.impl !== undefined) throw new UsageError(err.message);
        throw new UsageError(`replay token: ${err.message}; a token made from your own factory (checkConformance) replays with --impl module:PATH`);
      }
      const r = replayToken(token, factory);
      if (opts.trace) writeFileSync(opts.trace, r.trace!.map((l) => JSON.stringify(l)).join('\n') + '\n');
      process.stdout.write(opts.json ? JSON.stringify(replayJson(r), null, 2) + '\n' : formatReplay(r));
      setCode(exitCodeFor({ conformant: r.judge.conformant && r.monitor.length === 0, warnings: r.judge.warnings, inconclusive: r.judge.inconclusive, lint: r.judge.lint }, failOn));
    });
}
