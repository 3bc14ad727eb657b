/**
 * `npm run scenarios:update`: rewrites every scenario's golden trace from its pinned run, and
 * says, per scenario, whether the run gives the verdicts the scenario expects. The traces are
 * written either way; the exit code is 1 when a run departs from its expected verdicts (the
 * expectations are written by hand, never refreshed).
 */
import { writeFileSync } from 'node:fs';
import { goldenPath, mismatches, runScenario, scenarios, traceText } from './scenario.ts';

let departed = 0;
for (const s of scenarios()) {
  const r = await runScenario(s);
  writeFileSync(goldenPath(s), traceText(r));
  const off = mismatches(s, r);
  if (off.length) departed++;
  console.log(`${s.name}: ${r.steps} steps, ${r.judge.conformant ? 'conformant' : 'not conformant'}${off.length ? `; NOT AS EXPECTED: ${off.join('; ')}` : ', as expected'}`);
}
if (departed) {
  console.log(`${departed} scenario(s) do not give their expected verdicts`);
  process.exitCode = 1;
}
