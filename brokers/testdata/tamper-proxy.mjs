#!/usr/bin/env node
/**
 * A broker made from another one by changing what it says, for the specs of snapshots:
 * `node tamper-proxy.mjs MODE COMMAND...` runs COMMAND (through the shell, in the same process
 * group) and passes every line between it and the harness, except that:
 *
 *   no-snapshot     the hello no longer announces snapshots (a broker explored by re-execution)
 *   drop-release    every `release` output is dropped (a planted fault: the sink's references leak)
 *   restore-error   a `restore` is answered with the protocol's error reply, not passed on
 *   restore-first   a `restore` brings back the first state saved in the run, whichever was asked
 *                   (a broker whose restore is wrong)
 *   snapshot-bare   a `snapshot` is answered without its `state`
 *   snapshot-crash  the broker dies (exit code 3) when asked for a `snapshot`
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const [mode, ...words] = process.argv.slice(2);
const child = spawn(words.join(' '), { shell: true, stdio: ['pipe', 'pipe', 'inherit'] });
// 'close' comes after the child's stdout is drained, so its last reply (to `bye`) is passed on first.
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

const out = (m) => process.stdout.write(JSON.stringify(m) + '\n');
/** The types of the requests passed on and not answered yet, oldest first. */
const asked = [];
/** The first state saved since the last reset, as the broker wrote it. */
let first;

createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
  const type = asked.shift();
  const reply = JSON.parse(line);
  if (type === 'hello' && mode === 'no-snapshot') delete reply.snapshot;
  if (type === 'snapshot' && first === undefined) first = reply.state;
  if (type === 'snapshot' && mode === 'snapshot-bare') delete reply.state;
  if (reply.type === 'outputs' && mode === 'drop-release') reply.outputs = reply.outputs.filter((o) => o.kind !== 'release');
  out(reply);
});

createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  const request = JSON.parse(line);
  if (request.type === 'reset') first = undefined;
  if (request.type === 'restore' && mode === 'restore-error') {
    out({ type: 'error', message: 'this broker cannot restore that state' });
    return;
  }
  if (request.type === 'restore' && mode === 'restore-first') request.state = first;
  if (request.type === 'snapshot' && mode === 'snapshot-crash') {
    process.stderr.write('tamper-proxy: dying on a snapshot\n');
    process.exit(3);
  }
  asked.push(request.type);
  child.stdin.write(JSON.stringify(request) + '\n');
}).on('close', () => child.stdin.end());
