/**
 * Workloads of n concurrent calls for the scaling table, generated as data from the standard
 * workload (`mixed`): n ≥ 8 is n/8 independent copies of it (each with its own three sinks and two
 * cancels); n < 8 is its first n calls, with the sinks they use and the cancels whose targets
 * exist. The mix of operations, sinks and cancels thus stays that of the standard workload.
 */
import type { CallSpec, ClientAction, SinkSpec, Workload } from '../sim/workload.ts';

/** A copy of `base` with every id suffixed by `_g` (sinks, wrapper stubs, calls, cancels, `after`). */
function copyOf(base: Workload, g: number): { sinks: SinkSpec[]; calls: CallSpec[]; actions: ClientAction[] } {
  const id = (x: string) => `${x}_${g}`;
  // A stub's name is derived from its sink's (`s3~stub`), so rename the sink part only.
  const sinkRef = (s: string | null) => (s === null ? null : s.endsWith('~stub') ? `${id(s.slice(0, -5))}~stub` : id(s));
  const after = (a: string | undefined) => (a === undefined ? undefined : a.endsWith('.final') ? `${id(a.slice(0, -6))}.final` : id(a));
  return {
    sinks: base.sinks.map((s) => ({ ...s, id: id(s.id) })),
    calls: base.calls.map((c) => ({ ...c, id: id(c.id), sink: sinkRef(c.sink), ...(c.after ? { after: after(c.after) } : {}) })),
    actions: (base.actions ?? []).map((a): ClientAction => {
      if (a.kind === 'cancel') return { ...a, id: id(a.id), sink: sinkRef(a.sink), ...(a.after ? { after: after(a.after) } : {}) };
      if (a.kind === 'release-sink') return { ...a, sink: id(a.sink), ...(a.after ? { after: after(a.after) } : {}) };
      return { ...a, ...(a.after ? { after: after(a.after) } : {}) };
    }),
  };
}

/** The standard workload scaled to `n` concurrent calls (n ≥ 1; a multiple of the base's size above it). */
export function scaledWorkload(base: Workload, n: number): Workload {
  const size = base.calls.length;
  if (n >= size) {
    if (n % size !== 0) throw new Error(`scaledWorkload: ${n} is not a multiple of ${size}`);
    const copies = Array.from({ length: n / size }, (_, g) => copyOf(base, g + 1));
    return {
      name: `${base.name}-x${n}`,
      description: `${n / size} copies of ${base.name}`,
      sinks: copies.flatMap((c) => c.sinks),
      calls: copies.flatMap((c) => c.calls),
      actions: copies.flatMap((c) => c.actions),
    };
  }
  const calls = base.calls.slice(0, n).map((c) => ({ ...c }));
  const ids = new Set(calls.map((c) => c.id));
  for (const c of calls) if (c.after && !ids.has(c.after.replace(/\.final$/, ''))) delete c.after;
  const sinkOf = (s: string | null) => (s === null ? null : s.replace(/~stub$/, ''));
  const used = new Set(calls.map((c) => sinkOf(c.sink)));
  const actions = (base.actions ?? []).filter((a) =>
    (a.after === undefined || ids.has(a.after.replace(/\.final$/, ''))) && (a.kind !== 'cancel' && a.kind !== 'release-sink' || used.has(a.sink)));
  return {
    name: `${base.name}-x${n}`,
    description: `the first ${n} call(s) of ${base.name}`,
    sinks: base.sinks.filter((s) => used.has(s.id)),
    calls,
    actions,
  };
}
