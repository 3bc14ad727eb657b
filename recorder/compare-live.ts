/**
 * `npm run record:live` (CI): records Wine afresh, one scenario per process, and compares each
 * scenario's verdicts, never its raw trace, with the pinned ones of the fixtures. A difference,
 * a scenario that gave no trace, or one whose availability changed fails, showing both verdicts.
 */
import { compareWithPinned, readPinned, recordAll, RECORDING_SCENARIOS, verdictsOf } from './record.ts';

const pinned = readPinned();
const started = Date.now();
const all = await recordAll('wine', RECORDING_SCENARIOS);
const diffs: string[] = [];
for (const j of all) {
  if (j.status === 'unavailable') {
    if (!(j.scenario in pinned.unavailable)) diffs.push(`${j.scenario}: pinned as recordable, now not recordable: ${j.reason}`);
    continue;
  }
  if (j.scenario in pinned.unavailable) diffs.push(`${j.scenario}: pinned as not recordable (${pinned.unavailable[j.scenario]}), now ${j.status}`);
  if (j.status === 'failed' || !j.result) { diffs.push(`${j.scenario}: no trace: ${j.reason}`); continue; }
  diffs.push(...compareWithPinned(pinned, j.scenario, verdictsOf(j.result)));
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (diffs.length) {
  console.log(`Wine recorded afresh (${seconds} s): ${diffs.length} verdict(s) differ from the fixtures:`);
  for (const d of diffs) console.log(`  ${d}`);
  process.exitCode = 1;
} else {
  console.log(`Wine recorded afresh (${seconds} s): ${all.length} scenarios, every verdict as pinned in the fixtures`);
}
