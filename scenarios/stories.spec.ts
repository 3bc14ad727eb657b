import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goldenPath, mismatches, runScenario, scenarios, traceText } from './scenario.ts';
import { STORIES } from './stories.ts';

const all = scenarios();

describe('the bug stories', () => {
  it('are the twelve of the client stories, each told by scenarios that exist, with their golden traces', () => {
    expect(STORIES).toHaveLength(12);
    for (const st of STORIES) {
      expect(st.scenarios.length, st.story).toBeGreaterThan(0);
      for (const name of st.scenarios) {
        const s = all.find((x) => x.name === name);
        expect(s, `${st.story}: no scenario ${name}`).toBeDefined();
        expect(existsSync(goldenPath(s!)), `${name} has no golden trace`).toBe(true);
        // The scenario says where the story comes from, and whether it was reported or derived.
        expect(s!.source).toMatch(/IMPLEMENTATIONS\.md §[234]/);
        expect(s!.source).toMatch(/\b(read|reported|derived)\b/);
      }
    }
  });

  it('every story- scenario tells one of the stories', () => {
    const told = new Set(STORIES.flatMap((st) => st.scenarios));
    expect(all.filter((s) => s.name.startsWith('story-') && !told.has(s.name)).map((s) => s.name)).toEqual([]);
  });

  it.each(STORIES.flatMap((st) => st.scenarios.map((name) => [st.story, name] as const)))('%s: %s runs as expected, to its golden trace', async (_, name) => {
    const s = all.find((x) => x.name === name)!;
    const r = await runScenario(s);
    expect(mismatches(s, r)).toEqual([]);
    expect(traceText(r)).toBe(readFileSync(goldenPath(s), 'utf8'));
  });

  it('show what the story is about in the run', async () => {
    const run = async (name: string) => runScenario(all.find((x) => x.name === name)!);
    const saw = (r: Awaited<ReturnType<typeof run>>) => r.trace!.filter((e) => e.type === 'client.saw') as unknown as { what: string; detail?: string }[];
    // The dropped stream's queue keeps growing.
    const filling = saw(await run('story-wmi-rs-dropped-stream-keeps-filling')).filter((x) => x.what === 'undelivered').map((x) => Number(/^(\d+)/.exec(x.detail!)![1]));
    expect(filling).toEqual([1, 2, 3, 4, 5]);
    // The inner-sink cancel fails on the reference broker and "works" on the Wine model.
    expect(saw(await run('client-dbeaver-progress-is-not-final')).some((x) => x.what === 'cancel-failed')).toBe(true);
    const hidden = saw(await run('story-dbeaver-inner-sink-cancel-hidden-by-wine'));
    expect(hidden.some((x) => x.what === 'cancel-failed')).toBe(false);
    expect(hidden.some((x) => x.what === 'cancel-returned')).toBe(true);
    // The win-x86 watcher fires once, then the subscription ends cancelled.
    const once = saw(await run('story-wmilight-x86-watcher-fires-once'));
    expect(once.filter((x) => x.what === 'EventArrived')).toHaveLength(1);
    expect(once.find((x) => x.what === 'subscription-ended')?.detail).toMatch(/WBEM_E_CALL_CANCELLED/);
    // Stop() from a handler against the Wine model: a deadlock, printed with its cycle.
    const dl = await run('story-dotnet-stop-in-handler-deadlocks-wine');
    expect(dl.end.reason).toBe('deadlock');
    expect(dl.end.detail).toMatch(/a cycle, the thread waits for itself/);
    // The quiet subscription is never cancelled: no CancelAsyncCall at all.
    const quiet = await run('story-velociraptor-quiet-subscription-never-cancelled');
    expect(quiet.trace!.some((e) => e.type === 'cancel.entered')).toBe(false);
    expect(saw(quiet).some((x) => x.what === 'timeout-ignored')).toBe(true);
  });
});
