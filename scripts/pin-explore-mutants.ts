/**
 * Writes sim/explore-pins.json: for every mutant of the zoo and every built-in explore
 * configuration, the rules that exhaustive search by re-execution finds violated. The stateful
 * search is tested against it (sim/stateful-explorer.spec.ts): every pinned rule must still be
 * found. Run it with `npx tsx scripts/pin-explore-mutants.ts` when a mutant or a configuration
 * changes deliberately, and say why in the commit.
 */
import { writeFileSync } from 'node:fs';
import { MUTANTS } from '../brokers/mutants/index.ts';
import { exploreByReexecution } from '../sim/explorer.ts';
import { exploreWorkloads } from '../sim/explore-workloads.ts';
import { packagePath } from '../package-root.ts';

const pins: { mutant: string; workload: string; rules: string[]; complete: boolean }[] = [];
for (const m of MUTANTS) {
  for (const w of exploreWorkloads()) {
    const x = exploreByReexecution({ impl: `mutant:${m.name}`, broker: m.create(), workload: w });
    const rules = [...new Set(x.violations.map((v) => `${v.by}:${v.rule}`))].sort();
    pins.push({ mutant: m.name, workload: w.name, rules, complete: x.complete });
    process.stderr.write(`${m.name} ${w.name}: ${rules.join(' ') || '-'}${x.complete ? '' : ' (incomplete)'}\n`);
  }
}
writeFileSync(packagePath('sim', 'explore-pins.json'), JSON.stringify(pins, null, 1) + '\n');
