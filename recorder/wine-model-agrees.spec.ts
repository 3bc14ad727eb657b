/**
 * The Wine model (`--impl wine`, brokers/wine-model.ts) against the real thing: each recording
 * scenario has a twin in the conformance suite, `scenarios/wine-rec-NAME.json`, whose workload
 * does what the recorder's client does. The model's verdict of every rule must be one the
 * recording allows: the pinned verdict (or set), and where the recording is inconclusive (its
 * unseen moments or attributions could go either way) any verdict of the model, which sees them.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, verdicts } from '../scenarios/scenario.ts';
import { allowed, readPinned, RECORDING_SCENARIOS } from './record.ts';
import { ruleInfo } from '../specs/rules.ts';

const pinned = readPinned();

/** Rules a black-box recording cannot judge (RULES.md, "How a trace is judged", item 7): compared only in simulation. */
const WHITE_BOX_ONLY = new Set(['FINAL-STATUS-CARRIES-RESULT', 'ANNOTATIONS-CONSISTENT', 'PROVIDER-NOT-NOTIFIED', 'PROVIDER-RUNS-TO-COMPLETION', 'PROVIDER-MAY-STOP', 'PROVIDER-CANCEL-UNSUPPORTED']);

const twins = RECORDING_SCENARIOS.filter((s) => !(s in pinned.unavailable));

/** The model's verdicts that the recording does not allow, one line each. */
export function disagreements(scenario: string, model: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [rule, mv] of Object.entries(model)) {
    if (WHITE_BOX_ONLY.has(rule)) continue;
    // A client rule the twin's client did not exercise says nothing of the broker: the twin's
    // workload plays the recorder's client only up to the order of its own steps (a release
    // after the final status may come before or after the cancel returned).
    if (mv === 'not exercised' && ruleInfo(rule).party === 'client') continue;
    const rec = allowed(pinned.verdicts[scenario], rule);
    if (rec.includes(mv as never) || rec.includes('inconclusive')) continue;
    out.push(`${rule}: model ${mv}, recording ${rec.join(' or ')}`);
  }
  return out;
}

describe('the Wine model agrees with the recordings of Wine 8.0', () => {
  it('has a twin scenario for every recording', () => {
    expect(twins).toEqual(expect.arrayContaining(['start-null-query', 'cancel-in-setstatus']));
    for (const s of twins) expect(() => loadScenario(`wine-rec-${s}`), s).not.toThrow();
    for (const s of twins) expect(loadScenario(`wine-rec-${s}`).impl).toBe('wine');
  });

  it.each(twins)('%s', async (s) => {
    const r = await runScenario(loadScenario(`wine-rec-${s}`));
    expect(disagreements(s, verdicts(r))).toEqual([]);
  });

  it('a verdict the recording does not allow is a disagreement, one the inconclusive recording leaves open is not', () => {
    expect(disagreements('cancel-held-indicate', { 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT': 'held' })).toEqual([
      'CANCEL-DOES-NOT-WAIT-FOR-CLIENT: model held, recording violated',
    ]);
    expect(disagreements('cancel-held-indicate', { 'FINAL-STATUS-CARRIES-RESULT': 'violated' })).toEqual([]);
    // A client rule: not exercised by the twin's client is no disagreement; judged otherwise, it is.
    expect(disagreements('cancel-held-indicate', { 'LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT': 'not exercised' })).toEqual([]);
    expect(disagreements('cancel-held-indicate', { 'LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT': 'violated' })).toEqual(['LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT: model violated, recording held']);
    const open = Object.entries(pinned.verdicts).flatMap(([s, pin]) => Object.entries(pin).filter(([, v]) => v === 'inconclusive').map(([rule]) => [s, rule] as const));
    expect(open.length).toBeGreaterThan(0);
    for (const [s, rule] of open) expect(disagreements(s, { [rule]: 'violated' })).toEqual([]);
  });
});
