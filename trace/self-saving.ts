/**
 * The protocol of objects that save and restore their own state for stateful search
 * (specs/state-snapshot.ts): `[SAVE]()` returns a value that `[RESTORE](value)` puts back into the
 * same object. Here, below specs/, so that the bounded collections of trace/ can speak it.
 */
export const SAVE = Symbol('save');
export const RESTORE = Symbol('restore');

export interface SelfSaving {
  [SAVE](): unknown;
  [RESTORE](saved: unknown): void;
}
