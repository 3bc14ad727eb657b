/**
 * A trace as a timeline for the terminal: one line per event, with its sequence number, its
 * virtual time, the party it belongs to (client, broker, sink, provider, scripting layer) and
 * what happened, in words. Events that a finding cites are marked `!` and name the rule.
 * Every text that comes from the trace passes through `inert` (it may hold control characters).
 */
import type { TraceEvent, TraceLine } from '../trace/event.ts';
import { hrName } from '../trace/hresult.ts';
import type { Finding } from '../specs/check.ts';
import { inert } from '../report/inert.ts';

const LANES = ['client', 'broker', 'sink', 'provider', 'script', 'harness'] as const;
type Lane = (typeof LANES)[number];

/** An HRESULT by its name where it has one (`WBEM_E_CALL_CANCELLED`), else in hex. */
function hr(n: number): string {
  return hrName(n).replace(/ \(0x[0-9a-f]{8}\)$/, '');
}

function held(e: { held?: boolean; holdBound?: number }): string {
  return e.held ? `, held until a cancel returns (watchdog ${e.holdBound ?? '?'})` : '';
}

/** The party an event belongs to, and what it says. */
export function describeEvent(e: TraceEvent): [Lane, string] {
  switch (e.type) {
    case 'sink.created': return ['client', e.wraps ? `makes ${e.sink}, an unsecured-apartment stub of ${e.wraps}` : `makes sink ${e.sink}`];
    case 'call.entered': return ['client', `${e.call}: ${e.op}(${e.sink ?? 'NULL'}${e.services !== 'svc1' ? ` via ${e.services}` : ''}${e.flags ? `, flags 0x${e.flags.toString(16)}` : ''}${e.swsink ? `, SWbemSink ${e.swsink}` : ''}) entered`];
    case 'call.returned': return ['client', `${e.call}: returned ${hr(e.hr)}`];
    case 'indicate.entered': return ['sink', `${e.cb}: Indicate(${e.count} object${e.count === 1 ? '' : 's'}) on ${e.sink}${e.call ? ` for ${e.call}` : ''} entered${held(e)}`];
    case 'indicate.returned': return ['sink', `${e.cb}: Indicate returned ${hr(e.ret)}`];
    case 'setstatus.entered': {
      const what = e.lFlags === 2 ? `SetStatus(progress 0x${e.hResult.toString(16).padStart(8, '0')})` : e.lFlags === 0 ? `SetStatus(final, ${hr(e.hResult)})` : `SetStatus(lFlags 0x${e.lFlags.toString(16)}, ${hr(e.hResult)})`;
      return ['sink', `${e.cb}: ${what} on ${e.sink}${e.call ? ` for ${e.call}` : ''} entered${held(e)}`];
    }
    case 'setstatus.returned': return ['sink', `${e.cb}: SetStatus returned ${hr(e.ret)}`];
    case 'hold.released': return ['harness', `${e.cb}: hold released by ${e.by === 'cancel-returned' ? 'the cancel\'s return' : e.by}`];
    case 'cancel.entered': return ['client', `${e.cancel}: CancelAsyncCall(${e.sink ?? 'NULL'}${e.services !== 'svc1' ? ` via ${e.services}` : ''}) entered${e.fromCallback ? ` from inside ${e.fromCallback}` : ''}`];
    case 'cancel.returned': return ['client', `${e.cancel}: CancelAsyncCall returned ${hr(e.hr)}`];
    case 'sink.addref': return [e.by === 'broker' ? 'broker' : e.by === 'scripting' ? 'script' : 'client', `AddRef ${e.sink} -> ${e.count}${e.by && e.by !== 'broker' && e.by !== 'client' ? ` (${e.by})` : ''}${e.call ? ` for ${e.call}` : ''}`];
    case 'sink.release': return [e.by === 'broker' ? 'broker' : e.by === 'scripting' ? 'script' : 'client', `Release ${e.sink} -> ${e.count}${e.by && e.by !== 'broker' && e.by !== 'client' ? ` (${e.by})` : ''}${e.call ? ` for ${e.call}` : ''}`];
    case 'services.release.entered': return ['client', `releases IWbemServices ${e.services}`];
    case 'services.release.returned': return ['client', `release of ${e.services} returned`];
    case 'marker.no-security': return ['harness', 'CoInitializeSecurity was not called'];
    case 'marker.transport-lost': return ['harness', 'the connection to the broker is lost'];
    case 'marker.auth-level': return ['harness', `${e.cb}: authentication level ${e.level}`];
    case 'marker.watchdog': return ['harness', `watchdog: ${e.verdict}: ${e.detail}`];
    case 'provider.started': return ['provider', `${e.call}: ${e.kind} provider started`];
    case 'provider.produced': return ['provider', `${e.call}: produced ${e.count}`];
    case 'provider.completed': return ['provider', `${e.call}: completed with ${hr(e.hr)}`];
    case 'provider.cancel-requested': return ['provider', `${e.call}: asked to cancel, answers ${hr(e.answer)}`];
    case 'provider.stopped': return ['provider', `${e.call}: stopped`];
    case 'annotation.cancel-processed': return ['broker', `${e.cancel}: cancel processed (p) for ${e.calls.length ? e.calls.join(', ') : 'no call'}`];
    case 'annotation.final-decided': return ['broker', `${e.call}: final status decided (d): ${hr(e.hResult)}`];
    case 'swbem.created': return ['script', `makes SWbemSink ${e.swsink}`];
    case 'swbem.cancel.entered': return ['script', `${e.swsink}.Cancel() entered${e.fromCallback ? ` from inside ${e.fromCallback}` : ''}`];
    case 'swbem.cancel.returned': return ['script', `${e.swsink}.Cancel() returned ${hr(e.err)}`];
    case 'swbem.nothing': return ['script', `Set ${e.swsink} = Nothing`];
    case 'swbem.event': return ['script', `${e.swsink}: ${e.event} for ${e.call}${e.hResult !== undefined ? ` (${hr(e.hResult)})` : ''}`];
    case 'client.saw': return ['client', `saw ${e.what}${e.call ? ` of ${e.call}` : ''}${e.detail ? `: ${e.detail}` : ''}`];
    case 'broker.idle': return ['broker', 'idle (no step enabled)'];
    case 'run.end': return ['harness', `run ended: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`];
  }
}

/** The timeline of a trace; `findings` mark the events they cite. */
export function formatTimeline(trace: readonly TraceLine[], findings: readonly Finding[] = []): string {
  const cited = new Map<number, string[]>();
  for (const f of findings) {
    for (const seq of f.events) {
      const rules = cited.get(seq) ?? [];
      if (!rules.includes(f.rule)) rules.push(f.rule);
      cited.set(seq, rules);
    }
  }
  const events = trace.filter((l): l is TraceEvent => l.type !== 'header');
  const seqWidth = Math.max(3, String(events.at(-1)?.seq ?? 0).length);
  const tWidth = Math.max(2, ...events.map((e) => String(e.t ?? '').length));
  const out = [`  ${' '.repeat(seqWidth - 1)}#  ${'t'.padStart(tWidth)}  ${'party'.padEnd(8)} event`];
  for (const e of events) {
    const [lane, text] = describeEvent(e);
    const rules = cited.get(e.seq);
    out.push(`${rules ? '!' : ' '} ${String(e.seq).padStart(seqWidth)}  ${String(e.t ?? '').padStart(tWidth)}  ${lane.padEnd(8)} ${inert(text)}${rules ? `   <- ${rules.join(', ')}` : ''}`);
  }
  return out.join('\n') + '\n';
}
