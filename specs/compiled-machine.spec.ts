import { describe, expect, it } from 'vitest';
import { CompiledMachine, type MachineRows } from './compiled-machine.ts';
import { MACHINE_ROWS } from './machine-rows.generated.ts';
import { REGIONS } from './lifecycle-machine.ts';

/** What the cell (s, e) of `m` says: the next state's key, the rules broken and the transitions taken. */
function cell(m: CompiledMachine, s: number, e: number): { next: string; rules: string[]; took: string[] } {
  const n = m.step(s, e);
  const v = m.stateValue(n);
  const t = m.took[s * m.eventCount + e]!;
  return {
    next: REGIONS.map((r) => v[r]).join('|'),
    rules: [...(m.rejected(s, e) ?? [])].sort(),
    took: t >= 0 ? m.transitionSets[t]!.map((x) => m.transitions[x]!.id).sort() : [],
  };
}

/** The cells of `rows` that XState, asked afresh, fills otherwise. */
function wrongCells(rows: MachineRows): string[] {
  const fresh = new CompiledMachine(undefined);
  const state = rows.states.map((key) => fresh.stateOf(Object.fromEntries(REGIONS.map((r, i) => [r, key.split('|')[i]!]))));
  const wrong: string[] = [];
  for (const [s, e, n, rules, took] of rows.cells) {
    const expected = { next: rows.states[n], rules: rules.map((r) => rows.rules[r]).sort(), took: took.map((t) => rows.transitions[t]).sort() };
    const actual = cell(fresh, state[s]!, fresh.eventIndex(rows.events[e] as never));
    if (JSON.stringify(actual) !== JSON.stringify(expected)) wrong.push(`${rows.states[s]} -${rows.events[e]}->`);
  }
  return wrong;
}

describe('the compiled machine\'s generated rows (npm run gen:machine-rows)', () => {
  const rows = MACHINE_ROWS!;

  it('are there, for the machine as it is', () => {
    expect(rows.regions).toEqual([...REGIONS]);
    expect(rows.cells.length).toBeGreaterThan(500);
  });

  it('say in every cell what XState says (regenerate them after changing the machine)', () => {
    expect(wrongCells(rows)).toEqual([]);
  }, 60_000);

  it('are caught when a cell is wrong', () => {
    const [s, e, n, rules, took] = rows.cells[0]!;
    const broken: MachineRows = { ...rows, cells: [[s, e, n === 0 ? 1 : 0, rules, took], ...rows.cells.slice(1, 20)] };
    expect(wrongCells(broken)).toHaveLength(1);
  });

  it('leave to XState the cells of states, events and transitions the machine does not have', () => {
    const [s, e, n, rules, took] = rows.cells[0]!;
    const stale: MachineRows = {
      ...rows, states: [...rows.states, 'no-such-state|idle|none|open|unknown|not-asked|none|idle'],
      events: [...rows.events, 'NO_SUCH_EVENT'], transitions: [...rows.transitions, 'lifecycle.pending -NO_SUCH_EVENT-> nowhere'],
      cells: [[rows.states.length, e, n, rules, took], [s, rows.events.length, n, rules, took], [s, e, n, rules, [rows.transitions.length]]],
    };
    const m = new CompiledMachine(stale);
    expect(m.stateCount).toBe(rows.states.length);
    expect([...m.next].filter((x) => x !== -2)).toEqual([]);
    // And XState fills them as usual.
    const fresh = new CompiledMachine(undefined);
    const value = Object.fromEntries(REGIONS.map((r, i) => [r, rows.states[s]!.split('|')[i]!]));
    expect(cell(m, m.stateOf(value), e)).toEqual(cell(fresh, fresh.stateOf(value), e));
  });

  it('step as states reached by XState\'s own transitions do, in their other cells too', () => {
    // States reached from the initial one by XState (their snapshots made by its transitions),
    // against the same states in a loaded machine, whose snapshots are resolved from their values.
    const reached = new CompiledMachine(undefined);
    const loaded = new CompiledMachine();
    for (let s = 0; s < reached.stateCount && s < 150; s++) {
      for (let e = 0; e < reached.eventCount; e++) {
        const a = cell(reached, s, e);
        const b = cell(loaded, loaded.stateOf(reached.stateValue(s)), e);
        expect(b).toEqual(a);
      }
    }
  }, 60_000);

  it('make a machine that steps as one compiled from scratch, with no state beyond them', () => {
    const loaded = new CompiledMachine();
    const fresh = new CompiledMachine(undefined);
    const key = (m: CompiledMachine, s: number) => REGIONS.map((r) => m.stateValue(s)[r]).join('|');
    let filled = 0;
    for (const [s, e] of rows.cells) {
      const a = loaded.stateOf(loaded.stateValue(s));
      const b = fresh.stateOf(loaded.stateValue(s));
      const before = loaded.stateCount;
      expect(cell(loaded, a, e)).toEqual(cell(fresh, b, e));
      expect(key(loaded, a)).toBe(key(fresh, b));
      if (loaded.stateCount !== before) filled++;
    }
    expect(filled).toBe(0);
    expect(loaded.stateCount).toBe(rows.states.length);
  }, 60_000);
});
