/**
 * The `client.saw` vocabulary that the client lint checks read: what a client model's user
 * saw (RULES.md, "What a trace must carry": client models). Client models (next milestone)
 * emit these `what` values; other values are carried through and ignored by the checks.
 */
export const CLIENT_SAW = {
  /** The library told its user the call is over (LINT-PROGRESS-IS-NOT-FINAL). */
  completed: 'completed',
  /** The library reported a successful (possibly empty) result (LINT-CHECK-FINAL-HRESULT). */
  success: 'success',
  /** An object from Indicate was used after Indicate returned without an AddRef (LINT-KEEP-INDICATED-OBJECTS). */
  objectUsedAfterIndicate: 'object-used-after-indicate',
  /** The client freed the state its sink's callbacks use (LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT). */
  stateFreed: 'state-freed',
} as const;
