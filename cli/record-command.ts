/**
 * `wbemsim record`: records a real broker with the recorder (recorder/recorder.c), one scenario
 * per process, under Wine (the default) or natively on Windows, and judges each normalised trace
 * with the checker of `wbemsim check`. It prints, per scenario, each rule's verdict. Exit codes:
 * 0 no `must` rule violated and every scenario recorded or unavailable on this broker; 1 a
 * violation, a scenario that gave no trace, or a --fail-on outcome; 2 bad usage, or the tools
 * (Wine, mingw-w64) missing, with the apt-get command on one line.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { RULES } from '../specs/rules.ts';
import type { Verdict } from '../specs/check.ts';
import { nearestName } from '../sim/workloads.ts';
import { inert } from '../report/inert.ts';
import { decideOutcome } from '../report/result.ts';
import { verdictWordOf } from '../report/report-result.ts';
import { resultOfCheck } from '../report/report-result.ts';
import { writeReport } from '../report/write-report.ts';
import { RECORDING_SCENARIOS, recordAll, verdictsOf, type Judged, type Mode } from '../recorder/record.ts';
import { checkJson } from './check-command.ts';
import { checkReportDir, traceForReport } from './report-dir.ts';
import { exitCodeFor, FAIL_ON, parseFailOn } from './exit-code.ts';
import { UsageError } from './usage-error.ts';

const ORDER: Verdict[] = ['violated', 'inconclusive', 'held', 'used', 'not judged', 'not exercised'];
const KIND = new Map(RULES.map((r) => [r.id, r.kind]));

/** One scenario's verdicts, grouped by verdict, every rule named except the ones not exercised (counted). */
export function scenarioText(j: Judged): string {
  if (j.status !== 'recorded' || !j.result) return `${j.scenario}: ${j.status === 'unavailable' ? 'not recordable on this broker' : 'FAILED'}: ${inert(j.reason ?? '')}\n`;
  const r = j.result;
  const o = decideOutcome({ violations: r.violations, runs: 1, warnings: r.warnings, inconclusive: r.inconclusive, lint: r.lint });
  let s = `${j.scenario}: ${verdictWordOf(o)} (${r.violations.length} violated must, ${r.warnings.length} warnings, ${r.lint.length} lint, ${r.inconclusive.length} inconclusive; ${r.events} events)\n`;
  const v = verdictsOf(r);
  for (const verdict of ORDER) {
    const rules = Object.keys(v).filter((id) => v[id] === verdict);
    if (!rules.length) continue;
    if (verdict === 'not exercised') s += `  not exercised: ${rules.length} rules\n`;
    else s += `  ${verdict}: ${rules.map((id) => (verdict === 'violated' ? `${id} (${KIND.get(id)})` : id)).join(', ')}\n`;
  }
  return s;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((x) => x.trim()).filter(Boolean)];
}

export function registerRecord(program: Command, setCode: (n: number) => void): void {
  program
    .command('record')
    .description('Record a real broker with the recorder (one scenario per process), normalise and judge each trace (docs/real-brokers.md).')
    .option('--wine', 'run the recorder under Wine (the default)')
    .option('--native', 'run the recorder directly (on Windows, against Microsoft\'s WMI)')
    .option('--scenario <names>', `only these scenarios (repeatable or comma-separated): ${RECORDING_SCENARIOS.join(', ')}`, collect, [])
    .option('--out <dir>', 'save the normalised traces there, one NAME.jsonl per scenario')
    .option('--json', 'print the result as JSON: {conformant, scenarios: [{scenario, status, verdicts, violations, …}]}')
    .option('--report <dir>', 'write a report per scenario into DIR/NAME: index.html, report.md, result.json, junit.xml (docs/reports.md)')
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`)
    .addHelpText('after', '\nNeeds wine, wine64 and gcc-mingw-w64-x86-64 (Debian) for --wine. Exit codes: 0 no must rule violated,\n1 a must rule violated, a scenario without a trace, or a --fail-on outcome, 2 bad usage or missing tools.')
    .action(async (opts: { wine?: boolean; native?: boolean; scenario: string[]; out?: string; json?: boolean; report?: string; failOn?: string }) => {
      if (opts.wine && opts.native) throw new UsageError('record: --wine and --native exclude each other');
      const mode: Mode = opts.native ? 'native' : 'wine';
      const failOn = parseFailOn(opts.failOn ?? '');
      for (const s of opts.scenario) {
        if (!(RECORDING_SCENARIOS as readonly string[]).includes(s)) {
          const near = nearestName(s, RECORDING_SCENARIOS);
          throw new UsageError(`record: no scenario named ${JSON.stringify(s)}${near ? ` (did you mean ${near}?)` : ''}`);
        }
      }
      if (opts.report !== undefined) checkReportDir(opts.report);
      const names = opts.scenario.length ? RECORDING_SCENARIOS.filter((s) => opts.scenario.includes(s)) : [...RECORDING_SCENARIOS];
      if (!opts.json) process.stdout.write(`wbemsim record: ${names.length} scenario(s) under ${mode === 'wine' ? 'Wine' : 'the native broker'}, one process each\n`);
      const all = await recordAll(mode, names, opts.out, (j) => { if (!opts.json) process.stdout.write(scenarioText(j)); });
      const recorded = all.filter((j) => j.status === 'recorded' && j.result);
      const failed = all.filter((j) => j.status === 'failed');
      const sum = (k: 'violations' | 'warnings' | 'inconclusive' | 'lint') => recorded.flatMap((j) => j.result![k]);
      // A scenario that gave no trace is a failure of the recording, as a crash is of a run.
      const outcome = decideOutcome({ violations: sum('violations'), brokerFailures: failed.length, runs: recorded.length, warnings: sum('warnings'), inconclusive: sum('inconclusive'), lint: sum('lint') });
      if (opts.report !== undefined) {
        for (const j of recorded) {
          const { events, reached } = await traceForReport(j.path!);
          writeReport(join(opts.report, j.scenario), resultOfCheck(j.path!, j.result!, events, reached, false));
        }
      }
      const broker = recorded[0]?.trace ? (JSON.parse(recorded[0].trace.split('\n')[0]!) as { broker: { name: string; version: string } }).broker : undefined;
      if (opts.json) {
        process.stdout.write(JSON.stringify({
          conformant: outcome.conformant, broker, mode,
          scenarios: all.map((j) => ({
            scenario: j.scenario, status: j.status, ...(j.reason ? { reason: j.reason } : {}), ...(j.path ? { trace: j.path } : {}),
            ...(j.result ? { verdicts: verdictsOf(j.result), ...checkJson(j.result) } : {}),
          })),
        }, null, 2) + '\n');
      } else {
        const bad = recorded.filter((j) => !j.result!.conformant).length;
        process.stdout.write(`\n${broker ? `${inert(broker.name)} ${inert(broker.version)}: ` : ''}${recorded.length} recorded, ${all.length - recorded.length - failed.length} not recordable on this broker, ${failed.length} failed; ` +
          `${bad} scenario(s) with a must rule violated, ${recorded.filter((j) => j.result!.warnings.length).length} with warnings\n`);
        if (opts.out) process.stdout.write(`normalised traces in ${opts.out}; judge one again with: wbemsim check ${join(opts.out, 'NAME.jsonl')}\n`);
        if (opts.report) process.stdout.write(`reports in ${opts.report}/NAME/index.html\n`);
        process.stdout.write(`Verdict: ${verdictWordOf(outcome)}${failed.length ? ` (${failed.length} scenario(s) gave no trace)` : ''}\n`);
      }
      setCode(exitCodeFor(outcome, failOn));
    });
}
