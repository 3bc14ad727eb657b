/**
 * The state caching and sleep sets shared by both exhaustive searches (Godefroid 1996, with the
 * state-caching rule: a state seen again with a smaller sleep set explores the steps that slept
 * before and are awake now). After step t was explored at a state, its siblings explored later
 * carry t in their sleep set while they take steps independent of t: the interleaving where t
 * comes later is an equivalent reordering of one already explored.
 *
 * Steps are compared by their key with callback numbers left out (trace/callback-id.ts), as
 * states are: a state reached again with its callbacks numbered differently is the same state,
 * and its steps must match. Where two enabled steps would then look alike (two callbacks of one
 * call in progress, which only a faulty broker does), the state is expanded whole, without sleep
 * sets: more transitions, never fewer.
 */
import { callbackKey } from '../trace/callback-id.ts';
import type { Step } from './strategy.ts';

/** State key → the sleep set (canonical step keys) it was expanded with; shrinks on revisits. */
export type Visited = Map<string, Set<string>>;

export function stepKey(s: Step): string {
  return s.key.includes('#') ? s.key.split(':').map(callbackKey).join(':') : s.key;
}

/**
 * Which enabled steps to explore at the state `key` reached with sleep set `sleep`, and the
 * sleep set each of them starts with. Records the state in `visited`.
 */
export function expand(visited: Visited, key: string, enabled: readonly Step[], sleep: readonly Step[], independent: (a: Step, b: Step) => boolean): { todo: number[]; sleeps: Step[][] } {
  const keys = enabled.map(stepKey);
  if (new Set(keys).size !== keys.length) {
    visited.set(key, new Set());
    return { todo: enabled.map((_, i) => i), sleeps: enabled.map(() => []) };
  }
  const asleep = new Set(sleep.map(stepKey));
  const stored = visited.get(key);
  const todo: number[] = [];
  if (!stored) {
    visited.set(key, asleep);
    for (let i = 0; i < enabled.length; i++) if (!asleep.has(keys[i]!)) todo.push(i);
  } else {
    // Seen before: only steps that slept then and are awake now are new here.
    for (let i = 0; i < enabled.length; i++) if (stored.has(keys[i]!) && !asleep.has(keys[i]!)) todo.push(i);
    for (const s of [...stored]) if (!asleep.has(s)) stored.delete(s);
  }
  // Branch j sleeps on the steps explored before it (and the inherited ones) that commute with it.
  const before: Step[] = [...sleep];
  const sleeps = todo.map((j) => {
    const t = enabled[j]!;
    const z = before.filter((u) => independent(u, t));
    before.push(t);
    return z;
  });
  return { todo, sleeps };
}
