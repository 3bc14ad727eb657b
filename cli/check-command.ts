/**
 * `wbemsim check TRACE.jsonl`: validates a recorded trace line by line (the format of
 * specs/trace.schema.json) and runs every rule check over it, streaming, in bounded memory.
 * Exit codes: 0 conformant, 1 a `must` rule violated (or an outcome named by
 * --fail-on), 2 bad usage or bad input, with one line on stderr naming the line and the problem.
 */
import type { Command } from 'commander';
import { readTrace, TraceInputError } from '../trace/reader.ts';
import type { TraceEvent } from '../trace/event.ts';
import type { JudgeResult } from '../specs/judge.ts';
import { judgeAttributions } from '../specs/attribution.ts';
import { addMonitorFindings, Monitor } from '../specs/monitor.ts';
import { UsageError } from './usage-error.ts';
import { exitCodeFor, FAIL_ON, parseFailOn } from './exit-code.ts';
import { checkText } from '../report/text.ts';
import { jsonOf, jsonText } from '../report/json.ts';
import { interruptedBy } from './stop-flag.ts';
import { runInWorker, taskEntry } from './worker.ts';
import { intOption } from './options.ts';
import { checkReportDir, traceForReport } from './report-dir.ts';
import { resultOfCheck } from '../report/report-result.ts';
import { writeReport } from '../report/write-report.ts';

/**
 * Judges the trace file at `path`, streaming; throws `TraceInputError` for bad input. The file is
 * read twice (the attribution search's plan, then the judgement), and once more per attribution
 * when callbacks without a call id on shared sinks need theirs searched (specs/attribution.ts).
 * `stop` is polled per line: once it says yes the rest of the file is left unread, every later
 * read stops at the same line, and the events read so far are judged (the caller marks that
 * result partial).
 */
export async function checkTraceFile(path: string, stop?: () => boolean): Promise<JudgeResult> {
  // The lifecycle monitor judges too, searching the unseen moments the trace does not annotate;
  // it reads the lines of the attribution search's first read.
  const monitor = new Monitor({ annotated: false, prune: true });
  let begun = false;
  let calls = 0;
  let limit = Infinity;
  async function* lines() {
    let i = 0;
    for await (const line of readTrace(path)) {
      if (i >= limit) break;
      if (i > 0 && limit === Infinity && stop?.()) { limit = i; break; }
      i++;
      yield line;
    }
  }
  const result = await judgeAttributions(lines, {}, (line) => {
    if (line.type === 'call.entered') calls++;
    if (!begun) {
      if (line.type !== 'header') throw new TraceInputError(1, 'the first line must be the header');
      begun = true;
    } else monitor.event(line as TraceEvent);
  });
  // No call means no rule could be exercised: a verdict on it would be an empty pass.
  if (calls === 0) throw new TraceInputError(0, `${path}: nothing to judge (the trace has no call.entered event)`);
  addMonitorFindings(result, monitor.rejections);
  return result;
}

/** The judge's memory bound by default (MB): ample for thousands of calls open at once. */
export const DEFAULT_MAX_MEMORY_MB = 256;

/**
 * Judges the file in a worker thread whose old generation is bounded: memory then stays what the
 * open state needs on a trace of any length (the garbage of a long read is collected instead of
 * growing the heap), and the stop flag, shared with the worker, still ends it between lines.
 */
function checkInWorker(path: string, maxMemoryMb: number): Promise<JudgeResult> {
  return runInWorker<JudgeResult>(taskEntry('check-task'), 'check', { path }, {
    resourceLimits: { maxOldGenerationSizeMb: maxMemoryMb },
    workerError: (err) => (err.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? new UsageError(`${path}: judging it needs more than --max-memory ${maxMemoryMb} MB (the calls, callbacks and sinks open at once); raise --max-memory`) : err),
  });
}

/**
 * The `--json` views of one judged trace: `{conformant, runs, steps, violations, warnings, lint,
 * inconclusive, advice, results}`, read off its ReportResult (`wbemsim record --json` shows them per scenario).
 */
export function checkJson(r: JudgeResult): object {
  const { conformant, runs, steps, violations, warnings, lint, inconclusive, advice, results } = jsonOf(resultOfCheck('', r, [], undefined, false));
  return { conformant, runs, steps, violations, warnings, lint, inconclusive, advice, results };
}

/** Registers `wbemsim check` on the program; `setCode` receives the exit code. */
export function registerCheck(program: Command, setCode: (n: number) => void): void {
  program
    .command('check')
    .description('Check a recorded trace (JSON lines, see specs/trace.schema.json) against every rule of the catalogue.')
    .argument('<trace>', 'the trace file: a header line, then one event per line')
    .option('--json', 'print the result as JSON (result.json\'s document, and conformant, runs, steps, violations, warnings, lint, inconclusive, results)')
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`)
    .option('--report <dir>', 'write a report into this folder: index.html, report.md, result.json, junit.xml (docs/reports.md)')
    .addHelpText('after', '\nExit codes: 0 no must rule violated, 1 a must rule violated (or a --fail-on outcome), 2 bad usage or bad input,\n130/143 interrupted by Ctrl-C/SIGTERM (the summary printed is marked PARTIAL).')
    .option('--max-memory <MB>', 'memory for the judge\'s state (old generation of its worker); a trace whose open state needs more exits 2', intOption('--max-memory', 32), DEFAULT_MAX_MEMORY_MB)
    .action(async (path: string, opts: { json?: boolean; failOn?: string; report?: string; maxMemory: number }) => {
      const failOn = parseFailOn(opts.failOn ?? '');
      if (opts.report !== undefined) checkReportDir(opts.report);
      const r = await checkInWorker(path, opts.maxMemory);
      const partial = interruptedBy() !== undefined;
      // One result for the text, --json and --report; only a report embeds the trace.
      const { events, reached } = opts.report !== undefined ? await traceForReport(path) : { events: [], reached: undefined };
      const result = resultOfCheck(path, r, events, reached, partial);
      if (opts.report !== undefined) writeReport(opts.report, result);
      process.stdout.write(opts.json ? jsonText(result) : checkText(result));
      setCode(exitCodeFor(result.outcome, failOn));
    });
}
