import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './cli-test-helper.ts';
import { builtinWorkloads } from '../sim/workloads.ts';
import { implNames } from '../brokers/implementations.ts';

const cli = runCli;

afterEach(() => vi.restoreAllMocks());

describe('wbemsim explore', () => {
  it.each(['run', 'explore'])('%s --help lists the built-in workloads and implementations', async (command) => {
    const r = await cli(command, '--help');
    expect(r.code).toBe(0);
    const help = r.out.replace(/\s+/g, ' ');
    for (const w of builtinWorkloads()) expect(help).toContain(w.name);
    for (const i of implNames()) expect(help).toContain(i);
  });

  it('explores a configuration to the end and prints its counts, exit 0 for the reference broker', async () => {
    const r = await cli('explore', '--workload', 'explore-method-progress-wrapped', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.explorations[0]).toMatchObject({ workload: 'explore-method-progress-wrapped', complete: true, conformant: true });
    expect(j.explorations[0].states).toBeGreaterThan(0);
  });

  it('exits 1 with a replayable token for a broken implementation', async () => {
    const r = await cli('explore', '--workload', 'explore-shared-sink-cancel', '--impl', 'module:brokers/mutants/planted-race.ts');
    expect(r.code).toBe(1);
    const token = /replay: wbemsim replay (\S+)/.exec(r.out)![1]!;
    const again = await cli('replay', token);
    expect(again.code).toBe(1);
    expect(again.out).toContain('VIOLATED CANCELLED-STATUS');
  });

  it('--mode breadth-first reports each rule\'s shortest witness, which replays', async () => {
    const r = await cli('explore', '--workload', 'cancel-unused-sink', '--impl', 'mutant:unknown-sink-ok', '--mode', 'breadth-first', '--json');
    expect(r.code).toBe(1);
    const x = JSON.parse(r.out).explorations[0];
    expect(x).toMatchObject({ mode: 'breadth-first', complete: true, conformant: false });
    const v = x.violations.find((y: { rule: string }) => y.rule === 'CANCEL-UNKNOWN-SINK-ERROR');
    expect(v.steps).toBe(14);
    const again = await cli('replay', v.token);
    expect(again.out).toContain('VIOLATED CANCEL-UNKNOWN-SINK-ERROR');
  });

  it('explores a stdio broker that announces snapshots in stateful mode, and says so', async () => {
    const r = await cli('explore', '--workload', 'explore-three-calls-two-sinks', '--impl', 'stdio:node examples/js-broker/broker.mjs', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toContain('mode: stateful (world, broker, monitor and judge saved at branch points and restored)');
    expect(r.out).toContain('verdict: CONFORMANT on every interleaving');
  });

  describe('a stdio broker without snapshots', () => {
    const impl = 'stdio:node brokers/testdata/tamper-proxy.mjs no-snapshot node examples/js-broker/broker.mjs';

    it('is explored by re-execution, and the text says so', async () => {
      const r = await cli('explore', '--workload', 'explore-method-progress-wrapped', '--impl', impl, '--quiet');
      expect(r.code).toBe(0);
      expect(r.out).toContain('mode: re-execution (every branch runs again from the start; the broker cannot be saved and restored');
    });

    it('with --mode stateful is refused as bad usage, in one line that names the way out', async () => {
      const r = await cli('explore', '--workload', 'explore-method-progress-wrapped', '--impl', impl, '--mode', 'stateful', '--quiet');
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toEqual([`wbemsim: --mode stateful: ${impl} cannot be saved and restored (a broker offers snapshot and restore for that); use --mode re-execution`]);
    });
  });

  it('exits 2 on an unknown workload', async () => {
    const r = await cli('explore', '--workload', 'no-such-workload');
    expect(r.code).toBe(2);
  });
});
