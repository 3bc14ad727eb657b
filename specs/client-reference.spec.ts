/**
 * The client's own reference to a sink counts once, whether the trace leaves it implicit (a
 * recording) or logs it as the client's first AddRef bringing the count to 1 (the simulation
 * does): CANCEL-AFTER-CLIENT-RELEASE and LINT-CANCEL-NEVER-ENDING must see the client's one
 * Release as the end of its reference either way.
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED } from '../trace/hresult.ts';
import { TraceBuilder, verdictOf } from './trace-builder.ts';

function logged(b: TraceBuilder): TraceBuilder {
  b.add({ type: 'sink.created', sink: 's' });
  b.add({ type: 'sink.addref', sink: 's', count: 1, by: 'client' });
  return b;
}

describe('the client\'s own reference, logged at creation', () => {
  for (const [name, start] of [['implicit', (b: TraceBuilder) => b], ['logged', logged]] as const) {
    it(`${name}: a cancel after the client released its sink exercises CANCEL-AFTER-CLIENT-RELEASE`, () => {
      const b = start(new TraceBuilder());
      b.add({ type: 'sink.addref', sink: 's', count: 2, by: 'broker' });
      b.call('q', 's'); b.ret('q');
      b.add({ type: 'sink.release', sink: 's', count: 1, by: 'client' });
      b.cancel('k', 's');
      b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f');
      b.add({ type: 'sink.release', sink: 's', count: 0, by: 'broker' });
      b.cret('k'); b.end();
      expect(verdictOf(b.judge(), 'CANCEL-AFTER-CLIENT-RELEASE')).toBe('held');
    });

    it(`${name}: a notification query whose sink the client releases without a cancel is a LINT-CANCEL-NEVER-ENDING finding`, () => {
      const b = start(new TraceBuilder());
      b.call('n', 's', { op: 'ExecNotificationQueryAsync' });
      b.add({ type: 'sink.addref', sink: 's', count: 2, by: 'broker' });
      b.ret('n');
      b.add({ type: 'sink.release', sink: 's', count: 1, by: 'client' });
      b.end();
      expect(verdictOf(b.judge(), 'LINT-CANCEL-NEVER-ENDING')).toBe('violated');
    });
  }
});
