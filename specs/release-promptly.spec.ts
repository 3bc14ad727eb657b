/**
 * RELEASE-PROMPTLY judges quiescence: white-box traces by `broker.idle`, recordings by the settle
 * period they declare, and a recording without one is inconclusive rather than warned.
 */
import { describe, expect, it } from 'vitest';
import { TraceBuilder, verdictOf, type BuilderOptions } from './trace-builder.ts';

const RULE = 'RELEASE-PROMPTLY';

/** One query ended at t=100; the broker releases s at `releaseAt`, or keeps it until the client cancels at t=5000. */
function kept(o: BuilderOptions, releaseAt?: number, idle = false): TraceBuilder {
  const b = new TraceBuilder(o);
  b.call('q', 's'); b.addref('s', 'broker'); b.ret('q');
  b.status('f', 's', 'q'); b.add({ type: 'setstatus.returned', cb: 'f', ret: 0, t: 100 });
  if (idle) b.add({ type: 'broker.idle', t: 101 });
  if (releaseAt !== undefined) b.add({ type: 'sink.release', sink: 's', count: 1, by: 'broker', t: releaseAt });
  b.cancel('k', 's', { t: 5000 });
  if (releaseAt === undefined) b.add({ type: 'sink.release', sink: 's', count: 1, by: 'broker', t: 5001 });
  b.cret('k', 0, 5002); b.end('recording-end', 5003);
  return b;
}

describe('RELEASE-PROMPTLY', () => {
  it('warns a recording whose broker kept the reference past its declared settle period', () => {
    expect(verdictOf(kept({ recorder: 'recorder', settleMs: 500 }).judge(), RULE)).toBe('violated');
    expect(verdictOf(kept({ recorder: 'recorder', settleMs: 500 }, 900).judge(), RULE)).toBe('violated');
  });

  it('holds for a recording whose broker released within the settle period', () => {
    expect(verdictOf(kept({ recorder: 'recorder', settleMs: 500 }, 300).judge(), RULE)).toBe('held');
  });

  it('is inconclusive, not a warning, for a recording that declares no settle period', () => {
    const r = kept({ recorder: 'recorder' }).judge();
    expect(verdictOf(r, RULE)).toBe('inconclusive');
    expect(r.warnings.filter((f) => f.rule === RULE)).toEqual([]);
  });

  it('warns a white-box trace only where the broker went idle holding the reference', () => {
    const wb: BuilderOptions = { whiteBox: true, recorder: 'simulation' };
    expect(verdictOf(kept(wb, undefined, true).judge(), RULE)).toBe('violated');
    expect(verdictOf(kept(wb).judge(), RULE)).toBe('held');
  });
});
