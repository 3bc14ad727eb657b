/**
 * A rule decided vacuously is `not exercised`, with its reason (RULES.md, "How a trace is judged",
 * item 2): no check says `held` (or `used`) over a trace in which its situation never occurs, and
 * every `not exercised` says what the trace lacked or why its instances were set aside.
 */
import { describe, expect, it } from 'vitest';
import { WBEM_E_CALL_CANCELLED, WBEM_E_FAILED } from '../trace/hresult.ts';
import { RULES } from './rules.ts';
import { SITUATIONS } from './situations.ts';
import { TraceBuilder, verdictOf, type BuilderOptions } from './trace-builder.ts';
import { createJudge, type JudgeResult } from './judge.ts';
import type { TraceEvent, TraceHeader } from '../trace/event.ts';

const WB: BuilderOptions = { whiteBox: true, recorder: 'simulation' };
const GENERIC = 'the trace never reached this rule\'s situation';

/** The rules whose verdict is something else than `not exercised`. */
function exercised(r: JudgeResult): string[] {
  return r.results.filter((x) => x.verdict !== 'not exercised').map((x) => x.rule).sort();
}

function reasonOf(r: JudgeResult, rule: string): string {
  return r.results.find((x) => x.rule === rule)!.reason ?? '';
}

/** Every `not exercised` verdict carries a reason of its own. */
function expectReasons(r: JudgeResult): void {
  for (const x of r.results.filter((y) => y.verdict === 'not exercised')) {
    expect(x.reason, x.rule).toBeTruthy();
    expect(x.reason, x.rule).not.toBe(GENERIC);
  }
}

/** The situations a plain query on its own sink does contain. */
const PLAIN_QUERY = [
  'CALL-RETURNS-IMMEDIATELY', // an asynchronous method call
  'ONE-CALLBACK-AT-A-TIME', // a call with two callbacks
  'NO-EMPTY-INDICATE', 'INDICATE-BATCHING', 'CALLBACK-OBJECTS-BORROWED', // an Indicate with objects
  'STATUS-FLAGS-VALID', 'FINAL-STATUS-ONCE', 'NOTHING-AFTER-FINAL', // a final status
  'LINT-PREFER-SEMISYNC', 'LINT-INIT-SECURITY', // an asynchronous call
];
/** A white-box trace records the sink's references too. */
const PLAIN_QUERY_WHITE_BOX = [...PLAIN_QUERY, 'BROKER-HOLDS-SINK', 'RELEASE-AFTER-FINAL', 'RELEASE-PROMPTLY'];

describe('every check over a trace that exercises nothing of it', () => {
  it('names the situation of every rule of the table', () => {
    expect(RULES.filter((r) => SITUATIONS[r.id] === undefined).map((r) => r.id)).toEqual([]);
  });

  for (const opts of [{}, WB]) {
    const kind = opts === WB ? 'white-box' : 'black-box';

    it(`says not exercised, with a reason, for every rule over an empty ${kind} trace`, () => {
      const b = new TraceBuilder(opts);
      b.end();
      const r = b.judge();
      expect(exercised(r)).toEqual([]);
      expectReasons(r);
    });

    it(`says held or used only for the situations a plain ${kind} query contains`, () => {
      const b = new TraceBuilder(opts);
      if (opts === WB) {
        b.accept('q', 's'); b.ind('i', 's', 'q'); b.iret('i'); b.final('f', 's', 'q');
      } else {
        b.call('q', 's'); b.ret('q'); b.ind('i', 's', 'q'); b.iret('i'); b.status('f', 's', 'q'); b.sret('f');
      }
      b.end();
      const r = b.judge();
      expect(exercised(r)).toEqual([...(opts === WB ? PLAIN_QUERY_WHITE_BOX : PLAIN_QUERY)].sort());
      expectReasons(r);
    });
  }
});

describe('rules whose situation needs more than the events that touch them', () => {
  it('LINT-ONE-SINK-PER-CALL needs a sink passed to a second call', () => {
    const b = new TraceBuilder();
    b.call('q1', 's1'); b.ret('q1'); b.status('f1', 's1', 'q1'); b.sret('f1');
    b.call('q2', 's2'); b.ret('q2'); b.status('f2', 's2', 'q2'); b.sret('f2');
    b.end();
    expect(verdictOf(b.judge(), 'LINT-ONE-SINK-PER-CALL')).toBe('not exercised');
    b.call('q3', 's1'); b.ret('q3'); b.status('f3', 's1', 'q3'); b.sret('f3');
    expect(verdictOf(b.judge(), 'LINT-ONE-SINK-PER-CALL')).toBe('held');
  });

  it('LINT-KEEP-INDICATED-OBJECTS needs a client model\'s observations', () => {
    const b = new TraceBuilder();
    b.call('q', 's'); b.ret('q'); b.ind('i', 's', 'q'); b.iret('i'); b.status('f', 's', 'q'); b.sret('f');
    const r = b.judge();
    expect(verdictOf(r, 'LINT-KEEP-INDICATED-OBJECTS')).toBe('not exercised');
    expect(reasonOf(r, 'LINT-KEEP-INDICATED-OBJECTS')).toContain('client model');
    b.add({ type: 'client.saw', what: 'success', call: 'q' });
    expect(verdictOf(b.judge(), 'LINT-KEEP-INDICATED-OBJECTS')).toBe('held');
  });

  it('CANCEL-SPARES-OTHER-SINKS needs a call pending on another sink while the cancel runs', () => {
    const b = new TraceBuilder();
    b.call('qa', 'a'); b.ret('qa'); b.status('fa', 'a', 'qa'); b.sret('fa');
    b.call('qb', 'b'); b.ret('qb'); b.cancel('k', 'b'); b.cret('k'); b.status('fb', 'b', 'qb', WBEM_E_CALL_CANCELLED); b.sret('fb');
    b.end();
    expect(verdictOf(b.judge(), 'CANCEL-SPARES-OTHER-SINKS')).toBe('not exercised');
  });

  it('CANCEL-DOES-NOT-WAIT-FOR-FINAL needs a held final status, CANCEL-DOES-NOT-WAIT-FOR-CLIENT a held Indicate or progress', () => {
    const b = new TraceBuilder();
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q', { held: true }); b.cancel('k', 's'); b.cret('k');
    b.hold('i1', 'cancel-returned'); b.iret('i1'); b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
    const r = b.judge();
    expect(verdictOf(r, 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT')).toBe('held');
    expect(verdictOf(r, 'CANCEL-DOES-NOT-WAIT-FOR-FINAL')).toBe('not exercised');
  });

  it('NO-CALLBACKS-AFTER-CANCEL holds for a cancelled call that got no callback after the cancel', () => {
    const b = new TraceBuilder();
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1'); b.cancel('k', 's'); b.cret('k');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
    expect(verdictOf(b.judge(), 'NO-CALLBACKS-AFTER-CANCEL')).toBe('held');
  });
});

describe('not exercised because every instance was set aside, with that reason', () => {
  it('a run cut at a bound says so', () => {
    const b = new TraceBuilder();
    b.call('q', 's'); b.ret('q'); b.end('bound');
    expect(reasonOf(b.judge(), 'NOTHING-AFTER-FINAL')).toContain('cut (bound)');
  });

  it('callbacks on a shared sink that name no call say so, where their attribution is a guess', () => {
    const b = new TraceBuilder();
    b.call('q1', 's'); b.ret('q1'); b.call('q2', 's'); b.ret('q2'); b.ind('i', 's', undefined); b.iret('i'); b.end('bound');
    // The streaming judge alone guesses the call (as it does beyond the attribution bound) and says so.
    const judge = createJudge();
    const [header, ...events] = b.lines();
    judge.begin(header as TraceHeader);
    for (const e of events) judge.event(e as TraceEvent);
    expect(reasonOf(judge.finish(), 'PROGRESS-ONLY-IF-ASKED')).toContain('attribution');
    // The attribution search tries both calls: nothing is set aside, and the reason is the situation's.
    expect(reasonOf(b.judge(), 'PROGRESS-ONLY-IF-ASKED')).toContain('no progress SetStatus');
  });

  it('SWBEMSINK-ONCOMPLETED-AFTER-CANCEL needs an operation outstanding when SWbemSink.Cancel is called', () => {
    const b = new TraceBuilder();
    b.add({ type: 'swbem.cancel.entered', swsink: 'W' }); b.add({ type: 'swbem.cancel.returned', swsink: 'W', err: 0 }); b.end();
    expect(verdictOf(b.judge(), 'SWBEMSINK-ONCOMPLETED-AFTER-CANCEL')).toBe('not exercised');
  });

  it('a cancel from inside a callback exercises none of the rules about what a cancel does', () => {
    const b = new TraceBuilder();
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.cancel('k', 's', { fromCallback: 'i1' }); b.cret('k'); b.iret('i1');
    b.status('f', 's', 'q'); b.sret('f'); b.end();
    const r = b.judge();
    for (const rule of ['CANCELLED-STATUS', 'NO-CALLBACKS-AFTER-CANCEL', 'CANCEL-DOES-NOT-WAIT-FOR-CLIENT']) {
      expect(verdictOf(r, rule), rule).toBe('not exercised');
      expect(reasonOf(r, rule), rule).toContain('CANCEL-FROM-SINK-NOT-OPERATIONAL');
    }
  });

  it('a call whose sink failed a callback before the cancel leaves CANCELLED-STATUS to SINK-ERROR-CANCELS', () => {
    const b = new TraceBuilder();
    b.call('q', 's'); b.ret('q'); b.ind('i1', 's', 'q'); b.iret('i1', WBEM_E_FAILED); b.cancel('k', 's'); b.cret('k');
    b.status('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.sret('f'); b.end();
    const r = b.judge();
    expect(verdictOf(r, 'CANCELLED-STATUS')).toBe('not exercised');
    expect(reasonOf(r, 'CANCELLED-STATUS')).toContain('SINK-ERROR-CANCELS');
    expect(verdictOf(r, 'SINK-ERROR-CANCELS')).toBe('held');
  });
});

describe('freedoms of the provider and of event delivery', () => {
  for (const early of [false, true]) {
    it(`PROVIDER-MAY-STOP is used when a cancelled query's provider runs on and its output is discarded (output ${early ? 'before' : 'after'} the final status)`, () => {
      const b = new TraceBuilder(WB);
      const runOn = () => { b.add({ type: 'provider.produced', call: 'q', count: 3 }); b.add({ type: 'provider.completed', call: 'q', hr: 0 }); };
      b.accept('q', 's'); b.add({ type: 'provider.started', call: 'q', kind: 'instance' });
      b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.cret('k');
      if (early) runOn();
      b.add({ type: 'annotation.final-decided', call: 'q', hResult: WBEM_E_CALL_CANCELLED }); b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED);
      if (!early) runOn();
      b.end();
      const r = b.judge();
      expect(verdictOf(r, 'PROVIDER-MAY-STOP')).toBe('used');
      expect(r.conformant).toBe(true);
    });
  }

  it('EVENTS-MAY-BE-DROPPED is not used for events produced after the cancel was processed', () => {
    const b = new TraceBuilder(WB);
    b.accept('q', 's', { op: 'ExecNotificationQueryAsync' }); b.add({ type: 'provider.started', call: 'q', kind: 'event' });
    b.add({ type: 'provider.produced', call: 'q', count: 1 }); b.ind('e', 's', 'q', { count: 1 }); b.iret('e');
    b.cancel('k', 's'); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] });
    b.add({ type: 'provider.produced', call: 'q', count: 4 }); b.cret('k');
    b.add({ type: 'annotation.final-decided', call: 'q', hResult: WBEM_E_CALL_CANCELLED }); b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.end();
    const r = b.judge();
    expect(verdictOf(r, 'EVENTS-MAY-BE-DROPPED')).toBe('not exercised');
    expect(r.conformant).toBe(true);
  });

  it('EVENTS-MAY-BE-DROPPED is not used for events produced after a cancel from inside a callback was processed', () => {
    const b = new TraceBuilder(WB);
    b.accept('q', 's', { op: 'ExecNotificationQueryAsync' }); b.add({ type: 'provider.started', call: 'q', kind: 'event' });
    b.add({ type: 'provider.produced', call: 'q', count: 1 }); b.ind('e', 's', 'q', { count: 1 });
    b.cancel('k', 's', { fromCallback: 'e' }); b.add({ type: 'annotation.cancel-processed', cancel: 'k', calls: ['q'] }); b.cret('k'); b.iret('e');
    b.add({ type: 'provider.produced', call: 'q', count: 3 });
    b.add({ type: 'annotation.final-decided', call: 'q', hResult: WBEM_E_CALL_CANCELLED }); b.final('f', 's', 'q', WBEM_E_CALL_CANCELLED); b.end();
    expect(verdictOf(b.judge(), 'EVENTS-MAY-BE-DROPPED')).toBe('not exercised');
  });

  it('EVENTS-MAY-BE-DROPPED is not used for events produced after the transport was lost, nor when callbacks are refused', () => {
    const lost = new TraceBuilder(WB);
    lost.accept('q', 's', { op: 'ExecNotificationQueryAsync' }); lost.add({ type: 'provider.started', call: 'q', kind: 'event' });
    lost.add({ type: 'provider.produced', call: 'q', count: 1 }); lost.ind('e', 's', 'q', { count: 1 }); lost.iret('e');
    lost.add({ type: 'marker.transport-lost' }); lost.add({ type: 'provider.produced', call: 'q', count: 2 }); lost.end();
    expect(verdictOf(lost.judge(), 'EVENTS-MAY-BE-DROPPED')).toBe('not exercised');
    const refused = new TraceBuilder(WB);
    refused.add({ type: 'marker.no-security' });
    refused.accept('q', 's', { op: 'ExecNotificationQueryAsync' }); refused.add({ type: 'provider.started', call: 'q', kind: 'event' });
    refused.add({ type: 'provider.produced', call: 'q', count: 2 }); refused.end();
    expect(verdictOf(refused.judge(), 'EVENTS-MAY-BE-DROPPED')).toBe('not exercised');
  });

  it('EVENTS-MAY-BE-DROPPED is used when an event produced before any cancel never arrives', () => {
    const b = new TraceBuilder(WB);
    b.accept('q', 's', { op: 'ExecNotificationQueryAsync' }); b.add({ type: 'provider.started', call: 'q', kind: 'event' });
    b.add({ type: 'provider.produced', call: 'q', count: 2 }); b.ind('e', 's', 'q', { count: 1 }); b.iret('e'); b.end();
    expect(verdictOf(b.judge(), 'EVENTS-MAY-BE-DROPPED')).toBe('used');
  });
});
