/**
 * `npm run scenarios:find -- NAME|FILE.json [runs]`: finds a choice list that pins a scenario's
 * race. It runs the scenario's implementation over its workload under random schedules (seeds
 * 1..runs, default 2000) and prints, of the runs whose verdicts are exactly the scenario's
 * `expected`, the one with the shortest choice list (trailing zeros dropped: after the list the
 * scenario takes the first enabled step, which is choice 0). Paste it as the scenario's `choices`.
 */
import { resolveImpl } from '../brokers/implementations.ts';
import { Prng } from '../sim/prng.ts';
import { runOnce } from '../sim/run.ts';
import { builtinClient } from '../clients/index.ts';
import { RandomStrategy } from '../sim/strategy.ts';
import { loadScenario, mismatches, workloadOf } from './scenario.ts';

const [name, runsText] = process.argv.slice(2);
if (!name) {
  process.stderr.write('usage: npm run scenarios:find -- NAME|FILE.json [runs]\n');
  process.exit(2);
}
const s = loadScenario(name);
const runs = runsText ? Number(runsText) : 2000;
const factory = await resolveImpl(s.impl);
const broker = factory();
const workload = workloadOf(s);
let best: number[] | undefined;
let bestSeed = 0;
let found = 0;
for (let seed = 1; seed <= runs; seed++) {
  const r = runOnce({ impl: s.impl, broker, workload, seed, strategy: new RandomStrategy(new Prng(seed)), client: builtinClient(s.client) });
  if (mismatches(s, r).length) continue;
  found++;
  const choices = [...r.choices];
  while (choices.length && choices.at(-1) === 0) choices.pop();
  if (!best || choices.length < best.length) { best = choices; bestSeed = seed; }
}
broker.close?.();
if (!best) {
  process.stderr.write(`${s.name}: none of ${runs} random runs gives the expected verdicts\n`);
  process.exit(1);
}
process.stdout.write(`${s.name}: ${found} of ${runs} runs give the expected verdicts; shortest from seed ${bestSeed}:\n"choices": ${JSON.stringify(best)}\n`);
