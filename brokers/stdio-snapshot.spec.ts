/**
 * Snapshots of stdio brokers (docs/protocol.md, "Snapshots"): the example brokers announce them,
 * `explore` then keeps them at branch points and finds exactly what re-execution finds, a broker
 * that does not announce them is explored by re-execution, and one that restores badly is a
 * broker failure that says so.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BrokerFailure } from '../sim/broker-adapter.ts';
import { explore, type Exploration } from '../sim/explorer.ts';
import { resolveWorkload } from '../sim/explore-workloads.ts';
import { canSnapshot } from '../sim/stateful-explorer.ts';
import { StdioBroker } from './stdio-broker.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = {
  JavaScript: 'node examples/js-broker/broker.mjs',
  Python: 'python3 examples/python-broker/broker.py',
};
const tampered = (mode: string, command: string) => `node brokers/testdata/tamper-proxy.mjs ${mode} ${command}`;

const open: StdioBroker[] = [];
function broker(command: string): StdioBroker {
  const b = new StdioBroker(command, { cwd: ROOT, stepTimeoutMs: 20_000 });
  open.push(b);
  return b;
}
afterAll(() => {
  for (const b of open) b.close();
});

/** What must agree between the two modes: the counts of the search and the rules it found broken. */
function outcome(x: Exploration) {
  return {
    states: x.states, transitions: x.transitions, complete: x.complete, conformant: x.conformant,
    rules: x.violations.map((v) => `${v.by}:${v.rule}`).sort(), brokerFailure: x.brokerFailure,
  };
}

function bothModes(command: string, workload: string) {
  const b = broker(command);
  const o = { impl: `stdio:${command}`, broker: b, workload: resolveWorkload(workload) };
  return { stateful: explore(o), again: explore({ ...o, mode: 're-execution' }) };
}

describe.each(Object.entries(EXAMPLES))('the %s example broker', (_, command) => {
  it('announces snapshots, so explore keeps it at branch points by default', () => {
    const b = broker(command);
    expect(canSnapshot(b)).toBe(true);
    const x = explore({ impl: `stdio:${command}`, broker: b, workload: resolveWorkload('explore-method-progress-wrapped') });
    expect(x.mode).toBe('stateful');
    expect(x).toMatchObject({ complete: true, conformant: true });
  });

  it.each(['explore-shared-sink-cancel', 'explore-three-calls-two-sinks'])('finds on %s the same states, transitions and verdict in both modes', (workload) => {
    const { stateful, again } = bothModes(command, workload);
    expect(stateful.mode).toBe('stateful');
    expect(again.mode).toBe('re-execution');
    expect(outcome(stateful)).toEqual(outcome(again));
    expect(stateful).toMatchObject({ complete: true, conformant: true, violations: [] });
    expect(stateful.states).toBeGreaterThan(40);
    // Going back to a branch point saves the steps that re-execution spends on the way there.
    expect(stateful.steps).toBeLessThan(again.steps);
  });

  it('with a planted fault (its releases dropped), finds the same violated rules in both modes', () => {
    const { stateful, again } = bothModes(tampered('drop-release', command), 'explore-shared-sink-cancel');
    expect(stateful.mode).toBe('stateful');
    expect(outcome(stateful)).toEqual(outcome(again));
    expect(stateful.conformant).toBe(false);
    expect(outcome(stateful).rules).toEqual(['judge:RELEASE-AFTER-FINAL', 'judge:RELEASED-BEFORE-CANCEL-RETURNS']);
  });

  it('is back where it was saved after a restore: the same steps, callback ids and state key', () => {
    const b = broker(command);
    b.reset({ security: true });
    b.input({ kind: 'call', call: 'c1', op: 'ExecQueryAsync', services: 'svc1', sink: 's1', flags: 0, target: { provider: 'instance' } });
    b.input({ kind: 'provider-produced', call: 'c1', count: 2 });
    const key = b.stateKey();
    const saved = b.snapshot!();
    const first = b.step('deliver:c1');
    b.input({ kind: 'callback-returned', cb: 'cb1', ret: 0 });
    b.input({ kind: 'cancel', cancel: 'x1', services: 'svc1', sink: 's1' });
    expect(b.stateKey()).not.toBe(key);
    b.restore!(saved);
    expect(b.stateKey()).toBe(key);
    expect(b.enabled()).toEqual([{ id: 'deliver:c1', call: 'c1' }]);
    // The callback id cb1 is given again: the broker's counter went back with the rest.
    expect(b.step('deliver:c1')).toEqual(first);
  });
});

describe('a stdio broker without snapshots', () => {
  const command = tampered('no-snapshot', EXAMPLES.JavaScript);

  it('has neither snapshot nor restore, and is explored by re-execution, finding what the stateful search finds', () => {
    const b = broker(command);
    expect(b.snapshot).toBeUndefined();
    expect(b.restore).toBeUndefined();
    expect(canSnapshot(b)).toBe(false);
    const workload = resolveWorkload('explore-three-calls-two-sinks');
    const x = explore({ impl: `stdio:${command}`, broker: b, workload });
    expect(x.mode).toBe('re-execution');
    const stateful = explore({ impl: `stdio:${EXAMPLES.JavaScript}`, broker: broker(EXAMPLES.JavaScript), workload });
    expect(outcome(x)).toEqual(outcome(stateful));
  });
});

describe('a stdio broker that announces snapshots but restores badly', () => {
  it('that answers restore with an error is a protocol error naming the restore', () => {
    const b = broker(tampered('restore-error', EXAMPLES.JavaScript));
    b.reset({ security: true });
    const saved = b.snapshot!();
    expect(() => b.restore!(saved)).toThrow(BrokerFailure);
    expect(() => b.enabled()).toThrow(/the broker reported an error in reply to restore: this broker cannot restore that state/);
  });

  it('that restores another state than the one asked for is a protocol error saying so', () => {
    const b = broker(tampered('restore-first', EXAMPLES.Python));
    b.reset({ security: true });
    b.input({ kind: 'call', call: 'c1', op: 'ExecQueryAsync', services: 'svc1', sink: 's1', flags: 0, target: { provider: 'instance' } });
    b.snapshot!();
    b.input({ kind: 'provider-produced', call: 'c1', count: 2 });
    const saved = b.snapshot!();
    let failure: unknown;
    try {
      b.restore!(saved);
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(BrokerFailure);
    expect((failure as BrokerFailure).reason).toBe('protocol-error');
    expect((failure as BrokerFailure).message).toMatch(/restore did not bring the broker back to the saved state: it now offers the steps \[\], where the saved state offered \[\["deliver:c1","c1"\]\]/);
  });

  it('that answers snapshot without a state is a protocol error saying so', () => {
    const b = broker(tampered('snapshot-bare', EXAMPLES.JavaScript));
    b.reset({ security: true });
    expect(() => b.snapshot!()).toThrow(/the snapshot reply has no "state"/);
  });

  it('that dies when asked for a snapshot is a crash naming the request, and the next run gets a fresh process', () => {
    const b = broker(tampered('snapshot-crash', EXAMPLES.JavaScript));
    b.reset({ security: true });
    const pid = b.pid;
    let failure: unknown;
    try {
      b.snapshot!();
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(BrokerFailure);
    expect((failure as BrokerFailure).reason).toBe('crash');
    expect((failure as BrokerFailure).message).toMatch(/exited with code 3 before replying to snapshot[^]*dying on a snapshot/);
    b.reset({ security: true });
    expect(b.pid).not.toBe(pid);
    expect(b.enabled()).toEqual([]);
  });

  it('ends an exploration with a broker failure that gives the reason, not an exception', () => {
    const command = tampered('restore-error', EXAMPLES.JavaScript);
    const x = explore({ impl: `stdio:${command}`, broker: broker(command), workload: resolveWorkload('explore-shared-sink-cancel') });
    expect(x).toMatchObject({ mode: 'stateful', complete: false, cut: 'broker-failure', conformant: false });
    expect(x.brokerFailure?.reason).toBe('protocol-error');
    expect(x.brokerFailure?.detail).toContain('in reply to restore: this broker cannot restore that state');
    expect(x.brokerFailure?.token).toMatch(/\S/);
  });
});
