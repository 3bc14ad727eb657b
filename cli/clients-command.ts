/**
 * `wbemsim clients`: the matrix of client models × brokers (clients/matrix.ts, docs/clients.md).
 */
import type { Command } from 'commander';
import { resolveImpl } from '../brokers/implementations.ts';
import { ClientError, clientModels, resolveClient } from '../clients/index.ts';
import { matrixCell, type MatrixCell } from '../clients/matrix.ts';
import type { ClientModel } from '../sim/client-api.ts';
import { clientsMatrix, matrixMarkdown, matrixText, writeClientsReport } from '../report/clients-matrix.ts';
import { checkReportDir } from './report-dir.ts';
import { resolveImplForCli } from './impl.ts';
import { intOption } from './options.ts';
import { UsageError } from './usage-error.ts';

/** The brokers of the matrix when none is named. */
export const DEFAULT_MATRIX_IMPLS = ['reference', 'wine', 'wine:wrappers', 'mutant:cancel-matches-inner-sink', 'mutant:no-cancelled-final'];

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function registerClients(program: Command, setCode: (code: number) => void): void {
  program
    .command('clients')
    .description('The matrix of client models x brokers: client findings, broker findings and what the user saw go wrong, per cell.')
    .option('--impl <impl>', `a broker of the matrix (repeatable; default: ${DEFAULT_MATRIX_IMPLS.join(', ')})`, collect, [])
    .option('--client <name>', 'a client model of the matrix (repeatable; default: every built-in model)', collect, [])
    .option('--runs <n>', 'seeded schedules per cell', intOption('--runs', 1), 20)
    .option('--json', 'print machine-readable output instead of text')
    .option('--markdown', 'print the matrix as a Markdown table instead of text (rows: client models; columns: brokers)')
    .option('--report <dir>', 'write a report into this folder: index.html (the matrix, each cell with its replay token), report.md, result.json')
    .addHelpText('after', `
Each model plays its own workload (docs/clients.md). --json, --markdown, the text and --report show
the same cells. Exit codes: 0 the matrix was made (findings are
its content, not failures); 2 bad usage (an unknown client or implementation).

Examples:
  wbemsim clients
  wbemsim clients --client dotnet --client autoit --impl reference --impl wine --json
  wbemsim clients --markdown > matrix.md
  wbemsim clients --report out/                then open out/index.html`)
    .action(async (opts) => {
      if (opts.json && opts.markdown) throw new UsageError('--json and --markdown: choose one output');
      if (opts.report !== undefined) checkReportDir(opts.report);
      const impls: string[] = opts.impl.length ? opts.impl : DEFAULT_MATRIX_IMPLS;
      const models: ClientModel[] = [];
      if (opts.client.length === 0) models.push(...clientModels());
      for (const name of opts.client as string[]) {
        try {
          const m = await resolveClient(name);
          if (!m) throw new UsageError('--client workload has no library behind it: name a client model');
          models.push(m);
        } catch (err) {
          if (err instanceof ClientError) throw new UsageError(err.message);
          throw err;
        }
      }
      for (const impl of impls) await resolveImplForCli(impl, {});
      const cells: MatrixCell[] = [];
      for (const impl of impls) {
        const factory = await resolveImpl(impl);
        for (const m of models) cells.push(matrixCell(m, impl, factory, opts.runs));
      }
      const ordered = models.flatMap((m) => cells.filter((c) => c.client === m.name));
      const matrix = clientsMatrix(opts.runs, impls, models.map((m) => ({ name: m.name, title: m.title, facts: m.facts })), ordered);
      if (opts.report !== undefined) writeClientsReport(opts.report, matrix);
      if (opts.json) process.stdout.write(JSON.stringify(matrix, null, 2) + '\n');
      else if (opts.markdown) process.stdout.write(matrixMarkdown(matrix));
      else process.stdout.write(`wbemsim clients: ${models.length} client models x ${impls.length} brokers, ${opts.runs} schedules per cell\n\n${matrixText(matrix)}`);
      setCode(0);
    });
}
