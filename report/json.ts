/**
 * What `--json` prints: the command's ReportResult (the document `--report` writes as
 * result.json, witnesses left out unless fetched), with the keys scripts read at the top level as
 * views of it: `conformant` and `conclusive` (copied from `outcome`), `runs`, `steps`, and the
 * findings by class (`violations[]`, each with `rule` and `replay`; `warnings`, `inconclusive`,
 * `lint`). docs/reports.md lists them per command.
 */
import type { ReportResult } from './report-result.ts';

/** The result with its top-level views, as `--json` prints it. */
export function jsonOf(r: ReportResult): Record<string, unknown> {
  const byClass = (cls: string) => r.findings.filter((f) => f.class === cls);
  const o = r.outcome;
  const views: Record<string, unknown> = {
    conformant: r.outcome.conformant, conclusive: o.conclusive, runs: o.runs, planned: o.planned, cut: o.cut, incomplete: o.incomplete, steps: r.summary.steps,
    impl: r.summary.impl, strategy: r.summary.strategy, ...(r.summary.seed !== undefined ? { seed: r.summary.seed } : {}), workloads: r.summary.workloads,
    violations: byClass('violation'), warnings: byClass('warning'), inconclusive: byClass('inconclusive'), lint: byClass('lint'),
    ...(r.summary.partial ? { partial: true, interrupted: true } : {}),
  };
  if (r.command === 'explore') views.complete = !r.summary.partial && (r.explorations ?? []).every((x) => x.complete);
  if (r.command === 'check') views.results = r.rules;
  if (r.command === 'replay' && r.replay) Object.assign(views, { token: r.replay.token, workload: r.replay.workload, end: r.replay.end });
  if (r.command === 'mutants' && r.zoo) Object.assign(views, { score: r.zoo.score, baseline: r.zoo.baseline });
  return { ...r, ...views };
}

/** `jsonOf` as the text `--json` writes. */
export function jsonText(r: ReportResult): string {
  return JSON.stringify(jsonOf(r), null, 2) + '\n';
}
