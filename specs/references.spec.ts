/**
 * The broker's references to a sink (BROKER-HOLDS-SINK, RELEASE-AFTER-FINAL,
 * RELEASED-BEFORE-CANCEL-RETURNS): judged from the counts a trace records, for callbacks that come
 * before the method returned too, and for every call on a cancelled sink through the same
 * IWbemServices, the finished ones included. Cancels from inside a callback and cancels through
 * another IWbemServices stay exempt.
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED, WBEM_E_NOT_FOUND } from '../trace/hresult.ts';
import { TraceBuilder, verdictOf, violatedRules } from './trace-builder.ts';

describe('BROKER-HOLDS-SINK', () => {
  it('convicts a broker that never took a reference and calls the sink after the client dropped its own', () => {
    const b = new TraceBuilder({ recorder: 'recorder' });
    b.call('q', 's'); b.ret('q'); b.release('s', 'client');
    b.ind('i1', 's', 'q'); b.iret('i1'); b.status('f', 's', 'q'); b.sret('f'); b.end('recording-end');
    const r = b.judge();
    expect(violatedRules(r)).toContain('BROKER-HOLDS-SINK');
    expect(verdictOf(r, 'BROKER-HOLDS-SINK')).toBe('violated');
  });
});

describe('callbacks before the method returned', () => {
  it('are judged by BROKER-HOLDS-SINK and RELEASE-AFTER-FINAL like any other', () => {
    const b = new TraceBuilder({ recorder: 'recorder' });
    b.call('q', 's'); b.addref('s', 'broker');
    b.ind('i1', 's', 'q'); b.iret('i1'); b.release('s', 'broker');
    b.status('f', 's', 'q'); b.sret('f'); b.ret('q'); b.end('recording-end');
    expect(violatedRules(b.judge())).toEqual(['BROKER-HOLDS-SINK', 'RELEASE-AFTER-FINAL']);
  });

  it('accept a conformant early final status (Wine)', () => {
    const b = new TraceBuilder({ recorder: 'recorder' });
    b.call('q', 's'); b.addref('s', 'broker'); b.ind('i1', 's', 'q'); b.iret('i1');
    b.status('f', 's', 'q'); b.sret('f'); b.release('s', 'broker'); b.ret('q'); b.end('recording-end');
    expect(violatedRules(b.judge())).toEqual([]);
  });
});

/** A finished query whose reference the broker keeps; then a cancel with its sink (`o`), answered `hr`. */
function keptThenCancelled(o: { services?: string; fromCallback?: boolean }, hr: number): TraceBuilder {
  const b = new TraceBuilder({ recorder: 'recorder' });
  b.accept('q', 's'); b.status('f', 's', 'q'); b.sret('f');
  if (o.fromCallback) {
    // The cancel comes from inside a callback of a second call on the same sink.
    b.accept('q2', 's'); b.ind('i2', 's', 'q2'); b.cancel('k', 's', { fromCallback: 'i2' }); b.cret('k', hr);
    b.iret('i2'); b.status('f2', 's', 'q2'); b.sret('f2'); b.release('s', 'broker');
  } else {
    b.cancel('k', 's', o.services ? { services: o.services } : {}); b.cret('k', hr);
  }
  b.release('s', 'broker'); b.end('recording-end');
  return b;
}

describe('RELEASED-BEFORE-CANCEL-RETURNS', () => {
  it('requires a finished call\'s reference gone when a failing cancel returns', () => {
    expect(verdictOf(keptThenCancelled({}, WBEM_E_NOT_FOUND).judge(), 'RELEASED-BEFORE-CANCEL-RETURNS')).toBe('violated');
  });

  it('requires it whatever the cancel returns', () => {
    expect(verdictOf(keptThenCancelled({}, 0).judge(), 'RELEASED-BEFORE-CANCEL-RETURNS')).toBe('violated');
  });

  it('exempts a cancel through another IWbemServices (CANCEL-SCOPE-PER-SERVICES)', () => {
    expect(violatedRules(keptThenCancelled({ services: 'svc2' }, WBEM_E_NOT_FOUND).judge())).toEqual([]);
  });

  it('exempts a cancel from inside a callback (CANCEL-FROM-SINK-NOT-OPERATIONAL)', () => {
    expect(violatedRules(keptThenCancelled({ fromCallback: true }, WBEM_E_NOT_FOUND).judge())).toEqual([]);
  });
});

describe('RELEASE-AFTER-FINAL at the end of a trace', () => {
  /** A query cancelled while pending; the broker delivers the cancelled final status and keeps its reference. */
  function cancelledThenKept(o: { services?: string; fromCallback?: boolean }): TraceBuilder {
    const b = new TraceBuilder({ recorder: 'recorder' });
    b.accept('q', 's');
    if (o.fromCallback) {
      b.ind('i1', 's', 'q'); b.cancel('k', 's', { fromCallback: 'i1' }); b.cret('k'); b.iret('i1');
    } else {
      b.cancel('k', 's', o.services ? { services: o.services } : {}); b.cret('k');
    }
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end('quiescent');
    return b;
  }

  it('convicts a reference still held after the client cancelled with the sink, even before the call ended', () => {
    expect(violatedRules(cancelledThenKept({}).judge())).toEqual(['RELEASE-AFTER-FINAL']);
  });

  it('does not count a cancel through another IWbemServices', () => {
    expect(violatedRules(cancelledThenKept({ services: 'svc2' }).judge())).not.toContain('RELEASE-AFTER-FINAL');
  });

  it('does not count a cancel from inside a callback', () => {
    expect(violatedRules(cancelledThenKept({ fromCallback: true }).judge())).not.toContain('RELEASE-AFTER-FINAL');
  });

  it('convicts a reference still held after the client released IWbemServices', () => {
    const b = new TraceBuilder({ recorder: 'recorder' });
    b.accept('q', 's'); b.status('f', 's', 'q'); b.sret('f'); b.releaseServices('svc'); b.end('quiescent');
    expect(violatedRules(b.judge())).toEqual(['RELEASE-AFTER-FINAL']);
  });

  it('counts only the final Release of IWbemServices, by the count it returned', () => {
    const released = (count: number) => {
      const b = new TraceBuilder({ recorder: 'recorder' });
      b.accept('q', 's'); b.status('f', 's', 'q'); b.sret('f');
      b.add({ type: 'services.release.entered', services: 'svc' }); b.add({ type: 'services.release.returned', services: 'svc', count });
      b.end('quiescent');
      return violatedRules(b.judge());
    };
    expect(released(0)).toEqual(['RELEASE-AFTER-FINAL']);
    expect(released(1)).toEqual([]);
  });
});
