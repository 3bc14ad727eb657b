/**
 * The bug stories of client code in the wild (IMPLEMENTATIONS.md sections 2 to 4) and the
 * scenarios that tell them, each with whether the story was reported (read in a public report or
 * in the code) or derived (inferred from what was read). docs/clients.md lists the same table.
 */
export interface Story {
  story: string;
  kind: 'reported' | 'derived';
  /** IMPLEMENTATIONS.md section and client. */
  source: string;
  /** The scenarios that tell it (one per broker when the brokers differ). */
  scenarios: string[];
}

export const STORIES: readonly Story[] = [
  { story: 'a dropped notification stream that keeps filling', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, wmi-rs', scenarios: ['story-wmi-rs-dropped-stream-keeps-filling'] },
  { story: 'a cancel after completion', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, wmi-rs', scenarios: ['story-wmi-rs-drop-cancels-after-completion'] },
  { story: 'an error final status that looks like success', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, wmi-rs', scenarios: ['client-wmi-rs-error-as-success'] },
  { story: 'a cancel with the inner sink that the Wine model hides and the reference broker exposes', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, DBeaver', scenarios: ['client-dbeaver-progress-is-not-final', 'story-dbeaver-inner-sink-cancel-hidden-by-wine'] },
  { story: 'a callback still running after the cancel returned, and state freed under it', kind: 'reported', source: 'IMPLEMENTATIONS.md §2, Mullvad and Microsoft\'s event sample', scenarios: ['client-ms-event-frees-under-callback'] },
  { story: 'a quiet subscription never cancelled', kind: 'derived', source: 'IMPLEMENTATIONS.md §4, Velociraptor', scenarios: ['story-velociraptor-quiet-subscription-never-cancelled'] },
  { story: 'a Close that is not a Cancel', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, microsoft/wmi', scenarios: ['story-ms-wmi-go-close-is-not-cancel'] },
  { story: 'a watcher that fires once because its sink\'s return looked like a failure', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, WmiLight (the cause is derived)', scenarios: ['story-wmilight-x86-watcher-fires-once'] },
  { story: 'an indicated object used after Indicate returned', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, WmiLight', scenarios: ['client-wmilight-keeps-indicated-objects'] },
  { story: 'Cancel from inside OnCompleted: a deadlock against the Wine model, a lint against the reference', kind: 'reported', source: 'IMPLEMENTATIONS.md §4, AutoIt', scenarios: ['client-autoit-cancel-in-oncompleted-deadlocks-wine', 'client-autoit-cancel-in-oncompleted'] },
  { story: 'a fixed-wait cancel', kind: 'reported', source: 'IMPLEMENTATIONS.md §2, Microsoft\'s async-query sample', scenarios: ['client-ms-async-query-cancel-after-end'] },
  { story: '.NET\'s Stop from an EventArrived handler', kind: 'derived', source: 'IMPLEMENTATIONS.md §3, derived defects', scenarios: ['story-dotnet-stop-in-event-handler', 'story-dotnet-stop-in-handler-deadlocks-wine'] },
];
