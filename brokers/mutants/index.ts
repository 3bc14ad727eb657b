/**
 * The mutant zoo: faulty brokers, each the reference broker with one planted
 * fault, in the order of the rules they break (RULES.md order). Each file exports its table row
 * (`mutant`) and `createBroker()`; this index lists them and registers the `--impl mutant:NAME`
 * form when imported (importing it twice registers once).
 */
import type { BrokerAdapter } from '../../sim/broker-adapter.ts';
import { ImplError, registerImplForm } from '../registry.ts';
import type { Workload } from '../../sim/workload.ts';
import type { MutantDefinition, MutantInfo } from './mutant-broker.ts';
import * as blockingReturn from './blocking-return.ts';
import * as startFailureCallback from './start-failure-callback.ts';
import * as noAddref from './no-addref.ts';
import * as releasesBeforeFinal from './releases-before-final.ts';
import * as finalOverlapsIndicate from './final-overlaps-indicate.ts';
import * as emptyIndicate from './empty-indicate.ts';
import * as errorObjectOnSuccess from './error-object-on-success.ts';
import * as ignoresSinkError from './ignores-sink-error.ts';
import * as doubleFinal from './double-final.ts';
import * as noCancelledFinal from './no-cancelled-final.ts';
import * as swallowsProviderError from './swallows-provider-error.ts';
import * as indicateAfterFinal from './indicate-after-final.ts';
import * as leaksSink from './leaks-sink.ts';
import * as sinkLeakedAfterCancel from './sink-leaked-after-cancel.ts';
import * as unaskedProgress from './unasked-progress.ts';
import * as cancelsLatestOnly from './cancels-latest-only.ts';
import * as cancelsWholeServices from './cancels-whole-services.ts';
import * as cancelledFinalOk from './cancelled-final-ok.ts';
import * as lateCallbacks from './late-callbacks.ts';
import * as unknownSinkOk from './unknown-sink-ok.ts';
import * as cancelWaitsForCallback from './cancel-waits-for-callback.ts';
import * as releaseAfterCancelReturns from './release-after-cancel-returns.ts';
import * as notifiesMethodProvider from './notifies-method-provider.ts';
import * as abortsMethodProvider from './aborts-method-provider.ts';
import * as cancelMatchesInnerSink from './cancel-matches-inner-sink.ts';
import * as abandonsUncancellableCall from './abandons-uncancellable-call.ts';
import * as notificationCompletes from './notification-completes.ts';
import * as lyingAnnotations from './lying-annotations.ts';
import * as swbemCancelOnlyFirst from './swbem-cancel-only-first.ts';
import * as swbemProgressAlways from './swbem-progress-always.ts';
import * as swbemCompletedTwice from './swbem-completed-twice.ts';
import * as swbemCompletedZero from './swbem-completed-zero.ts';
import * as overlappingCancelsLoseCall from './overlapping-cancels-lose-call.ts';
import * as methodOutputAfterCancel from './method-output-after-cancel.ts';
import * as cancelInProgressResumesDelivery from './cancel-in-progress-resumes-delivery.ts';
import * as cancelReleasesOtherServices from './cancel-releases-other-services.ts';
import * as wrappedCancelKeepsResult from './wrapped-cancel-keeps-result.ts';
import * as cancelLosesToProviderError from './cancel-loses-to-provider-error.ts';
import * as sharedSinkErrorIgnored from './shared-sink-error-ignored.ts';
import * as servicesReleaseDropsBusyCall from './services-release-drops-busy-call.ts';
import * as methodProgressAfterCancel from './method-progress-after-cancel.ts';
import * as notificationCancelSparesCalls from './notification-cancel-spares-calls.ts';
import { plantedRace, plantedRaceWorkload } from './planted-race.ts';

/** A zoo entry with the extra workloads it needs beyond the built-in ones, if any. */
export interface ZooMutant extends MutantDefinition {
  workloads?: Workload[];
}

function zooEntry(mod: { mutant: MutantInfo; createBroker: () => BrokerAdapter }): ZooMutant {
  return { ...mod.mutant, create: mod.createBroker };
}

const RACE_NAMES = new Set([
  'overlapping-cancels-lose-call',
  'method-output-after-cancel',
  'cancel-in-progress-resumes-delivery',
  'cancel-releases-other-services',
  'wrapped-cancel-keeps-result',
  'cancel-loses-to-provider-error',
  'shared-sink-error-ignored',
  'services-release-drops-busy-call',
  'method-progress-after-cancel',
  'notification-cancel-spares-calls',
]);

/** Every mutant of the zoo, in RULES.md order of their first target. */
export const MUTANTS: readonly ZooMutant[] = [
  zooEntry(blockingReturn),
  zooEntry(startFailureCallback),
  zooEntry(noAddref),
  zooEntry(releasesBeforeFinal),
  zooEntry(finalOverlapsIndicate),
  zooEntry(emptyIndicate),
  zooEntry(errorObjectOnSuccess),
  zooEntry(ignoresSinkError),
  zooEntry(doubleFinal),
  zooEntry(noCancelledFinal),
  zooEntry(swallowsProviderError),
  zooEntry(indicateAfterFinal),
  zooEntry(leaksSink),
  zooEntry(sinkLeakedAfterCancel),
  zooEntry(unaskedProgress),
  zooEntry(cancelsLatestOnly),
  zooEntry(cancelsWholeServices),
  zooEntry(cancelledFinalOk),
  zooEntry(lateCallbacks),
  zooEntry(unknownSinkOk),
  zooEntry(cancelWaitsForCallback),
  zooEntry(releaseAfterCancelReturns),
  zooEntry(notifiesMethodProvider),
  zooEntry(abortsMethodProvider),
  zooEntry(cancelMatchesInnerSink),
  zooEntry(abandonsUncancellableCall),
  zooEntry(notificationCompletes),
  zooEntry(lyingAnnotations),
  // Scripting layer (SWbemSink): faults planted in the harness's model of it.
  zooEntry(swbemCancelOnlyFirst),
  zooEntry(swbemProgressAlways),
  zooEntry(swbemCompletedTwice),
  zooEntry(swbemCompletedZero),
  // Races the built-in workloads miss: the conformance suite (scenarios, then the swarm campaign)
  // must find them.
  zooEntry(overlappingCancelsLoseCall),
  zooEntry(methodOutputAfterCancel),
  zooEntry(cancelInProgressResumesDelivery),
  zooEntry(cancelReleasesOtherServices),
  zooEntry(wrappedCancelKeepsResult),
  zooEntry(cancelLosesToProviderError),
  zooEntry(sharedSinkErrorIgnored),
  zooEntry(servicesReleaseDropsBusyCall),
  zooEntry(methodProgressAfterCancel),
  zooEntry(notificationCancelSparesCalls),
  // The exploration strategies' planted race (brokers/mutants/planted-race.ts): a narrow window.
  { ...plantedRace, targets: [...plantedRace.targets], interleaving: true, create: plantedRace.create, workloads: [plantedRaceWorkload] },
];

/**
 * The race mutants the built-in workloads miss (or catch in under 5% of runs, bench/race-gate.ts):
 * the conformance suite's scenarios and its swarm campaign must find them.
 */
export const RACE_MUTANTS: readonly ZooMutant[] = MUTANTS.filter((m) => RACE_NAMES.has(m.name));

/** The mutant called `name`, or an ImplError listing the names. */
export function findMutant(name: string): ZooMutant {
  const m = MUTANTS.find((x) => x.name === name);
  if (!m) throw new ImplError(`unknown mutant ${JSON.stringify(name)} (one of: ${MUTANTS.map((x) => x.name).join(', ')})`);
  return m;
}

let registered = false;
/** Registers `--impl mutant:NAME` (idempotent; done on import of this module). */
export function registerMutantImpls(): void {
  if (registered) return;
  registered = true;
  registerImplForm('mutant', async (name) => findMutant(name).create);
}

registerMutantImpls();

export type { MutantDefinition, MutantInfo };
