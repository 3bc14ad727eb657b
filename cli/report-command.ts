/**
 * `wbemsim report RESULT.json --out DIR`: renders a result written by `--report` (its
 * result.json) again, as index.html, report.md, result.json and junit.xml. It needs no broker:
 * the result embeds its witnesses.
 */
import type { Command } from 'commander';
import { readResult, ResultInputError } from '../report/read-result.ts';
import { verdictOf } from '../report/report-result.ts';
import { writeReport } from '../report/write-report.ts';
import { inert } from '../report/inert.ts';
import { UsageError } from './usage-error.ts';
import { checkReportDir } from './report-dir.ts';

export function registerReport(program: Command, setCode: (code: number) => void): void {
  program
    .command('report')
    .description('Render a result.json (written by run, check, explore or mutants with --report DIR) as an HTML, Markdown and JUnit report.')
    .argument('<result>', 'a result.json')
    .requiredOption('--out <dir>', 'the folder to write index.html, report.md, result.json and junit.xml into')
    .addHelpText('after', `
Exit codes: 0 the result is conformant, 1 it is not (or not conclusive), 2 bad usage or a file that
is not a valid result (docs/reports.md, report/result.schema.json).

Example:
  wbemsim run --impl mutant:planted-race --report out/ && wbemsim report out/result.json --out again/`)
    .action((path: string, opts: { out: string }) => {
      checkReportDir(opts.out);
      let result;
      try {
        result = readResult(path);
      } catch (err) {
        if (err instanceof ResultInputError) throw new UsageError(err.message);
        throw err;
      }
      const files = writeReport(opts.out, result);
      const v = verdictOf(result);
      process.stdout.write(`${v.word}: ${inert(v.detail)}\nwrote ${files.map(inert).join(', ')}\n`);
      setCode(result.outcome.conformant && result.outcome.conclusive ? 0 : 1);
    });
}
