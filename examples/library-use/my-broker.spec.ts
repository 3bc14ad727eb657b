/**
 * A worked example of wbemsim inside your own vitest suite: the conformance run over your adapter,
 * and the offline checker over a trace your recorder wrote.
 */
import { describe, expect, it } from 'vitest';
import { checkConformance, formatCampaign, judgeTrace, parseTrace, runOnce, loadWorkload } from 'wbemsim';
import { createBroker } from './my-broker.ts';

describe('my broker', () => {
  it('passes the wbemsim conformance suite', () => {
    const result = checkConformance(createBroker, { runs: 20 });
    // On failure the message is the report wbemsim run prints, with replay tokens.
    expect(result.conformant, formatCampaign(result)).toBe(true);
    expect(result.runs).toBeGreaterThan(100);
  });

  it('produces traces that the offline checker accepts', () => {
    const run = runOnce({ impl: 'my-broker', broker: createBroker(), workload: loadWorkload('shared-sink-cancel'), seed: 7, keepTrace: true });
    const text = run.trace!.map((l) => JSON.stringify(l)).join('\n');
    const verdict = judgeTrace(parseTrace(text));
    expect(verdict.conformant).toBe(true);
    expect(verdict.violations).toEqual([]);
  });

  it('is caught when it breaks a rule: a trace with a second final status', () => {
    const bad = parseTrace([
      '{"seq":0,"type":"header","format":"wbemsim-trace","version":1,"recorder":"hand","broker":{"name":"my-broker","version":"0.1"},"inProcess":true,"whiteBox":false}',
      '{"seq":1,"type":"call.entered","call":"c1","op":"ExecQueryAsync","services":"svc","sink":"s","flags":0}',
      '{"seq":2,"type":"call.returned","call":"c1","hr":0}',
      '{"seq":3,"type":"setstatus.entered","cb":"f1","sink":"s","call":"c1","lFlags":0,"hResult":0,"errorObject":false}',
      '{"seq":4,"type":"setstatus.returned","cb":"f1","ret":0}',
      '{"seq":5,"type":"setstatus.entered","cb":"f2","sink":"s","call":"c1","lFlags":0,"hResult":0,"errorObject":false}',
      '{"seq":6,"type":"setstatus.returned","cb":"f2","ret":0}',
      '{"seq":7,"type":"run.end","reason":"quiescent"}',
    ].join('\n'));
    const verdict = judgeTrace(bad);
    expect(verdict.conformant).toBe(false);
    expect(verdict.violations.map((v) => v.rule).sort()).toEqual(['FINAL-STATUS-ONCE', 'NOTHING-AFTER-FINAL']);
  });
});
