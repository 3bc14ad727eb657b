/**
 * A trace drawn as an SVG sequence diagram: a lane per actor (each client thread, each sink, the
 * broker, each call's provider), one row per event in trace order with its virtual time, arrows
 * for calls and callbacks (dashed for their returns), the offending events highlighted, and each
 * call's lifecycle state (the main region of the lifecycle machine, as the monitor follows it)
 * written along its client lane where it changes. Every text drawn is escaped.
 */
import type { TraceEvent, TraceLine } from '../trace/event.ts';
import { Monitor } from '../specs/monitor.ts';
import { html } from './escape.ts';

interface Row {
  seq: number;
  t?: number;
  from: string;
  to: string;
  label: string;
  style: 'call' | 'return' | 'ref' | 'note';
  /** The call whose lifecycle state this event may change. */
  call?: string;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** Lays the trace out as rows between lanes. */
function rows(events: readonly TraceLine[]): { lanes: string[]; rows: Row[]; callLane: Map<string, string> } {
  const clients: string[] = [];
  const sinks: string[] = [];
  const providers: string[] = [];
  const add = (list: string[], lane: string) => { if (!list.includes(lane)) list.push(lane); return lane; };
  const callLane = new Map<string, string>();
  const cancelLane = new Map<string, string>();
  const cbSink = new Map<string, string>();
  const threadLane = (thread: string | undefined, fallback: string): string => {
    if (thread?.startsWith('sink:')) {
      const sink = cbSink.get(thread.slice(5));
      if (sink) return add(sinks, `sink ${sink}`);
    }
    if (thread?.startsWith('client')) return add(clients, thread.replace(/^client:?/, 'client ').trim());
    return add(clients, fallback);
  };
  const out: Row[] = [];
  for (const line of events) {
    const e = line as TraceEvent & { seq: number; t?: number; thread?: string };
    const r = (from: string, to: string, label: string, style: Row['style'], call?: string) => out.push({ seq: e.seq, t: e.t, from, to, label, style, ...(call ? { call } : {}) });
    switch (e.type) {
      case 'header' as string: break;
      case 'sink.created': r(add(sinks, `sink ${e.sink}`), add(sinks, `sink ${e.sink}`), `sink ${e.sink} created`, 'note'); break;
      case 'call.entered': {
        const lane = threadLane(e.thread, 'client');
        callLane.set(e.call, lane);
        r(lane, 'broker', `${e.op} ${e.call}${e.sink ? ` (sink ${e.sink})` : ''}`, 'call', e.call);
        break;
      }
      case 'call.returned': r('broker', callLane.get(e.call) ?? threadLane(e.thread, 'client'), `${e.call} returns ${hex(e.hr)}`, 'return', e.call); break;
      case 'indicate.entered':
        cbSink.set(e.cb, e.sink);
        r('broker', add(sinks, `sink ${e.sink}`), `Indicate ${e.cb} (${e.count} obj)`, 'call', e.call);
        break;
      case 'indicate.returned': r(add(sinks, `sink ${cbSink.get(e.cb) ?? '?'}`), 'broker', `Indicate ${e.cb} returns ${hex(e.ret)}`, 'return', e.call ?? e.cb.split('#')[0]); break;
      case 'setstatus.entered':
        cbSink.set(e.cb, e.sink);
        r('broker', add(sinks, `sink ${e.sink}`), `SetStatus ${e.cb} ${e.lFlags === 0 ? 'COMPLETE' : `flags ${e.lFlags}`} ${hex(e.hResult)}`, 'call', e.call);
        break;
      case 'setstatus.returned': r(add(sinks, `sink ${cbSink.get(e.cb) ?? '?'}`), 'broker', `SetStatus ${e.cb} returns ${hex(e.ret)}`, 'return', e.call ?? e.cb.split('#')[0]); break;
      case 'cancel.entered': {
        const lane = e.fromCallback ? add(sinks, `sink ${cbSink.get(e.fromCallback) ?? e.sink ?? '?'}`) : threadLane(e.thread, 'client');
        cancelLane.set(e.cancel, lane);
        r(lane, 'broker', `CancelAsyncCall ${e.cancel}${e.sink ? ` (sink ${e.sink})` : ''}`, 'call');
        break;
      }
      case 'cancel.returned': r('broker', cancelLane.get(e.cancel) ?? threadLane(e.thread, 'client'), `cancel ${e.cancel} returns ${hex(e.hr)}`, 'return'); break;
      case 'sink.addref':
      case 'sink.release': {
        const by = e.by === 'broker' ? 'broker' : e.by === 'client' ? (clients[0] ?? add(clients, 'client')) : 'broker';
        r(by, add(sinks, `sink ${e.sink}`), `${e.type === 'sink.addref' ? 'AddRef' : 'Release'} → ${e.count}`, 'ref', e.call);
        break;
      }
      case 'provider.started': r('broker', add(providers, `provider ${e.call}`), `start ${e.call} (${e.kind})`, 'call', e.call); break;
      case 'provider.produced': r(add(providers, `provider ${e.call}`), 'broker', `produced ${e.count}`, 'return', e.call); break;
      case 'provider.completed': r(add(providers, `provider ${e.call}`), 'broker', `completed ${hex(e.hr)}`, 'return', e.call); break;
      case 'provider.cancel-requested': r('broker', add(providers, `provider ${e.call}`), `cancel request → ${hex(e.answer)}`, 'call', e.call); break;
      case 'provider.stopped': r(add(providers, `provider ${e.call}`), add(providers, `provider ${e.call}`), 'stopped', 'note', e.call); break;
      case 'annotation.cancel-processed': r('broker', 'broker', `p: cancel ${e.cancel} processed (${e.calls.join(', ')})`, 'note'); break;
      case 'annotation.final-decided': r('broker', 'broker', `d: final status of ${e.call} decided ${hex(e.hResult)}`, 'note', e.call); break;
      default: {
        const x = e as { type: string; seq: number; call?: string; cb?: string };
        r('broker', 'broker', x.type + (x.call ? ` ${x.call}` : x.cb ? ` ${x.cb}` : ''), 'note', x.call);
      }
    }
  }
  const lanes = [...clients, ...sinks, 'broker', ...providers];
  return { lanes, rows: out, callLane };
}

/** The lifecycle state of every call after each event, from the lifecycle monitor. */
function lifecycleStates(events: readonly TraceLine[]): Map<number, Map<string, string>> {
  const annotated = events.some((e) => e.type.startsWith('annotation.'));
  const monitor = new Monitor({ annotated });
  const calls = new Set<string>();
  const out = new Map<number, Map<string, string>>();
  for (const line of events) {
    if (line.type === 'header') continue;
    const e = line as TraceEvent;
    if (e.type === 'call.entered') calls.add(e.call);
    monitor.event(e);
    const now = new Map<string, string>();
    for (const c of calls) {
      // The state names alone: a `+p` tag (a silently placed cancel) is the monitor's bookkeeping.
      const s = monitor.stateOf(c)?.lifecycle;
      if (s) now.set(c, [...new Set(s.split('|').map((x) => x.replace(/\+p$/, '')))].join(' or '));
    }
    out.set(e.seq, now);
  }
  return out;
}

const LANE_W = 128;
const ROW_H = 24;
const LEFT = 150;
const TOP = 56;

/** The SVG of one trace; `highlight` holds the sequence numbers of the offending events. */
export function sequenceDiagram(events: readonly TraceLine[], highlight: ReadonlySet<number>, maxRows = 400): string {
  const { lanes, rows: all, callLane } = rows(events);
  const shown = all.length > maxRows ? all.filter((r, i) => i < maxRows || highlight.has(r.seq)) : all;
  const states = lifecycleStates(events);
  const x = (lane: string) => LEFT + lanes.indexOf(lane) * LANE_W + LANE_W / 2;
  const width = LEFT + lanes.length * LANE_W + 20;
  const height = TOP + shown.length * ROW_H + 30;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="seq" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="sequence diagram of the witness">`);
  parts.push('<defs><marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#333"/></marker>'
    + '<marker id="ahh" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#c0182c"/></marker></defs>');
  parts.push(`<text x="8" y="20" class="colhead">seq</text><text x="44" y="20" class="colhead">time</text>`);
  for (const lane of lanes) {
    const cx = x(lane);
    parts.push(`<g class="lane"><rect x="${cx - LANE_W / 2 + 8}" y="6" width="${LANE_W - 16}" height="24" rx="4" class="lanehead ${lane === 'broker' ? 'broker' : lane.split(' ')[0]}"/>`
      + `<text x="${cx}" y="22" text-anchor="middle" class="lanename">${html(lane)}</text>`
      + `<line x1="${cx}" y1="30" x2="${cx}" y2="${height - 10}" class="lifeline"/></g>`);
  }
  const lastState = new Map<string, string>();
  shown.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    const hl = highlight.has(r.seq);
    const cls = `ev ${r.style}${hl ? ' hl' : ''}`;
    const g: string[] = [`<g class="${cls}" data-seq="${r.seq}">`];
    if (hl) g.push(`<rect x="2" y="${y - ROW_H / 2 - 2}" width="${width - 4}" height="${ROW_H}" class="hlrow"/>`);
    g.push(`<text x="8" y="${y + 4}" class="seqno">${r.seq}</text><text x="44" y="${y + 4}" class="time">${r.t ?? ''}</text>`);
    const x1 = x(r.from);
    const x2 = x(r.to);
    if (x1 === x2) {
      g.push(`<circle cx="${x1}" cy="${y}" r="${hl ? 6 : 4}" class="dot"/><text x="${x1 + 10}" y="${y + 4}" class="label">${html(r.label)}</text>`);
    } else {
      const dir = x2 > x1 ? 1 : -1;
      g.push(`<line x1="${x1}" y1="${y}" x2="${x2 - dir * 2}" y2="${y}" class="arrow" marker-end="url(#${hl ? 'ahh' : 'ah'})"/>`);
      const lx = Math.min(x1, x2) + 6;
      g.push(`<text x="${lx}" y="${y - 4}" class="label">${html(r.label)}</text>`);
    }
    g.push('</g>');
    parts.push(g.join(''));
    // The lifecycle state of each call whose state this event changed, on the call's own lane.
    for (const [call, state] of states.get(r.seq) ?? []) {
      if (lastState.get(call) === state) continue;
      lastState.set(call, state);
      const lane = callLane.get(call);
      if (!lane) continue;
      const cx = x(lane);
      const text = `${call}: ${state}`;
      const w = 7 * text.length + 10;
      parts.push(`<g class="state" data-call="${html(call)}"><rect x="${cx - w - 4}" y="${y + 2}" width="${w}" height="15" rx="7"/><text x="${cx - 4 - w / 2}" y="${y + 13}" text-anchor="middle">${html(text)}</text></g>`);
    }
  });
  if (shown.length < all.length) parts.push(`<text x="8" y="${height - 8}" class="label">${all.length - shown.length} more events not drawn (see the trace table)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
