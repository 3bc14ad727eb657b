/**
 * The scripting layer: a model of SWbemSink. A script makes async calls through an SWbemSink;
 * the layer gives the broker one internal IWbemObjectSink per operation, turns its callbacks into
 * the script's events (OnObjectReady per object, OnProgress, OnCompleted), and implements
 * SWbemSink.Cancel by cancelling every outstanding operation of that SWbemSink. Setting the
 * variable to Nothing does not cancel (SWBEMSINK-NOTHING-IS-NOT-CANCEL). Its faults, for the
 * scripting layer's mutants, are data (`ScriptingFaults`).
 */
import { joinSorted, type KeyOrder } from '../trace/key-order.ts';
import { WBEM_FLAG_SEND_STATUS, WBEM_STATUS_PROGRESS, failed, S_OK } from '../trace/hresult.ts';
import type { UnnumberedEvent } from '../trace/event.ts';

/** Faults a mutant of the scripting layer may plant (each breaks one SWBEMSINK-* rule). */
export interface ScriptingFaults {
  /** SWbemSink.Cancel cancels only the first outstanding operation (SWBEMSINK-CANCEL-ALL). */
  cancelOnlyFirst?: boolean;
  /** OnProgress is raised on every Indicate, asked for or not (SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED). */
  progressAlways?: boolean;
  /** OnCompleted is raised twice, or with 0 for a failure (SWBEMSINK-ONCOMPLETED-HRESULT). */
  completedTwice?: boolean;
  completedAlwaysZero?: boolean;
}

/** What the layer needs from the world. */
export interface ScriptingHost {
  emit(e: UnnumberedEvent): void;
  addRef(sink: string, by: 'scripting'): void;
  release(sink: string, by: 'scripting'): void;
  /** Issues CancelAsyncCall(sink) on behalf of the layer; the world tells `cancelReturned` later. */
  cancel(id: string, services: string, sink: string, fromCallback?: string): void;
}

interface Operation {
  call: string;
  swsink: string;
  services: string;
  sink: string;
  flags: number;
  completed: boolean;
  released: boolean;
}

interface RunningCancel {
  swsink: string;
  waiting: Set<string>;
  err: number;
}

export class SwbemSinkLayer {
  private readonly ops = new Map<string, Operation>();
  private readonly bySink = new Map<string, Operation>();
  private readonly cancels = new Map<string, RunningCancel>();
  private cancelCount = 0;

  constructor(private readonly host: ScriptingHost, private readonly faults: ScriptingFaults = {}) {}

  /** What a saved state of the layer keeps as is: its host's callbacks and the planted faults. */
  sharedParts(): object[] {
    return [this.host, this.faults];
  }

  /** The SWbemSink was created by the script. */
  created(swsink: string): void {
    this.host.emit({ type: 'swbem.created', swsink });
  }

  /** A call made through `swsink`: returns the internal sink pointer the broker gets. */
  sinkFor(call: string, swsink: string, services: string, flags: number): string {
    const sink = `${swsink}.${call}`;
    const op: Operation = { call, swsink, services, sink, flags, completed: false, released: false };
    this.ops.set(call, op);
    this.bySink.set(sink, op);
    this.host.emit({ type: 'sink.created', sink });
    this.host.addRef(sink, 'scripting');
    return sink;
  }

  /** Whether `sink` is one of the layer's internal sinks. */
  owns(sink: string): boolean {
    return this.bySink.has(sink);
  }

  /** A callback reached an internal sink: raise the script's events inside it. */
  callback(sink: string, kind: 'indicate' | 'setstatus', count: number, lFlags: number, hResult: number): void {
    const op = this.bySink.get(sink);
    if (!op) return;
    if (kind === 'indicate') {
      for (let i = 0; i < count; i++) this.host.emit({ type: 'swbem.event', swsink: op.swsink, call: op.call, event: 'OnObjectReady' });
      if (this.faults.progressAlways && (op.flags & WBEM_FLAG_SEND_STATUS) === 0) {
        this.host.emit({ type: 'swbem.event', swsink: op.swsink, call: op.call, event: 'OnProgress', hResult: 0 });
      }
    } else if (lFlags === WBEM_STATUS_PROGRESS) {
      this.host.emit({ type: 'swbem.event', swsink: op.swsink, call: op.call, event: 'OnProgress', hResult });
    } else {
      const hr = this.faults.completedAlwaysZero ? S_OK : hResult >>> 0;
      if (op.completed && !this.faults.completedTwice) return;
      op.completed = true;
      this.host.emit({ type: 'swbem.event', swsink: op.swsink, call: op.call, event: 'OnCompleted', hResult: hr });
      if (this.faults.completedTwice) this.host.emit({ type: 'swbem.event', swsink: op.swsink, call: op.call, event: 'OnCompleted', hResult: hr });
    }
  }

  /** The final SetStatus of an internal sink returned: the layer lets go of that sink. */
  finalReturned(sink: string): void {
    const op = this.bySink.get(sink);
    if (op && !op.released) {
      op.released = true;
      this.host.release(op.sink, 'scripting');
    }
  }

  /**
   * SWbemSink.Cancel: cancels every outstanding operation of the SWbemSink. `completing`: an
   * operation whose OnCompleted was raised but whose final SetStatus has not returned (the layer
   * still holds its sink) counts as outstanding too, as for a Cancel made from inside OnCompleted.
   */
  cancel(swsink: string, fromCallback?: string, completing = false): void {
    this.host.emit(fromCallback ? { type: 'swbem.cancel.entered', swsink, fromCallback } : { type: 'swbem.cancel.entered', swsink });
    let outstanding = [...this.ops.values()].filter((o) => o.swsink === swsink && (!o.completed || (completing && !o.released)));
    if (this.faults.cancelOnlyFirst) outstanding = outstanding.slice(0, 1);
    const n = ++this.cancelCount;
    const running: RunningCancel = { swsink, waiting: new Set(), err: S_OK };
    if (outstanding.length === 0) {
      this.host.emit({ type: 'swbem.cancel.returned', swsink, err: S_OK });
      return;
    }
    for (const op of outstanding) {
      const id = `${swsink}.cancel${n}.${op.call}`;
      running.waiting.add(id);
      this.cancels.set(id, running);
    }
    for (const op of outstanding) this.host.cancel(`${swsink}.cancel${n}.${op.call}`, op.services, op.sink, fromCallback);
  }

  /** Whether a cancel id belongs to the layer. */
  ownsCancel(id: string): boolean {
    return this.cancels.has(id);
  }

  /** One of the layer's CancelAsyncCalls returned; when all did, SWbemSink.Cancel returns and frees the sinks. */
  cancelReturned(id: string, hr: number): void {
    const running = this.cancels.get(id);
    if (!running) return;
    this.cancels.delete(id);
    running.waiting.delete(id);
    if (failed(hr) && running.err === S_OK) running.err = hr >>> 0;
    if (running.waiting.size > 0) return;
    this.host.emit({ type: 'swbem.cancel.returned', swsink: running.swsink, err: running.err });
    // "discontinue the operation and free the associated resources" (004).
    for (const op of this.ops.values()) {
      if (op.swsink === running.swsink && !op.released) {
        op.released = true;
        this.host.release(op.sink, 'scripting');
      }
    }
  }

  /** The script set its SWbemSink variable to Nothing: the operations go on (002; 004). */
  nothing(swsink: string): void {
    this.host.emit({ type: 'swbem.nothing', swsink });
  }

  stateKey(order?: KeyOrder): string {
    // Sorted: the order in which operations began must not split equal states.
    return joinSorted([...this.ops.values()].map((o) => `${o.call}${o.completed ? 'c' : ''}${o.released ? 'r' : ''}`), ',', order) + '/' + joinSorted(this.cancels.keys(), ',', order);
  }
}
