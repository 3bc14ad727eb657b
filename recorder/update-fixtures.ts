/**
 * `npm run record:update`: records every scenario under Wine three times, saves the first run's
 * normalised traces as the fixtures (recorder/fixtures/wine-8.0/NAME.jsonl) and pins each rule's
 * verdict per scenario in verdicts.json. A rule whose verdict differed between the runs is pinned
 * as the set of verdicts seen, and that set must be explained in `races` (the benign race of
 * IMPLEMENTATIONS.md section 1 that decides it); the races known here are pinned as sets whatever
 * the runs showed, and sets pinned before are kept (delete verdicts.json to start afresh). Exits 1 when a set has no note or a scenario gave no trace.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { RULES } from '../specs/rules.ts';
import type { Verdict } from '../specs/check.ts';
import { FIXTURE_DIR, FIXTURE_VERDICTS, readPinned, recordAll, RECORDING_SCENARIOS, verdictsOf, type PinnedVerdicts } from './record.ts';

const RUNS = 3;

/**
 * The benign races of IMPLEMENTATIONS.md section 1 and the verdicts each lets vary, pinned as
 * sets whether or not these three runs happened to show every outcome.
 */
const RETURN_RACE = 'the final status (or first Indicate) vs the async method\'s return: callbacks may come before it returned (CALLBACK-MAY-PRECEDE-RETURN used) or after';
const CANCEL_RACE = 'the cancel vs the worker: the final status may come before CancelAsyncCall is entered (the cancel lost the race, it finds an ended call) or while it runs (the unseen moment of the cancel then lies either side of it)';
const KNOWN_RACES: Record<string, { why: string; rules: Record<string, Verdict[]> }> = {
  'cancel-after-return': { why: CANCEL_RACE, rules: {
    'CANCELLED-STATUS': ['held', 'inconclusive', 'not exercised'], 'NO-CALLBACKS-AFTER-CANCEL': ['held', 'inconclusive', 'not exercised'],
    'CANCEL-MAY-LOSE-RACE': ['not exercised', 'used'], 'CANCEL-AFTER-END-MAY-SUCCEED': ['not exercised', 'used'], 'LINT-CANCEL-PENDING-SINK': ['held', 'violated'],
  } },
  'notification-cancel': { why: CANCEL_RACE, rules: {
    'CANCELLED-STATUS': ['held', 'inconclusive', 'not exercised'], 'NO-CALLBACKS-AFTER-CANCEL': ['held', 'inconclusive', 'not exercised'],
    'CANCEL-MAY-LOSE-RACE': ['not exercised', 'used'], 'CANCEL-AFTER-END-MAY-SUCCEED': ['not exercised', 'used'], 'LINT-CANCEL-PENDING-SINK': ['held', 'violated'],
  } },
};
/** Scenarios whose accepted calls race their method's return (all but the ones where every call is refused). */
const NO_ACCEPTED_CALL = new Set(['start-null-sink', 'start-unsupported', 'start-null-query']);
const previous: PinnedVerdicts | undefined = existsSync(FIXTURE_VERDICTS) ? readPinned() : undefined;
const seen = new Map<string, Map<string, Set<Verdict>>>();
const unavailable: Record<string, string> = {};
let broker: PinnedVerdicts['broker'] | undefined;
let failed = 0;

for (let run = 1; run <= RUNS; run++) {
  const all = await recordAll('wine', RECORDING_SCENARIOS, run === 1 ? FIXTURE_DIR : undefined);
  for (const j of all) {
    if (j.status === 'unavailable') { unavailable[j.scenario] = j.reason ?? ''; continue; }
    if (j.status === 'failed' || !j.result) { failed++; console.log(`run ${run} ${j.scenario}: FAILED: ${j.reason}`); continue; }
    broker ??= (JSON.parse(j.trace!.split('\n')[0]!) as { broker: PinnedVerdicts['broker'] }).broker;
    const per = seen.get(j.scenario) ?? new Map<string, Set<Verdict>>();
    seen.set(j.scenario, per);
    for (const [rule, v] of Object.entries(verdictsOf(j.result))) {
      const set = per.get(rule) ?? new Set<Verdict>();
      set.add(v);
      per.set(rule, set);
    }
  }
  console.log(`run ${run} of ${RUNS}: ${all.filter((j) => j.status === 'recorded').length} scenarios recorded`);
}

const races: Record<string, string> = { ...(previous?.races ?? {}) };
for (const scenario of RECORDING_SCENARIOS) {
  if (!seen.has(scenario)) continue;
  const notes = [KNOWN_RACES[scenario]?.why, NO_ACCEPTED_CALL.has(scenario) ? undefined : RETURN_RACE].filter((x): x is string => !!x);
  races[scenario] = [...new Set([...(races[scenario] ?? '').split('; ').filter(Boolean), ...notes])].join('; ');
}
const verdicts: PinnedVerdicts['verdicts'] = {};
let undocumented = 0;
for (const scenario of RECORDING_SCENARIOS) {
  const per = seen.get(scenario);
  if (!per) continue;
  const pin: Record<string, Verdict | Verdict[]> = {};
  for (const { id } of RULES) {
    const set = per.get(id) ?? new Set<Verdict>(['not exercised']);
    // A documented race keeps the verdicts it allowed before, even when these runs showed one.
    const before = previous?.verdicts[scenario]?.[id];
    if (Array.isArray(before)) for (const v of before) set.add(v);
    for (const v of KNOWN_RACES[scenario]?.rules[id] ?? []) set.add(v);
    if (id === 'CALLBACK-MAY-PRECEDE-RETURN' && !NO_ACCEPTED_CALL.has(scenario)) { set.add('not exercised'); set.add('used'); }
    const list = [...set].sort();
    if (list.length === 1 && list[0] === 'not exercised') continue;
    pin[id] = list.length === 1 ? list[0]! : list;
    if (list.length > 1 && !races[scenario]) {
      undocumented++;
      console.log(`${scenario} ${id}: ${list.join(' or ')} across ${RUNS} runs; explain the race in verdicts.json "races"`);
    }
  }
  verdicts[scenario] = pin;
}

const out: PinnedVerdicts = { broker: broker ?? { name: 'wine-wbemprox', version: 'unknown' }, unavailable, races, verdicts };
writeFileSync(FIXTURE_VERDICTS, JSON.stringify(out, null, 2) + '\n');
console.log(`fixtures in ${FIXTURE_DIR}; verdicts pinned in ${FIXTURE_VERDICTS}`);
if (failed || undocumented) process.exitCode = 1;
