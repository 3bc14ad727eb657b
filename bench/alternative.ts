/**
 * The straightforward alternative (table 2 of `npm run bench`): the standard workload written the way a
 * user would test it without wbemsim. Each call is one XState actor of the same
 * `lifecycleMachine`, created with `createActor` and fed through `actor.send`; the broker, the
 * providers and the client are async functions whose every step awaits a promise scheduled by
 * fast-check's `fc.scheduler()`, which picks the interleaving; the property fails on a rejection.
 *
 * Checks expressible there: every rule the lifecycle machine's rejecting transitions name, per
 * call, through the machine's own `reject` action (the same table the wbemsim monitor compiles).
 * Not expressed: the trace predicates of specs/ (they need the whole trace and its placements),
 * reference counting across calls, the SWbemSink layer, virtual time (slow sinks, lengthy
 * methods, the watchdog) and the broker's optional freedoms (batching, late callbacks, losing a
 * cancel race). Counting: one step is one scheduled task run by the scheduler, as in wbemsim
 * one step is one scheduler decision.
 */
import fc from 'fast-check';
import { createActor, type AnyActorRef } from 'xstate';
import { lifecycleMachine, type CallEventType } from '../specs/lifecycle-machine.ts';
import type { CallSpec, Workload } from '../sim/workload.ts';

/** A rejection seen by an actor: the call, the event and the rules named. */
export interface AlternativeViolation {
  call: string;
  event: string;
  rules: string[];
}

/** A notification: a plain promise a thread waits on until another thread changes something. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
  fire(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}

interface CallState {
  spec: CallSpec;
  actor: AnyActorRef;
  made: boolean;
  returned: boolean;
  queued: number;
  producing: boolean;
  completed: boolean;
  cancelled: boolean;
  finalCalled: boolean;
  finalReturned: boolean;
  stored: boolean;
  progressSent: boolean;
  /** The callback in progress, with the cancel made from inside it (awaited before it returns). */
  inCallback: boolean;
  innerCancel?: Promise<void>;
}

/**
 * One run of `workload` under the scheduler `s`: returns the number of scheduled steps taken and
 * the machine's rejections. What a user would write: actors, promises, shared flags.
 */
export async function runAlternative(s: fc.Scheduler, workload: Workload): Promise<{ steps: number; violations: AlternativeViolation[]; cancelled: string[] }> {
  let steps = 0;
  const violations: AlternativeViolation[] = [];
  const changed = new Signal();
  const step = async () => {
    await s.schedule(Promise.resolve());
    steps++;
  };
  const until = async (cond: () => boolean) => {
    while (!cond()) await changed.wait();
  };
  const calls = new Map<string, CallState>();
  const sinkOf = new Map(workload.sinks.flatMap((k) => (k.wrapped ? [[k.id, k.id], [`${k.id}~stub`, k.id]] : [[k.id, k.id]])));
  const send = (c: CallState, type: CallEventType) => c.actor.send({ type });
  const satisfied = (after: string | undefined) => {
    if (!after) return true;
    const c = calls.get(after.replace(/\.final$/, ''));
    return !!c && (after.endsWith('.final') ? c.finalReturned : c.returned);
  };

  for (const spec of workload.calls) {
    const machine = lifecycleMachine.provide({
      actions: {
        reject: ({ event }: { event: { type: string } }, params: unknown) => {
          violations.push({ call: spec.id, event: event.type, rules: (params as { rules: string[] }).rules });
        },
      },
    });
    const actor = createActor(machine);
    actor.start();
    calls.set(spec.id, {
      spec, actor, made: false, returned: false, queued: 0, producing: false, completed: false, cancelled: false,
      finalCalled: false, finalReturned: false, stored: false, progressSent: false, inCallback: false,
    });
  }

  const callThread = async (c: CallState) => {
    await until(() => satisfied(c.spec.after));
    await step();
    const op = c.spec.op;
    c.made = true;
    c.stored = true;
    send(c, op === 'ExecMethodAsync' ? 'CALL_METHOD' : op === 'ExecNotificationQueryAsync' ? 'CALL_NOTIFICATION' : 'CALL_OTHER');
    if ((c.spec.flags ?? 0) & 0x80) send(c, 'SEND_STATUS');
    send(c, 'REF_TAKEN');
    send(c, 'PROVIDER_STARTED');
    c.producing = true;
    changed.fire();
    await Promise.all([returnThread(c), providerThread(c), deliveryThread(c)]);
  };

  const returnThread = async (c: CallState) => {
    await step();
    c.returned = true;
    send(c, 'RETURNED_OK');
    changed.fire();
  };

  const providerThread = async (c: CallState) => {
    const kind = c.spec.op;
    const objects = kind === 'ExecQueryAsync' || kind === 'CreateInstanceEnumAsync' || kind === 'ExecNotificationQueryAsync' ? c.spec.objects ?? 2
      : kind === 'GetObjectAsync' || kind === 'ExecMethodAsync' ? 1 : 0;
    for (let i = 0; i < objects; i++) {
      await step();
      if (!c.producing) return;
      c.queued++;
      send(c, 'PROVIDER_PRODUCED');
      changed.fire();
    }
    // A notification query's provider never completes (NOTIFICATION-NEVER-COMPLETES).
    if (kind === 'ExecNotificationQueryAsync') return;
    await step();
    if (!c.producing) return;
    c.producing = false;
    c.completed = true;
    send(c, 'PROVIDER_COMPLETED');
    changed.fire();
  };

  const callback = async (c: CallState, entered: CallEventType, returned: CallEventType) => {
    c.inCallback = true;
    send(c, entered);
    changed.fire();
    await step();
    if (c.innerCancel) await c.innerCancel;
    c.inCallback = false;
    send(c, returned);
    changed.fire();
  };

  const deliveryThread = async (c: CallState) => {
    const progress = ((c.spec.flags ?? 0) & 0x80) !== 0;
    for (;;) {
      await until(() => c.cancelled || c.queued > 0 || (progress && !c.progressSent) || c.completed);
      await step();
      if (c.cancelled || c.completed && c.queued === 0) break;
      if (c.queued > 0) {
        c.queued--;
        await callback(c, 'INDICATE_ENTERED', 'INDICATE_RETURNED');
      } else if (progress && !c.progressSent) {
        c.progressSent = true;
        await callback(c, 'PROGRESS_ENTERED', 'PROGRESS_RETURNED');
      }
    }
    c.finalCalled = true;
    send(c, 'FINAL_DECIDED');
    send(c, c.cancelled ? 'FINAL_CANCELLED_ENTERED' : 'FINAL_OK_ENTERED');
    await step();
    c.finalReturned = true;
    send(c, 'FINAL_RETURNED');
    changed.fire();
    // The stored reference goes after the final status, unless a cancel already dropped it.
    if (!c.stored && !c.cancelled) return;
    await step();
    if (c.stored || c.cancelled) {
      c.stored = false;
      send(c, 'REF_RELEASED');
    }
  };

  /** CancelAsyncCall(sink): entered, processed by the broker (a step), returned (a step). */
  const cancel = async (pointer: string) => {
    await step();
    for (const c of calls.values()) {
      if (!c.made || c.spec.sink !== pointer) continue;
      if (!c.finalCalled && !c.cancelled) {
        c.cancelled = true;
        send(c, 'CANCEL_PROCESSED');
        if (c.spec.op !== 'ExecMethodAsync' && c.producing) {
          c.producing = false;
          send(c, 'PROVIDER_CANCEL_REQUESTED');
          send(c, 'PROVIDER_STOPPED');
        }
        // The stored reference becomes the cancelled delivery's, released after its final status.
        c.stored = false;
      } else if (c.finalReturned && c.stored) {
        // RELEASED-BEFORE-CANCEL-RETURNS.
        c.stored = false;
        send(c, 'REF_RELEASED');
      }
    }
    changed.fire();
    await step();
  };

  const actionThread = async (a: NonNullable<Workload['actions']>[number]) => {
    if (a.kind !== 'cancel' || a.sink === null) return;
    const spec = workload.sinks.find((k) => k.id === a.sink);
    const pointer = spec?.wrapped && !a.inner ? `${a.sink}~stub` : a.sink;
    await until(() => satisfied(a.after));
    if (!a.fromCallback) {
      await step();
      await cancel(pointer);
      return;
    }
    // From inside a callback on the sink: wait for one to be running, then race it to its return.
    for (;;) {
      const inCb = () => [...calls.values()].find((c) => c.inCallback && !c.innerCancel && sinkOf.get(c.spec.sink ?? '') === a.sink);
      await until(() => inCb() !== undefined);
      await step();
      const c = inCb();
      if (!c) continue;
      let done!: () => void;
      c.innerCancel = new Promise<void>((r) => { done = r; });
      await cancel(pointer);
      done();
      return;
    }
  };

  await Promise.race([
    Promise.all([...workload.calls.map((c) => callThread(calls.get(c.id)!)), ...(workload.actions ?? []).map(actionThread)]),
    // Threads left waiting forever (a notification query never cancelled) end the run when the scheduler is idle.
    s.waitIdle(),
  ]);
  for (const c of calls.values()) c.actor.stop();
  return { steps, violations, cancelled: [...calls.values()].filter((c) => c.cancelled).map((c) => c.spec.id) };
}

/**
 * Runs `runs` interleavings of `workload` the way a user would: `fc.assert` of an async property
 * over `fc.scheduler()`, failing on any rejection. Returns the scheduled steps taken in all.
 */
export async function alternativeBatch(workload: Workload, runs: number, seed: number): Promise<{ runs: number; steps: number }> {
  let steps = 0;
  await fc.assert(
    fc.asyncProperty(fc.scheduler(), async (s) => {
      const r = await runAlternative(s, workload);
      steps += r.steps;
      if (r.violations.length) throw new Error(`alternative model rejected: ${JSON.stringify(r.violations[0])}`);
    }),
    { numRuns: runs, seed },
  );
  return { runs, steps };
}
