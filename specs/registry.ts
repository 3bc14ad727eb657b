/**
 * Every rule ID's check, keyed by ID (one file per rule, named after it). The judge instantiates
 * them in the order of `RULES`; a test fails when an ID of the table has no entry here.
 */
import type { CheckFactory } from './base-check.ts';
import { callReturnsImmediately } from './call-returns-immediately.ts';
import { callbackMayPrecedeReturn } from './callback-may-precede-return.ts';
import { startFailureNoCallbacks } from './start-failure-no-callbacks.ts';
import { brokerHoldsSink } from './broker-holds-sink.ts';
import { nullSinkRejected } from './null-sink-rejected.ts';
import { overlappingCallsAccepted } from './overlapping-calls-accepted.ts';
import { sequentialCallsAccepted } from './sequential-calls-accepted.ts';
import { oneCallbackAtATime } from './one-callback-at-a-time.ts';
import { cancelledStatusMayOverlap } from './cancelled-status-may-overlap.ts';
import { callsMayCallBackConcurrently } from './calls-may-call-back-concurrently.ts';
import { noEmptyIndicate } from './no-empty-indicate.ts';
import { indicateBatching } from './indicate-batching.ts';
import { finalWithoutIndicate } from './final-without-indicate.ts';
import { statusFlagsValid } from './status-flags-valid.ts';
import { progressHresultIsCounter } from './progress-hresult-is-counter.ts';
import { sinkErrorCancels } from './sink-error-cancels.ts';
import { cancelledWithoutClientCancel } from './cancelled-without-client-cancel.ts';
import { callbackAuthLevel } from './callback-auth-level.ts';
import { finalStatusOnce } from './final-status-once.ts';
import { finalStatusCarriesResult } from './final-status-carries-result.ts';
import { nothingAfterFinal } from './nothing-after-final.ts';
import { releaseAfterFinal } from './release-after-final.ts';
import { releasePromptly } from './release-promptly.ts';
import { progressOnlyIfAsked } from './progress-only-if-asked.ts';
import { progressMay } from './progress-may.ts';
import { noSecurityNoCompletion } from './no-security-no-completion.ts';
import { orderNotGuaranteed } from './order-not-guaranteed.ts';
import { transportFailure } from './transport-failure.ts';
import { callbackObjectsBorrowed } from './callback-objects-borrowed.ts';
import { cancelCoversSharingCalls } from './cancel-covers-sharing-calls.ts';
import { cancelSparesOtherSinks } from './cancel-spares-other-sinks.ts';
import { cancelScopePerServices } from './cancel-scope-per-services.ts';
import { cancelledStatus } from './cancelled-status.ts';
import { noCallbacksAfterCancel } from './no-callbacks-after-cancel.ts';
import { cancelMayLoseRace } from './cancel-may-lose-race.ts';
import { cancelUnknownSinkError } from './cancel-unknown-sink-error.ts';
import { cancelInvalidParameterCode } from './cancel-invalid-parameter-code.ts';
import { cancelAfterEndMaySucceed } from './cancel-after-end-may-succeed.ts';
import { cancelDoesNotWaitForClient } from './cancel-does-not-wait-for-client.ts';
import { cancelDoesNotWaitForFinal } from './cancel-does-not-wait-for-final.ts';
import { releasedBeforeCancelReturns } from './released-before-cancel-returns.ts';
import { callbackInFlightMayFinish } from './callback-in-flight-may-finish.ts';
import { cancelAfterClientRelease } from './cancel-after-client-release.ts';
import { providerNotNotified } from './provider-not-notified.ts';
import { providerRunsToCompletion } from './provider-runs-to-completion.ts';
import { providerMayStop } from './provider-may-stop.ts';
import { cancelSamePointer } from './cancel-same-pointer.ts';
import { cancelFromSinkNotOperational } from './cancel-from-sink-not-operational.ts';
import { providerCancelUnsupported } from './provider-cancel-unsupported.ts';
import { notificationNeverCompletes } from './notification-never-completes.ts';
import { annotationsConsistent } from './annotations-consistent.ts';
import { eventsMayBeDropped } from './events-may-be-dropped.ts';
import { swbemsinkCancelAll } from './swbemsink-cancel-all.ts';
import { swbemsinkNothingIsNotCancel } from './swbemsink-nothing-is-not-cancel.ts';
import { swbemsinkCancelErrors } from './swbemsink-cancel-errors.ts';
import { swbemsinkOnprogressOnlyIfAsked } from './swbemsink-onprogress-only-if-asked.ts';
import { swbemsinkOncompletedHresult } from './swbemsink-oncompleted-hresult.ts';
import { swbemsinkOncompletedAfterCancel } from './swbemsink-oncompleted-after-cancel.ts';
import { lintOneSinkPerCall } from './lint-one-sink-per-call.ts';
import { lintNoCancelInSink } from './lint-no-cancel-in-sink.ts';
import { lintCancelPendingSink } from './lint-cancel-pending-sink.ts';
import { lintPreferSemisync } from './lint-prefer-semisync.ts';
import { lintCancelNeverEnding } from './lint-cancel-never-ending.ts';
import { lintKeepWrapper } from './lint-keep-wrapper.ts';
import { lintInitSecurity } from './lint-init-security.ts';
import { lintRefcountedSink } from './lint-refcounted-sink.ts';
import { lintCancelReleasedSink } from './lint-cancel-released-sink.ts';
import { lintWaitForCallbacksInFlight } from './lint-wait-for-callbacks-in-flight.ts';
import { lintProgressIsNotFinal } from './lint-progress-is-not-final.ts';
import { lintCheckFinalHresult } from './lint-check-final-hresult.ts';
import { lintKeepIndicatedObjects } from './lint-keep-indicated-objects.ts';
import { lintFastSink } from './lint-fast-sink.ts';
import { lintNoWmiCallsInEventSink } from './lint-no-wmi-calls-in-event-sink.ts';

/** The check factory of each rule ID. */
export const CHECKS: Readonly<Record<string, CheckFactory>> = {
  'CALL-RETURNS-IMMEDIATELY': callReturnsImmediately,
  'CALLBACK-MAY-PRECEDE-RETURN': callbackMayPrecedeReturn,
  'START-FAILURE-NO-CALLBACKS': startFailureNoCallbacks,
  'BROKER-HOLDS-SINK': brokerHoldsSink,
  'NULL-SINK-REJECTED': nullSinkRejected,
  'OVERLAPPING-CALLS-ACCEPTED': overlappingCallsAccepted,
  'SEQUENTIAL-CALLS-ACCEPTED': sequentialCallsAccepted,
  'ONE-CALLBACK-AT-A-TIME': oneCallbackAtATime,
  'CANCELLED-STATUS-MAY-OVERLAP': cancelledStatusMayOverlap,
  'CALLS-MAY-CALL-BACK-CONCURRENTLY': callsMayCallBackConcurrently,
  'NO-EMPTY-INDICATE': noEmptyIndicate,
  'INDICATE-BATCHING': indicateBatching,
  'FINAL-WITHOUT-INDICATE': finalWithoutIndicate,
  'STATUS-FLAGS-VALID': statusFlagsValid,
  'PROGRESS-HRESULT-IS-COUNTER': progressHresultIsCounter,
  'SINK-ERROR-CANCELS': sinkErrorCancels,
  'CANCELLED-WITHOUT-CLIENT-CANCEL': cancelledWithoutClientCancel,
  'CALLBACK-AUTH-LEVEL': callbackAuthLevel,
  'FINAL-STATUS-ONCE': finalStatusOnce,
  'FINAL-STATUS-CARRIES-RESULT': finalStatusCarriesResult,
  'NOTHING-AFTER-FINAL': nothingAfterFinal,
  'RELEASE-AFTER-FINAL': releaseAfterFinal,
  'RELEASE-PROMPTLY': releasePromptly,
  'PROGRESS-ONLY-IF-ASKED': progressOnlyIfAsked,
  'PROGRESS-MAY': progressMay,
  'NO-SECURITY-NO-COMPLETION': noSecurityNoCompletion,
  'ORDER-NOT-GUARANTEED': orderNotGuaranteed,
  'TRANSPORT-FAILURE': transportFailure,
  'CALLBACK-OBJECTS-BORROWED': callbackObjectsBorrowed,
  'CANCEL-COVERS-SHARING-CALLS': cancelCoversSharingCalls,
  'CANCEL-SPARES-OTHER-SINKS': cancelSparesOtherSinks,
  'CANCEL-SCOPE-PER-SERVICES': cancelScopePerServices,
  'CANCELLED-STATUS': cancelledStatus,
  'NO-CALLBACKS-AFTER-CANCEL': noCallbacksAfterCancel,
  'CANCEL-MAY-LOSE-RACE': cancelMayLoseRace,
  'CANCEL-UNKNOWN-SINK-ERROR': cancelUnknownSinkError,
  'CANCEL-INVALID-PARAMETER-CODE': cancelInvalidParameterCode,
  'CANCEL-AFTER-END-MAY-SUCCEED': cancelAfterEndMaySucceed,
  'CANCEL-DOES-NOT-WAIT-FOR-CLIENT': cancelDoesNotWaitForClient,
  'CANCEL-DOES-NOT-WAIT-FOR-FINAL': cancelDoesNotWaitForFinal,
  'RELEASED-BEFORE-CANCEL-RETURNS': releasedBeforeCancelReturns,
  'CALLBACK-IN-FLIGHT-MAY-FINISH': callbackInFlightMayFinish,
  'CANCEL-AFTER-CLIENT-RELEASE': cancelAfterClientRelease,
  'PROVIDER-NOT-NOTIFIED': providerNotNotified,
  'PROVIDER-RUNS-TO-COMPLETION': providerRunsToCompletion,
  'PROVIDER-MAY-STOP': providerMayStop,
  'CANCEL-SAME-POINTER': cancelSamePointer,
  'CANCEL-FROM-SINK-NOT-OPERATIONAL': cancelFromSinkNotOperational,
  'PROVIDER-CANCEL-UNSUPPORTED': providerCancelUnsupported,
  'NOTIFICATION-NEVER-COMPLETES': notificationNeverCompletes,
  'ANNOTATIONS-CONSISTENT': annotationsConsistent,
  'EVENTS-MAY-BE-DROPPED': eventsMayBeDropped,
  'SWBEMSINK-CANCEL-ALL': swbemsinkCancelAll,
  'SWBEMSINK-NOTHING-IS-NOT-CANCEL': swbemsinkNothingIsNotCancel,
  'SWBEMSINK-CANCEL-ERRORS': swbemsinkCancelErrors,
  'SWBEMSINK-ONPROGRESS-ONLY-IF-ASKED': swbemsinkOnprogressOnlyIfAsked,
  'SWBEMSINK-ONCOMPLETED-HRESULT': swbemsinkOncompletedHresult,
  'SWBEMSINK-ONCOMPLETED-AFTER-CANCEL': swbemsinkOncompletedAfterCancel,
  'LINT-ONE-SINK-PER-CALL': lintOneSinkPerCall,
  'LINT-NO-CANCEL-IN-SINK': lintNoCancelInSink,
  'LINT-CANCEL-PENDING-SINK': lintCancelPendingSink,
  'LINT-PREFER-SEMISYNC': lintPreferSemisync,
  'LINT-CANCEL-NEVER-ENDING': lintCancelNeverEnding,
  'LINT-KEEP-WRAPPER': lintKeepWrapper,
  'LINT-INIT-SECURITY': lintInitSecurity,
  'LINT-REFCOUNTED-SINK': lintRefcountedSink,
  'LINT-CANCEL-RELEASED-SINK': lintCancelReleasedSink,
  'LINT-WAIT-FOR-CALLBACKS-IN-FLIGHT': lintWaitForCallbacksInFlight,
  'LINT-PROGRESS-IS-NOT-FINAL': lintProgressIsNotFinal,
  'LINT-CHECK-FINAL-HRESULT': lintCheckFinalHresult,
  'LINT-KEEP-INDICATED-OBJECTS': lintKeepIndicatedObjects,
  'LINT-FAST-SINK': lintFastSink,
  'LINT-NO-WMI-CALLS-IN-EVENT-SINK': lintNoWmiCallsInEventSink,
};
