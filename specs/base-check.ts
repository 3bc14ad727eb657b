/**
 * The common shape of every rule check: its rule row, its outcome, and the shared tracker it
 * reads. A rule file subclasses it, lists the event types it reads (`types`), and implements
 * `event` and/or the tracker's window hooks; `finish` adds end-of-run judgements.
 */
import type { Finding, RuleInfo, RuleCheck, RuleResult } from './check.ts';
import type { TraceEvent, TraceEventType, TraceHeader } from '../trace/event.ts';
import { failed, hrName } from '../trace/hresult.ts';
import { RuleOutcome } from './rule-outcome.ts';
import { ruleInfo } from './rules.ts';
import type { Tracker } from './tracker.ts';
import { NONE, type CallbackRec, type CallRec, type CancelRec } from './records.ts';
import { situationMissing } from './situations.ts';

export abstract class BaseCheck implements RuleCheck {
  readonly rule: RuleInfo;
  protected readonly out: RuleOutcome;
  abstract readonly types: readonly TraceEventType[];
  /** Rules about harness-owned providers are judged only on white-box traces (item 7). */
  protected readonly whiteBoxOnly: boolean = false;

  constructor(protected readonly t: Tracker, id: string) {
    this.rule = ruleInfo(id);
    this.out = new RuleOutcome(this.rule, () => t.ambiguous);
  }

  begin(_header: TraceHeader): void {}

  /** The decided breach this check found so far, if any (the explorer reads it at the end of a path). */
  firstViolation(): Finding | undefined {
    return this.out.firstViolation();
  }

  /**
   * What this check remembers of the trace so far that can change a future verdict, beyond what
   * the tracker and the judge's cancel windows say (specs/cancel-windows.ts), as a canonical
   * string: never sequence numbers, counts of past events or findings. Equal keys of every
   * check, with equal world and monitor states, let exhaustive search explore a state once.
   */
  stateKey(): string {
    return '';
  }

  event(_e: TraceEvent): void {}

  /** End-of-run judgements (liveness); windows are already closed when it runs. */
  protected end(): void {}

  /** Why the rule was not exercised, when it was not: the situation the trace lacks. */
  protected notExercised(): string {
    return situationMissing(this.rule.id);
  }

  finish(): RuleResult {
    if (this.whiteBoxOnly && !this.t.header.whiteBox) {
      return this.out.result('black-box trace: the harness does not own the providers (RULES.md item 7)');
    }
    this.end();
    return this.out.result(this.notExercised(), this.context());
  }

  /** What else bears on a rule not exercised: a run cut at a bound, callbacks of unknown calls. */
  private context(): string {
    let s = '';
    const end = this.t.end?.reason;
    if (end === 'bound' || end === 'timeout') s += `; the run was cut (${end}) before it could occur`;
    if (this.out.attributionDependent && this.t.ambiguous > 0) s += `; ${this.t.ambiguous} callback(s) on shared sinks carried no call id (attribution)`;
    return s;
  }
}

/** A check factory: one fresh check per trace, bound to that trace's tracker. */
export type CheckFactory = (t: Tracker) => BaseCheck;

/** The call was accepted: its method returned a success code. */
export function accepted(c: CallRec): boolean {
  return c.returned !== NONE && !failed(c.hr);
}

/** Why a cancel made from inside a callback exercises none of the rules about what a cancel does. */
export function fromCallbackExemption(k: CancelRec): string {
  return k.fromCallback ? `cancel ${k.id} was made from inside callback ${k.fromCallback.cb}, which is not operational (CANCEL-FROM-SINK-NOT-OPERATIONAL)` : '';
}

/** Short name of a call for explanations: `call q1 (ExecQueryAsync on sink s)`. */
/** Who let a held callback go, in words: a recorder's fixed-period timer or the watchdog. */
export function releaser(cb: CallbackRec): string {
  return cb.releasedBy === 'timer' ? "the recorder's timer" : 'the watchdog';
}

export function callName(c: CallRec): string {
  return `call ${c.id} (${c.op} on sink ${c.sink ?? 'NULL'})`;
}

export { hrName, NONE };
