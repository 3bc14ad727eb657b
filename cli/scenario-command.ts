/**
 * `wbemsim scenario`: the conformance suite's named scenarios (scenarios/, docs/scenarios.md).
 * `--list` shows each scenario's title, rules and source (and which rules of the catalogue no
 * scenario exercises); `scenario NAME` runs one as pinned, prints its timeline and its verdict,
 * and compares the verdicts with the ones the scenario expects; `--impl` runs the same workload and
 * choices with another implementation (the expectations then do not apply).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { implNames } from '../brokers/implementations.ts';
import { RULES } from '../specs/rules.ts';
import { formatTimeline } from '../scenarios/timeline.ts';
import { loadScenario, mismatches, scenarios, ScenarioError, verdicts, type Scenario } from '../scenarios/scenario.ts';
import type { RunResult } from '../sim/run.ts';
import { inert, inertLines } from '../report/inert.ts';
import { exitCodeFor, FAIL_ON, parseFailOn } from './exit-code.ts';
import { resolveImplForCli } from './impl.ts';
import { runTask } from './interrupt.ts';
import { checkOutputs } from './options.ts';
import { replayJson, replayOutcome, runFindingLines, runVerdictLine } from './replay-command.ts';
import type { ScenarioTask, ScenarioTaskResult } from './tasks.ts';
import { UsageError } from './usage-error.ts';
import { checkClientForCli, clientOption } from './client-option.ts';

/** A scenario by name or file; a bad one is bad usage. */
export function scenarioOrUsage(nameOrPath: string): Scenario {
  try {
    return loadScenario(nameOrPath);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message);
    throw err;
  }
}

function allOrUsage(): Scenario[] {
  try {
    return scenarios();
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message);
    throw err;
  }
}

/** Rule IDs of the catalogue that no scenario lists as exercised, in catalogue order. */
export function rulesNotExercised(all: readonly Scenario[]): string[] {
  const listed = new Set(all.flatMap((s) => s.rules));
  return RULES.map((r) => r.id).filter((id) => !listed.has(id));
}

function workloadName(s: Scenario): string {
  return typeof s.workload === 'string' ? s.workload : `${s.workload.name} (inline)`;
}

/** `--list` as text. */
export function formatList(all: readonly Scenario[]): string {
  const width = Math.max(...all.map((s) => s.name.length));
  const out: string[] = [];
  for (const s of all) {
    out.push(`${s.name.padEnd(width)}  ${inert(s.title)}`);
    out.push(`${' '.repeat(width)}  rules: ${s.rules.join(', ')}   impl: ${inert(s.impl)}${s.client ? `   client: ${inert(s.client)}` : ''}`);
    out.push(`${' '.repeat(width)}  source: ${inert(s.source)}`);
  }
  const missing = rulesNotExercised(all);
  out.push('', `${all.length} scenarios exercise ${RULES.length - missing.length} of the ${RULES.length} rules.`);
  if (missing.length) out.push(`No scenario exercises: ${missing.join(', ')}`);
  return out.join('\n') + '\n';
}

/** `--list --json`. */
export function listJson(all: readonly Scenario[]) {
  return {
    scenarios: all.map((s) => ({
      name: s.name, title: s.title, rules: s.rules, source: s.source, impl: s.impl, ...(s.client ? { client: s.client } : {}),
      workload: typeof s.workload === 'string' ? s.workload : s.workload.name, pinned: (s.choices?.length ?? 0) > 0, expected: s.expected,
    })),
    rulesNotExercised: rulesNotExercised(all),
  };
}

/** What `scenario NAME` prints: what ran, the timeline, the verdicts of its rules, the findings, the verdict. */
export function formatScenarioRun(s: Scenario, r: RunResult, impl: string, client = s.client ?? 'workload'): string {
  const own = impl === s.impl && client === (s.client ?? 'workload');
  const out = [
    `wbemsim scenario ${s.name}: ${inert(s.title)}`,
    `  source: ${inert(s.source)}`,
    `  ${inert(impl)} on ${inert(workloadName(s))}${client !== 'workload' ? `, client ${inert(client)}` : ''}, ${s.choices?.length ? `choices ${JSON.stringify(s.choices)}` : 'no pinned choices'}, ${r.steps} steps, run ended ${r.end.reason}${r.end.detail ? ` (${inertLines(r.end.detail)})` : ''}`,
    '',
    'Timeline (t: virtual time; ! marks events a finding cites):',
  ];
  const findings = [...r.judge.violations, ...r.judge.warnings, ...r.judge.inconclusive, ...r.judge.lint];
  out.push(formatTimeline(r.trace!, findings).trimEnd(), '');
  const got = verdicts(r);
  const shown = [...new Set([...s.rules, ...Object.keys(s.expected)])];
  const width = Math.max(...shown.map((x) => x.length));
  out.push(own ? 'Verdicts (expected in brackets when different):' : `Verdicts (the scenario's expectations are for ${inert(s.impl)}${s.client ? ` with client ${inert(s.client)}` : ''}, not compared):`);
  for (const rule of shown) {
    const want = s.expected[rule];
    out.push(`  ${rule.padEnd(width)}  ${got[rule]}${own && want !== undefined && want !== got[rule] ? `   [expected ${want}]` : ''}`);
  }
  out.push(...runFindingLines(r), '', runVerdictLine(r));
  if (own) {
    const off = mismatches(s, r);
    out.push(off.length ? `NOT AS EXPECTED: ${off.join('; ')}` : 'As expected: every verdict the scenario pins.');
  }
  out.push(`replay: wbemsim replay ${inert(r.token)}`);
  return out.join('\n') + '\n';
}

/** Registers `wbemsim scenario`. */
export function registerScenario(program: Command, setCode: (code: number) => void): void {
  program
    .command('scenario')
    .description('Run a named scenario of the conformance suite (its timeline and verdict), or list them.')
    .argument('[name]', 'a scenario name (see --list) or a scenario JSON file')
    .option('--list', 'list the scenarios: title, rules exercised, source')
    .option('--impl <impl>', `run the scenario with this implementation instead of its own: ${implNames().join(', ')}`)
    .addOption(clientOption())
    .option('--trace <file>', 'write the run\'s trace (JSON lines)')
    .option('--json', 'print machine-readable output instead of text')
    .option('--allow-cut', 'exit 0 even when the run was cut by its step bound')
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`, '')
    .addHelpText('after', `
Exit codes: 0 no must rule violated and, with the scenario's own implementation, every verdict as
the scenario expects; 1 a violation, a verdict other than expected, a cut run, or an outcome named
by --fail-on; 2 bad usage (an unknown scenario, a scenario file that does not validate).

Examples:
  wbemsim scenario --list
  wbemsim scenario cancel-lengthy-query-mid-stream
  wbemsim scenario wine-cancel-waits-for-held-indicate --json
  wbemsim scenario cancel-twice --impl wine`)
    .action(async (name: string | undefined, opts) => {
      if (opts.list) {
        if (name !== undefined) throw new UsageError('--list takes no scenario name');
        const all = allOrUsage();
        process.stdout.write(opts.json ? JSON.stringify(listJson(all), null, 2) + '\n' : formatList(all));
        return;
      }
      if (name === undefined) throw new UsageError('scenario: give a scenario name, or --list to see them');
      checkOutputs({ '--trace': opts.trace });
      const failOn = parseFailOn(opts.failOn);
      const s = scenarioOrUsage(name);
      const impl: string = opts.impl ?? s.impl;
      await resolveImplForCli(impl, {});
      await checkClientForCli(opts.client);
      // Run in a worker thread, so that Ctrl-C can stop a stdio broker (cli/interrupt.ts).
      const { run: r, interrupted } = await runTask<ScenarioTaskResult>('scenario', { scenario: name, impl, ...(opts.client ? { client: opts.client } : {}) } satisfies ScenarioTask);
      if (!r) {
        process.stdout.write(opts.json ? JSON.stringify({ partial: true, interrupted: true, steps: 0 }, null, 2) + '\n' : 'PARTIAL: interrupted before the run started; nothing was judged\n');
        return;
      }
      if (opts.trace) writeFileSync(opts.trace, r.trace!.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const client: string = opts.client ?? s.client ?? 'workload';
      const own = impl === s.impl && client === (s.client ?? 'workload');
      const off = own ? mismatches(s, r) : [];
      if (opts.json) {
        const { violations, warnings, inconclusive, lint, monitor, ...rest } = replayJson(r);
        process.stdout.write(JSON.stringify({
          scenario: s.name, title: s.title, rules: s.rules, source: s.source, ...rest, verdicts: verdicts(r),
          ...(client !== 'workload' ? { client } : {}),
          ...(own ? { expected: s.expected, asExpected: off.length === 0, mismatches: off } : {}),
          violations, warnings, inconclusive, lint, monitor, ...(interrupted ? { partial: true, interrupted: true } : {}),
        }, null, 2) + '\n');
      } else {
        process.stdout.write((interrupted ? `PARTIAL: interrupted after ${r.steps} steps; the verdict covers only those\n` : '') + formatScenarioRun(s, r, impl, client));
      }
      const code = exitCodeFor(replayOutcome(r), failOn, opts.allowCut === true);
      setCode(code === 0 && off.length ? 1 : code);
    });
}
