/** `npm run scenarios:update`: rewrites every scenario's golden trace from its pinned run. */
import { writeFileSync } from 'node:fs';
import { goldenPath, runScenario, scenarios, traceText } from './scenario.ts';

for (const s of scenarios()) {
  const r = await runScenario(s);
  writeFileSync(goldenPath(s), traceText(r));
  const violated = [...new Set(r.judge.violations.map((v) => v.rule))].sort();
  console.log(`${s.name}: ${r.steps} steps, ${r.judge.conformant ? 'conformant' : `violates ${violated.join(', ')}`}`);
}
