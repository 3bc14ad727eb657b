/**
 * `wbemsim mutants`: the suite against every faulty broker of the zoo. Prints
 * mutant → targeted rules → killed or not → caught by → runs to detect, and the score. Exit 0 when
 * every mutant is caught by a rule it targets, 1 otherwise (a mutant caught only by other rules,
 * or by a rule the reference broker violates too, is a weakness of the suite), 2 for bad usage.
 */
import { Command, Option } from 'commander';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { DEFAULT_ZOO_RUNS, zooScoreLine, type MutantOutcome } from '../brokers/mutants/run-mutant-zoo.ts';
import { DEFAULT_SWARM_RUNS } from '../sim/workload-generator.ts';
import { decideOutcome } from '../report/result.ts';
import { exitCodeFor } from './exit-code.ts';
import { intOption, seedOption } from './options.ts';
import { UsageError } from './usage-error.ts';
import { inert } from '../report/inert.ts';
import { runTask } from './interrupt.ts';
import type { MutantsResult, MutantsTask, ShrunkMutantOutcome } from './tasks.ts';
import { ProgressLine } from './progress.ts';
import { DEFAULT_SHRINK_BUDGET } from '../sim/shrink.ts';
import { checkReportDir, fetchWitnesses } from './report-output.ts';
import { resultOfZoo } from '../report/results-of-runs.ts';
import { writeReport } from '../report/write-report.ts';

/** Registers the `mutants` command. */
export function registerMutants(program: Command, setCode: (code: number) => void): void {
  program
    .command('mutants')
    .description('Run the suite against every mutant of the zoo (faulty brokers) and say which rule catches each, and how fast.')
    .option('--runs <n>', 'budget: runs per workload for each mutant (it stops at its first catch)', intOption('--runs', 1), DEFAULT_ZOO_RUNS)
    .option('--swarm-runs <n>', `for a mutant the workloads did not catch: the swarm campaign's runs after the scenarios (0: neither)`, intOption('--swarm-runs', 0), DEFAULT_SWARM_RUNS)
    .option('--seed <n>', 'first seed; round r uses seed + r', seedOption(), 1)
    .addOption(new Option('--strategy <name>', 'how the scheduler picks the next step').choices(['random', 'pct']).default('random'))
    .option('--depth <d>', 'bug depth for PCT', intOption('--depth', 1), 3)
    .option('--only <names>', 'only these mutants (comma-separated, repeatable)', collect, [])
    .option('--report <dir>', 'write a report into this folder: index.html (the catching interleaving of each mutant), report.md, result.json, junit.xml')
    .option('--shrink-budget <runs>', 'runs each catching run\'s shrink may make (0: show the catching runs as found)', intOption('--shrink-budget', 0), DEFAULT_SHRINK_BUDGET)
    .option('--quiet', 'no progress line on stderr (it is shown only on an interactive terminal)')
    .option('--json', 'print {mutants: [{name, targets, killed, caughtBy, runsToDetect, ...}], score} instead of the table')
    .addHelpText('after', `
Exit codes: 0 every mutant caught by a rule it targets, 1 otherwise, 2 bad usage, 130/143 interrupted
by Ctrl-C/SIGTERM (the table printed is marked PARTIAL and lists the mutants finished).

Mutants: ${MUTANTS.map((m) => m.name).join(', ')}`)
    .action(async (opts: { runs: number; swarmRuns: number; seed: number; strategy: 'random' | 'pct'; depth: number; only: string[]; json?: boolean; report?: string; shrinkBudget: number; quiet?: boolean }) => {
      if (opts.report !== undefined) checkReportDir(opts.report);
      const unknown = opts.only.filter((n) => !MUTANTS.some((m) => m.name === n));
      if (unknown.length) throw new UsageError(`unknown mutant(s) ${unknown.join(', ')} (one of: ${MUTANTS.map((m) => m.name).join(', ')})`);
      // The zoo runs in a worker thread, so that Ctrl-C can stop it (cli/interrupt.ts).
      const started = performance.now();
      const progress = new ProgressLine(process.stderr, opts.quiet === true);
      const result = await runTask<MutantsResult>('mutants', {
        runs: opts.runs, swarmRuns: opts.swarmRuns, seed: opts.seed, strategy: opts.strategy, depth: opts.depth, only: opts.only, shrinkBudget: opts.shrinkBudget, progress: progress.enabled,
      } satisfies MutantsTask, progress.listener).finally(() => progress.done());
      if (opts.report !== undefined) {
        const witnesses = await fetchWitnesses(result.mutants.map((m) => m.replay), new Map(), result.mutants.length);
        writeReport(opts.report, resultOfZoo(result, witnesses, Math.round(performance.now() - started)));
      }
      process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : formatZoo(result));
      // Here the suite is on trial: a mutant not caught by a rule it targets is its failure.
      const missed = result.mutants.filter((m) => !m.byTarget || m.suspect);
      setCode(exitCodeFor(decideOutcome({ violations: missed, runs: result.mutants.length })));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** The zoo as a text table, then the misses with their evidence, then the score line. */
export function formatZoo(r: MutantsResult): string {
  const rows = r.mutants.map((m) => [
    m.name + (m.interleaving ? ' *' : ''), m.targets.join(', '), verdictOf(m), m.caughtBy.join(', ') || '-', m.runsToDetect === null ? '-' : String(m.runsToDetect), witnessOf(m),
  ]);
  const head = ['mutant', 'targets', 'killed', 'caught by', 'runs', 'witness steps'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => Math.min(row[i]!.length, i === 3 ? 60 : 200))));
  const line = (cells: string[]) => cells.map((c, i) => (i >= cells.length - 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [
    ...(r.interrupted ? [`wbemsim mutants: PARTIAL: interrupted; only the ${r.mutants.length} mutants finished are listed and scored`] : []),
    `wbemsim mutants: ${r.mutants.length} mutants, strategy ${r.options.strategy}, seeds ${r.options.seed}..${r.options.seed + r.options.runs - 1}, ` +
      `${r.options.runs} runs per workload at most over ${r.options.workloads.length} workloads`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    '* the fault shows only under a specific interleaving; runs = runs made until the first catch, over all workloads;',
    '  witness steps = the catching run\'s length as found -> shrunk (its replay token is the shrunk run\'s)',
  ];
  const misses = r.mutants.filter((m) => !m.byTarget || m.suspect);
  if (misses.length) {
    out.push('', 'Weaknesses:');
    for (const m of misses) {
      out.push(`  ${m.name}: ${weakness(m)}`);
      if (m.evidence) out.push(`    ${inert(m.evidence)}`);
      if (m.replay) out.push(`    replay: wbemsim replay ${m.replay}`);
    }
  }
  if (r.baseline.length) {
    out.push('', 'The reference broker violates these rules on the same suite (their catches are not trusted):');
    for (const b of r.baseline) out.push(`  ${inert(b.rule)} (${inert(b.workload)}): ${inert(b.explanation)}`, `    replay: wbemsim replay ${inert(b.replay)}`);
  }
  out.push('', zooScoreLine(r), '');
  return out.join('\n');
}

/** "66 -> 29" for a shrunk catching run; "-" for a mutant not caught by a target. */
function witnessOf(m: ShrunkMutantOutcome): string {
  return m.shrink ? `${m.shrink.before.steps} -> ${m.shrink.after.steps}` : '-';
}

function verdictOf(m: MutantOutcome): string {
  if (!m.killed) return 'no';
  if (!m.byTarget) return 'other rule';
  return m.suspect ? 'suspect' : 'yes';
}

function weakness(m: MutantOutcome): string {
  if (!m.killed) return `not killed in ${m.runsMade} runs; none of ${m.targets.join(', ')} was violated`;
  if (!m.byTarget) return `killed only by ${m.caughtBy.join(', ')}, never by ${m.targets.join(' or ')}`;
  return `caught by ${m.caughtBy.filter((x) => m.targets.includes(x)).join(', ')}, which the reference broker also violates`;
}
