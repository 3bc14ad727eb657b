/**
 * The conformance suite's lines in `wbemsim run`'s text: what the scenarios and the swarm
 * campaign ran, which rules each covered, and what the steering aimed the generator at.
 */
import type { SuiteSummary } from '../sim/campaign.ts';

/** The header line of a suite campaign (in place of the list of workloads). */
export function suiteHeader(impl: string, s: SuiteSummary, seed: number, strategy: string): string {
  return `wbemsim run: ${impl}, the conformance suite: ${s.scenarios} scenarios, then a swarm campaign of ${s.swarmRuns} generated workloads (seeds ${seed}..${seed + Math.max(0, s.swarmRuns - 1)}), strategy ${strategy}`;
}

/** The suite's summary lines, indented like the campaign's. */
export function suiteLines(s: SuiteSummary): string[] {
  const out: string[] = [];
  const strategies = Object.entries(s.strategies).map(([k, v]) => `${k} ${v}`).join(', ');
  if (strategies) out.push(`  swarm strategies: ${strategies}`);
  out.push(`  rules covered by a scenario: ${s.byScenario.length}; only by the swarm campaign: ${s.onlyByCampaign.length}${s.onlyByCampaign.length ? ` (${s.onlyByCampaign.join(', ')})` : ''}; by no run: ${s.notCovered.length}${s.notCovered.length ? ` (${s.notCovered.join(', ')})` : ''}`);
  if (!s.targets.length) out.push('  steering: every rule and machine transition the generator can aim at was reached; nothing targeted');
  else {
    const reached = s.targets.filter((t) => t.reachedAt !== undefined).length;
    out.push(`  steering: ${s.targets.length} target(s) the swarm had not reached, ${reached} reached after their features' odds rose:`);
    for (const t of s.targets) {
      const what = t.because === 'rule' ? `rule ${t.rule}` : `transition ${t.transition}`;
      out.push(`    ${what}: features ${t.features.join(', ')} from run ${t.from}, ${t.reachedAt !== undefined ? `reached at run ${t.reachedAt}` : 'not reached'}`);
    }
  }
  return out;
}
