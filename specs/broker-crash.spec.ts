/**
 * A broker process that failed under the harness (crash, hang, protocol error) is one finding,
 * the failure: whatever it left unfinished is `not judged`, in every rule that looks at the end of
 * the run, never convicted nor left inconclusive (RULES.md, "How a trace is judged", item 6).
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { TraceBuilder, verdictOf } from './trace-builder.ts';

const FAILURES = ['crash', 'timeout', 'protocol-error'] as const;

/** A cancelled method call whose provider had not completed, and whose sink the broker still holds. */
function unfinished(reason: (typeof FAILURES)[number] | 'quiescent'): TraceBuilder {
  const b = new TraceBuilder({ whiteBox: true, recorder: 'stdio' });
  b.accept('q', 's', { op: 'ExecMethodAsync' }); b.add({ type: 'provider.started', call: 'q', kind: 'method' });
  b.cancel('k', 's'); b.add({ type: 'provider.cancel-requested', call: 'q', answer: 0 }); b.cret('k');
  b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f');
  b.add({ type: 'run.end', reason, ...(reason === 'quiescent' ? {} : { detail: 'the process exited' }) });
  return b;
}

describe('a broker that failed under the harness', () => {
  it('is convicted of what it left unfinished when the run ended normally (the control case)', () => {
    const r = unfinished('quiescent').judge();
    expect(verdictOf(r, 'PROVIDER-RUNS-TO-COMPLETION')).toBe('violated');
    expect(verdictOf(r, 'RELEASE-AFTER-FINAL')).toBe('violated');
  });

  for (const reason of FAILURES) {
    it(`(${reason}) leaves the provider and the references it never got to not judged, with the event`, () => {
      const r = unfinished(reason).judge();
      for (const rule of ['PROVIDER-RUNS-TO-COMPLETION', 'RELEASE-AFTER-FINAL']) {
        // Held where the rule could be judged (the cancel reached the call), not judged for what
        // the dead broker never got to, and it says so with the event.
        const res = r.results.find((x) => x.rule === rule)!;
        expect(['held', 'not judged'], rule).toContain(res.verdict);
        expect(res.reason, rule).toMatch(/at event \d+/);
      }
      expect(r.inconclusive.filter((f) => f.rule === 'PROVIDER-RUNS-TO-COMPLETION' || f.rule === 'RELEASE-AFTER-FINAL')).toEqual([]);
    });
  }
});
