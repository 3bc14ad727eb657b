/**
 * The stdio bridge, specified through the two example brokers (which must be conformant and
 * identical) and through brokers that misbehave on purpose (which must fail clearly and leave
 * no process behind).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BrokerFailure, type BrokerInput, type BrokerOutput } from '../sim/broker-adapter.ts';
import { createStdioBroker, StdioBroker } from './stdio-broker.ts';
import { runMany } from '../sim/campaign.ts';
import { resolveWorkload } from '../sim/explore-workloads.ts';
import {
  S_OK,
  WBEM_E_CALL_CANCELLED,
  WBEM_E_FAILED,
  WBEM_E_INVALID_PARAMETER,
  WBEM_E_INVALID_QUERY,
  WBEM_E_NOT_AVAILABLE,
  failed,
} from '../trace/hresult.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = {
  js: 'node examples/js-broker/broker.mjs',
  python: 'python3 examples/python-broker/broker.py',
};
const faulty = (mode: string) => `node brokers/testdata/faulty-broker.mjs ${mode}`;

/** Members of a process group that still run. A zombie is dead, only not yet reaped by init. */
function runningInGroup(pgid: number): number[] {
  const alive: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone while we looked
    }
    // Fields after the command name "(...)": state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') alive.push(Number(name));
  }
  return alive;
}

/** Waits (up to 5 s) for a killed group to be gone: on a loaded machine the kernel takes a moment. */
function groupGone(pgid: number): number[] {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 100 && runningInGroup(pgid).length > 0; i++) Atomics.wait(pause, 0, 0, 50);
  return runningInGroup(pgid);
}

function expectNoLeftover(pgid: number): void {
  expect(groupGone(pgid)).toEqual([]);
  // The broker's own process (the shell that ran the command) was reaped, not left a zombie.
  expect(() => process.kill(pgid, 0)).toThrow(/ESRCH/);
}

/**
 * A tiny stand-in for the harness's world: it feeds inputs, takes the broker's first enabled
 * step until none is left, returns sink callbacks (S_OK unless told otherwise) and keeps the
 * sink reference counts that the broker's AddRef and Release imply.
 */
class World {
  readonly log: BrokerOutput[] = [];
  readonly refs = new Map<string, number>();
  /** Callbacks started and not returned, oldest first. */
  readonly inFlight: string[] = [];

  constructor(readonly broker: StdioBroker) {
    broker.reset({ security: true });
  }

  input(msg: BrokerInput): BrokerOutput[] {
    return this.record(this.broker.input(msg));
  }

  step(id: string): BrokerOutput[] {
    return this.record(this.broker.step(id));
  }

  returnCallback(cb: string, ret: number = S_OK): BrokerOutput[] {
    this.inFlight.splice(this.inFlight.indexOf(cb), 1);
    return this.input({ kind: 'callback-returned', cb, ret });
  }

  /** Steps and callback returns until the broker has nothing left to do. */
  settle(): void {
    for (let guard = 0; guard < 1000; guard++) {
      const [next] = this.broker.enabled();
      if (next) this.step(next.id);
      else if (this.inFlight.length > 0) this.returnCallback(this.inFlight[0]!);
      else return;
    }
    throw new Error('the broker never settles');
  }

  private record(outputs: BrokerOutput[]): BrokerOutput[] {
    for (const o of outputs) {
      this.log.push(o);
      if (o.kind === 'addref') this.refs.set(o.sink, (this.refs.get(o.sink) ?? 0) + 1);
      if (o.kind === 'release') this.refs.set(o.sink, (this.refs.get(o.sink) ?? 0) - 1);
      if (o.kind === 'indicate' || o.kind === 'set-status') this.inFlight.push(o.cb);
    }
    return outputs;
  }

  finals(call: string) {
    return this.log.filter((o) => o.kind === 'set-status' && o.call === call && o.lFlags === 0);
  }

  indicated(call: string): number {
    return this.log.reduce((n, o) => (o.kind === 'indicate' && o.call === call ? n + o.count : n), 0);
  }
}

const query = (call: string, sink: string | null, extra: Partial<Extract<BrokerInput, { kind: 'call' }>> = {}): BrokerInput => ({
  kind: 'call', call, op: 'ExecQueryAsync', services: 'svc', sink, flags: 0, target: { provider: 'instance' }, ...extra,
});

/** The scripts below, run on each example; their logs must also be identical across examples. */
const logs = new Map<string, Map<string, BrokerOutput[]>>();
const open: StdioBroker[] = [];
afterAll(() => {
  for (const b of open) b.close();
});

for (const [name, command] of Object.entries(EXAMPLES)) {
  describe(`the ${name} example broker`, () => {
    const broker = new StdioBroker(command, { cwd: ROOT });
    open.push(broker);
    const keep = (script: string, world: World) => {
      if (!logs.has(script)) logs.set(script, new Map());
      logs.get(script)!.set(name, world.log);
    };

    it('answers the hello with its name, its version and where it runs, and that it annotates', () => {
      expect(broker.info).toEqual({ name: `${name}-example`, version: '1.0.0', inProcess: true, annotates: true });
    });

    it('refuses a hello of protocol version 1 with the error reply', () => {
      const hello = JSON.stringify({ type: 'hello', protocol: 'wbemsim-broker', version: 1 }) + '\n';
      const run = spawnSync('sh', ['-c', command], { cwd: ROOT, input: hello, encoding: 'utf8' });
      expect(JSON.parse(run.stdout.split('\n')[0]!)).toEqual({ type: 'error', message: expect.stringMatching(/speaks protocol version 2, not 1/) });
    });

    it('delivers a query of 3 objects, then its final status, then releases the sink', () => {
      const w = new World(broker);
      expect(w.input(query('c1', 's1'))).toEqual([
        { kind: 'addref', sink: 's1', call: 'c1' },
        { kind: 'provider-start', call: 'c1' },
        { kind: 'call-return', call: 'c1', hr: S_OK },
      ]);
      expect(w.input({ kind: 'provider-produced', call: 'c1', count: 1 })).toEqual([]);
      expect(broker.enabled()).toEqual([{ id: 'deliver:c1', call: 'c1' }]);
      const [first] = w.step('deliver:c1');
      expect(first).toMatchObject({ kind: 'indicate', call: 'c1', sink: 's1', count: 1 });
      // ONE-CALLBACK-AT-A-TIME: nothing more is offered while the Indicate is in the sink.
      w.input({ kind: 'provider-produced', call: 'c1', count: 2 });
      w.input({ kind: 'provider-completed', call: 'c1', hr: S_OK });
      expect(broker.enabled()).toEqual([]);
      w.settle();
      expect(w.indicated('c1')).toBe(3);
      expect(w.finals('c1')).toEqual([expect.objectContaining({ hResult: S_OK, errorObject: false })]);
      expect(w.log).toContainEqual({ kind: 'final-decided', call: 'c1', hResult: S_OK });
      expect(w.log.at(-1)).toEqual({ kind: 'release', sink: 's1', call: 'c1' });
      expect(w.refs.get('s1')).toBe(0);
      keep('query', w);
    });

    it('cancels mid-way without waiting for the sink: WBEM_E_CALL_CANCELLED, references balanced', () => {
      const w = new World(broker);
      w.input(query('c1', 's1'));
      w.input({ kind: 'provider-produced', call: 'c1', count: 2 });
      const [indicate] = w.step('deliver:c1');
      w.input({ kind: 'provider-produced', call: 'c1', count: 1 });
      // The Indicate is still in the sink (held) when the client cancels.
      const out = w.input({ kind: 'cancel', cancel: 'x1', services: 'svc', sink: 's1' });
      expect(out.map((o) => o.kind)).toEqual([
        'cancel-processed', 'provider-cancel', 'addref', 'final-decided', 'set-status', 'release', 'cancel-return',
      ]);
      expect(out[0]).toEqual({ kind: 'cancel-processed', cancel: 'x1', calls: ['c1'] });
      expect(out[4]).toMatchObject({ kind: 'set-status', call: 'c1', lFlags: 0, hResult: WBEM_E_CALL_CANCELLED });
      expect(out.at(-1)).toEqual({ kind: 'cancel-return', cancel: 'x1', hr: S_OK });
      // RELEASED-BEFORE-CANCEL-RETURNS: only the final delivery's temporary reference remains.
      expect(w.refs.get('s1')).toBe(1);
      w.input({ kind: 'provider-cancel-answer', call: 'c1', hr: WBEM_E_NOT_AVAILABLE });
      w.input({ kind: 'provider-produced', call: 'c1', count: 5 });
      w.input({ kind: 'provider-completed', call: 'c1', hr: S_OK });
      expect(broker.enabled()).toEqual([]);
      w.returnCallback((indicate as { cb: string }).cb);
      w.settle();
      expect(w.indicated('c1')).toBe(2);
      expect(w.finals('c1')).toHaveLength(1);
      expect(w.refs.get('s1')).toBe(0);
      keep('cancel', w);
    });

    it('rejects a NULL sink with WBEM_E_INVALID_PARAMETER and takes no reference', () => {
      const w = new World(broker);
      expect(w.input(query('c1', null))).toEqual([{ kind: 'call-return', call: 'c1', hr: WBEM_E_INVALID_PARAMETER }]);
      expect(w.input({ kind: 'cancel', cancel: 'x1', services: 'svc', sink: null })).toEqual([
        { kind: 'cancel-return', cancel: 'x1', hr: WBEM_E_INVALID_PARAMETER },
      ]);
      expect(broker.enabled()).toEqual([]);
      keep('null-sink', w);
    });

    it('returns a bad query\'s start failure from the async method, with no callback and no reference', () => {
      const w = new World(broker);
      const out = w.input(query('c1', 's1', { target: { provider: 'instance', startError: WBEM_E_INVALID_QUERY } }));
      expect(out).toEqual([{ kind: 'call-return', call: 'c1', hr: WBEM_E_INVALID_QUERY }]);
      expect(broker.enabled()).toEqual([]);
      // CANCEL-UNKNOWN-SINK-ERROR: the sink was never accepted.
      const [ret] = w.input({ kind: 'cancel', cancel: 'x1', services: 'svc', sink: 's1' });
      expect(ret).toMatchObject({ kind: 'cancel-return', cancel: 'x1' });
      expect(failed((ret as { hr: number }).hr)).toBe(true);
      keep('start-failure', w);
    });

    it('ends a call with WBEM_E_CALL_CANCELLED when the sink fails an Indicate', () => {
      const w = new World(broker);
      w.input(query('c1', 's1'));
      w.input({ kind: 'provider-produced', call: 'c1', count: 1 });
      const [indicate] = w.step('deliver:c1');
      w.input({ kind: 'provider-produced', call: 'c1', count: 1 });
      expect(w.returnCallback((indicate as { cb: string }).cb, WBEM_E_FAILED)).toEqual([{ kind: 'provider-cancel', call: 'c1' }]);
      w.settle();
      expect(w.indicated('c1')).toBe(1);
      expect(w.finals('c1')).toEqual([expect.objectContaining({ hResult: WBEM_E_CALL_CANCELLED })]);
      expect(w.refs.get('s1')).toBe(0);
      keep('sink-error', w);
    });

    it('never tells a method provider about a cancel, and drops what it produces afterwards', () => {
      const w = new World(broker);
      w.input({ kind: 'call', call: 'm1', op: 'ExecMethodAsync', services: 'svc', sink: 's1', flags: 0, target: { provider: 'method' } });
      const out = w.input({ kind: 'cancel', cancel: 'x1', services: 'svc', sink: 's1' });
      expect(out.map((o) => o.kind)).not.toContain('provider-cancel');
      w.input({ kind: 'provider-produced', call: 'm1', count: 1 });
      w.input({ kind: 'provider-completed', call: 'm1', hr: S_OK });
      w.settle();
      expect(w.indicated('m1')).toBe(0);
      expect(w.finals('m1')).toEqual([expect.objectContaining({ hResult: WBEM_E_CALL_CANCELLED })]);
      expect(w.refs.get('s1')).toBe(0);
      keep('method', w);
    });

    it('cancels every call sharing the sink through the same services, and spares the others', () => {
      const w = new World(broker);
      w.input(query('c1', 's1'));
      w.input(query('c2', 's1'));
      w.input(query('c3', 's1', { services: 'other' }));
      w.input(query('c4', 's2'));
      const [processed] = w.input({ kind: 'cancel', cancel: 'x1', services: 'svc', sink: 's1' });
      expect(processed).toEqual({ kind: 'cancel-processed', cancel: 'x1', calls: ['c1', 'c2'] });
      for (const c of ['c3', 'c4']) w.input({ kind: 'provider-completed', call: c, hr: S_OK });
      w.settle();
      expect(w.finals('c3')).toEqual([expect.objectContaining({ hResult: S_OK })]);
      expect(w.finals('c4')).toEqual([expect.objectContaining({ hResult: S_OK })]);
      expect([...w.refs.values()]).toEqual([0, 0]);
      keep('shared-sink', w);
    });

    it('keeps a notification query running until it is cancelled', () => {
      const w = new World(broker);
      w.input({ kind: 'call', call: 'e1', op: 'ExecNotificationQueryAsync', services: 'svc', sink: 's1', flags: 0, target: { provider: 'event' } });
      w.input({ kind: 'provider-produced', call: 'e1', count: 1 });
      w.input({ kind: 'provider-completed', call: 'e1', hr: S_OK });
      w.settle();
      expect(w.finals('e1')).toEqual([]);
      expect(w.refs.get('s1')).toBe(1);
      w.input({ kind: 'cancel', cancel: 'x1', services: 'svc', sink: 's1' });
      w.settle();
      expect(w.finals('e1')).toEqual([expect.objectContaining({ hResult: WBEM_E_CALL_CANCELLED })]);
      expect(w.refs.get('s1')).toBe(0);
      keep('notification', w);
    });

    it('serves many runs from one process: a reset forgets the last run', () => {
      const pid = broker.pid;
      const w = new World(broker);
      w.input(query('c1', 's1'));
      const key = broker.stateKey();
      broker.reset({ security: true });
      expect(broker.stateKey()).not.toBe(key);
      expect(broker.input({ kind: 'cancel', cancel: 'x1', services: 'svc', sink: 's1' })).toEqual([
        expect.objectContaining({ kind: 'cancel-return' }),
      ]);
      expect(broker.pid).toBe(pid);
    });
  });
}

describe('the two example brokers', () => {
  it('behave identically on every script', () => {
    expect(logs.size).toBeGreaterThan(0);
    for (const [script, byBroker] of logs) {
      expect(byBroker.get('python'), script).toEqual(byBroker.get('js'));
    }
  });
});

describe('a broker that misbehaves', () => {
  const call = query('c1', 's1');

  /** Starts `mode`, plays a reset and one call, and returns the failure with the process group. */
  function failureOf(mode: string, options = {}): { failure: BrokerFailure; pgid: number; ms: number } {
    // A generous limit, so that a loaded machine never turns a protocol error into a timeout;
    // the hanging broker's test sets a short one.
    const broker = new StdioBroker(faulty(mode), { cwd: ROOT, stepTimeoutMs: 10_000, maxLineBytes: 64 * 1024, ...options });
    const pgid = broker.pid!;
    const start = performance.now();
    try {
      broker.reset({ security: true });
      broker.input(call);
      // A broker that says too much is caught at the next request.
      broker.stateKey();
    } catch (err) {
      broker.close();
      expect(err).toBeInstanceOf(BrokerFailure);
      return { failure: err as BrokerFailure, pgid, ms: performance.now() - start };
    }
    broker.close();
    throw new Error(`${mode}: no failure`);
  }

  it('that crashes is a crash, with its exit code and all of its stderr', () => {
    const { failure, pgid } = failureOf('crash');
    expect(failure.reason).toBe('crash');
    expect(failure.message).toMatch(/exited with code 3 before replying to input \{"kind":"call","call":"c1"/);
    expect(failure.stderr).toBe('faulty broker: first line of the log\nfaulty broker: about to fail on call\n');
    expectNoLeftover(pgid);
  });

  it('that hangs is a timeout after stepTimeoutMs, and its whole process group is killed', () => {
    const { failure, pgid, ms } = failureOf('hang', { stepTimeoutMs: 300 });
    expect(failure.reason).toBe('timeout');
    expect(failure.message).toMatch(/no reply to input .* within 300 ms/);
    expect(failure.stderr).toContain('faulty broker: hanging');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(9000);
    expectNoLeftover(pgid);
  });

  it('that prints garbage is a protocol error quoting the line', () => {
    const { failure, pgid } = failureOf('garbage');
    expect(failure.reason).toBe('protocol-error');
    expect(failure.message).toContain('is not JSON: "this is not JSON {"');
    expectNoLeftover(pgid);
  });

  it('that writes more stderr than the cap keeps its last lines, not its first', () => {
    const { failure, pgid } = failureOf('noisy-crash', { maxStderrBytes: 500 });
    expect(failure.reason).toBe('crash');
    expect(failure.stderr.length).toBeLessThan(600);
    expect(failure.stderr).toMatch(/^\[earlier stderr cut at the harness cap; its last lines follow\]\nfaulty broker: log line \d+\n/);
    expect(failure.stderr).toContain('faulty broker: log line 199\n');
    expect(failure.stderr).toContain('faulty broker: log line 200 \x1b[2K\rERASED\n');
    expect(failure.stderr).not.toContain('faulty broker: log line 1\n');
    expect(failure.message).toContain('faulty broker: log line 200');
    expectNoLeftover(pgid);
  });

  it('that floods its output is cut at maxLineBytes', () => {
    const { failure, pgid, ms } = failureOf('flood');
    expect(failure.reason).toBe('protocol-error');
    expect(failure.message).toMatch(/longer than 65536 bytes \(the line starts "xxxx/);
    expect(ms).toBeLessThan(9000);
    expectNoLeftover(pgid);
  });

  it.each([
    // Caught as an unrequested line, or (when the machine is loaded and the extra line arrives
    // after the next request went out) as a reply of the wrong type to that request.
    ['chatter', /a line nobody asked for|expected a "state-key" reply/],
    ['wrong-type', /expected a "outputs" reply to input .*, got "\{\\"type\\":\\"state-key\\"/],
    ['unknown-call', /names call "never-seen", which the broker never got/],
    ['unknown-cancel-step', /enabled step "finish:x9" names cancel "x9", which the broker never got/],
    ['signed-hr', /"hr" is not an unsigned 32-bit integer \(HRESULTs are unsigned: write 2147749896\)/],
    ['error', /the broker reported an error in reply to input .*: faulty broker: cannot handle call/],
  ])('that breaks the protocol (%s) is a protocol error saying how', (mode, message) => {
    const { failure, pgid } = failureOf(mode);
    expect(failure.reason).toBe('protocol-error');
    expect(failure.message).toMatch(message);
    expectNoLeftover(pgid);
  });

  it('names the cancel a step acts for, and the harness passes it on', () => {
    const broker = new StdioBroker(faulty('cancel-step'), { cwd: ROOT, stepTimeoutMs: 10_000 });
    try {
      broker.reset({ security: true });
      broker.input(call);
      broker.input({ kind: 'cancel', cancel: 'k1', services: 'svc', sink: 's1' });
      expect(broker.enabled()).toEqual([{ id: 'finish:k1', cancel: 'k1' }]);
    } finally {
      broker.close();
    }
  });

  it('that speaks another protocol version fails the handshake', () => {
    expect(() => new StdioBroker(faulty('old-version'), { cwd: ROOT })).toThrow(
      /the broker speaks protocol version 1; this harness speaks 2 \(docs\/protocol\.md, section 4/,
    );
  });

  it('that refuses the offered version fails the handshake, naming the version offered and its message', () => {
    expect(() => new StdioBroker(faulty('refuse-hello'), { cwd: ROOT })).toThrow(
      /the broker refused the hello \(this harness speaks protocol version 2; .*\): this broker speaks protocol version 1, not 2/,
    );
  });

  it('that cannot be started is a crash with the shell\'s message', () => {
    const attempt = () => new StdioBroker('./no-such-broker --flag', { cwd: ROOT });
    expect(attempt).toThrow(BrokerFailure);
    try {
      attempt();
    } catch (err) {
      expect((err as BrokerFailure).reason).toBe('crash');
      expect((err as BrokerFailure).message).toMatch(/exited with code 127/);
      expect((err as BrokerFailure).stderr).toMatch(/no-such-broker/);
    }
  });

  it('stays failed until reset, which starts a fresh process', () => {
    const broker = createStdioBroker(faulty('crash'), { cwd: ROOT })() as StdioBroker;
    try {
      broker.reset({ security: true });
      const first = broker.pid;
      expect(() => broker.input(call)).toThrow(BrokerFailure);
      expect(() => broker.enabled()).toThrow(/exited with code 3/);
      broker.reset({ security: true });
      expect(broker.pid).not.toBe(first);
      expect(broker.enabled()).toEqual([]);
    } finally {
      broker.close();
    }
  });

  it('is killed when the harness exits without close()', () => {
    const script = `
      import { StdioBroker } from './brokers/stdio-broker.ts';
      const b = new StdioBroker(${JSON.stringify(faulty('linger'))});
      b.reset({ security: true });
      console.log(b.pid);
      process.exit(0);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const pgid = Number(run.stdout.trim());
    expect(pgid).toBeGreaterThan(0);
    // SIGKILL was sent at exit.
    expect(groupGone(pgid)).toEqual([]);
  });
});

describe('a broker process that fails in the middle of a campaign', () => {
  it.each([
    ['crash-later', 'crash', /^broker crashed at event \d+$/, {}],
    ['hang-later', 'timeout', /^broker stopped answering at event \d+$/, { stepTimeoutMs: 300 }],
  ] as const)('(%s) is one finding, the %s: the calls it accepted and never finished are not judged', (mode, reason, notJudged, options) => {
    const campaign = runMany({
      impl: `stdio:${faulty(mode)}`, factory: createStdioBroker(faulty(mode), { cwd: ROOT, ...options }),
      workloads: [resolveWorkload('three-queries-one-sink')], strategy: 'random', seed: 1, runs: 2,
    });
    expect(campaign.brokerFailures.map((b) => b.reason)).toEqual([reason, reason]);
    expect(campaign.conformant).toBe(false);
    // The dead process left accepted calls without their final status: not a second finding.
    expect(campaign.violations).toEqual([]);
    expect(campaign.inconclusive.map((f) => f.rule)).not.toContain('FINAL-STATUS-ONCE');
    const tally = campaign.rules.find((r) => r.rule === 'FINAL-STATUS-ONCE')!;
    expect(tally.verdict).toBe('not judged');
    expect(tally.reason).toMatch(notJudged);
  });
});

describe('a stdio broker that does not start', () => {
  it.each([
    ['exits before its hello', "sh -c 'echo the broker log says boom >&2; exit 4'", /exited with code 4 before replying to the hello[\s\S]*the broker log says boom/],
    ['fails the handshake', faulty('old-version'), /the broker speaks protocol version 1/],
  ])('(%s) is bad input: exit 2, "the broker did not start" with its stderr, nothing judged', (_what, command, detail) => {
    const run = spawnSync(process.execPath, ['bin/wbemsim.mjs', 'run', '--impl', `stdio:${command}`, '--workload', 'three-queries-one-sink', '--runs', '2'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^wbemsim: the broker did not start: /);
    expect(run.stderr).toMatch(detail);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
