#!/usr/bin/env node
/**
 * A broker that misbehaves on purpose, for stdio-broker.spec.ts: `node faulty-broker.mjs MODE`.
 * It answers the hello and the reset like a good broker, then breaks at its first `input`:
 *
 *   crash         writes to stderr and exits with code 3 (stderr must be kept whole)
 *   crash-later   accepts each call (AddRef, provider start, S_OK), then crashes like `crash` at
 *                 the first input that is not a call: the dead process leaves accepted calls
 *                 without their final status
 *   hang-later    accepts each call like `crash-later`, then hangs like `hang`
 *   noisy-crash   writes 200 numbered lines to stderr, the last one holding terminal escapes
 *                 (erase line, carriage return), then exits with code 3
 *   hang          never answers, with a grandchild `sleep` in its process group (both must die)
 *   garbage       answers with a line that is not JSON
 *   flood         answers with a line that never ends
 *   chatter       answers, then writes a second line nobody asked for
 *   wrong-type    answers with a reply of the wrong type
 *   unknown-call  answers with an output naming a call it never got
 *   unknown-cancel-step  offers a step that names a cancel it never got
 *   cancel-step   well behaved: answers a cancel with a step that names it (`finish:<cancel>`)
 *   signed-hr     answers with a negative (signed) HRESULT
 *   error         answers with the protocol's error reply
 *   old-version   answers the hello with protocol version 1 (fails the handshake)
 *   refuse-hello  refuses the offered version with the protocol's error reply, as a version-1
 *                 broker does (fails the handshake)
 *   linger        is well behaved, but starts a grandchild `sleep` and outlives its stdin:
 *                 only the harness's exit hook can end it
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const mode = process.argv[2];
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const empty = { type: 'outputs', outputs: [], enabled: [] };

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const req = JSON.parse(line);
  if (req.type === 'hello' && mode === 'refuse-hello') {
    send({ type: 'error', message: `this broker speaks protocol version 1, not ${req.version}` });
    continue;
  }
  if (req.type === 'hello') {
    send(mode === 'old-version'
      ? { type: 'hello', protocol: 'wbemsim-broker', version: 1, name: 'faulty', brokerVersion: '0', inProcess: true }
      : { type: 'hello', protocol: 'wbemsim-broker', version: 2, name: `faulty-${mode}`, brokerVersion: '0', inProcess: true });
    continue;
  }
  if (req.type === 'reset') {
    if (mode === 'linger') {
      spawn('sleep', ['60'], { stdio: 'ignore' });
      setInterval(() => {}, 1 << 30);
    }
    send(empty);
    continue;
  }
  if (req.type === 'bye') { send({ type: 'bye' }); break; }
  if ((mode === 'crash-later' || mode === 'hang-later') && req.input.kind === 'call') {
    const { call, sink } = req.input;
    send({ type: 'outputs', outputs: [{ kind: 'addref', sink, call }, { kind: 'provider-start', call }, { kind: 'call-return', call, hr: 0 }], enabled: [] });
    continue;
  }
  switch (mode) {
    case 'noisy-crash':
      for (let i = 1; i <= 200; i++) process.stderr.write(`faulty broker: log line ${i}${i === 200 ? ' \x1b[2K\rERASED' : ''}\n`);
      process.exit(3);
      break;
    case 'crash-later':
    case 'crash':
      process.stderr.write('faulty broker: first line of the log\n');
      process.stderr.write('faulty broker: about to fail on ' + req.input.kind + '\n');
      process.exit(3);
      break;
    case 'hang-later':
    case 'hang':
      spawn('sleep', ['60'], { stdio: 'ignore' });
      process.stderr.write('faulty broker: hanging\n');
      setInterval(() => {}, 1 << 30);
      break;
    case 'garbage':
      process.stdout.write('this is not JSON {\n');
      break;
    case 'flood': {
      const chunk = 'x'.repeat(64 * 1024);
      const more = () => { while (process.stdout.write(chunk)); process.stdout.once('drain', more); };
      more();
      break;
    }
    case 'chatter':
      // Both lines in one write, so they reach the harness together, before its next request.
      process.stdout.write(JSON.stringify(empty) + '\n' + JSON.stringify(empty) + '\n');
      break;
    case 'wrong-type':
      send({ type: 'state-key', key: '' });
      break;
    case 'unknown-call':
      send({ type: 'outputs', outputs: [{ kind: 'call-return', call: 'never-seen', hr: 0 }], enabled: [] });
      break;
    case 'unknown-cancel-step':
      send({ type: 'outputs', outputs: [], enabled: [{ id: 'finish:x9', cancel: 'x9' }] });
      break;
    case 'cancel-step':
      send(req.input.kind === 'cancel' ? { type: 'outputs', outputs: [], enabled: [{ id: `finish:${req.input.cancel}`, cancel: req.input.cancel }] } : empty);
      break;
    case 'signed-hr':
      send({ type: 'outputs', outputs: [{ kind: 'call-return', call: req.input.call, hr: -2147217400 }], enabled: [] });
      break;
    case 'error':
      send({ type: 'error', message: 'faulty broker: cannot handle ' + req.input.kind });
      break;
    default:
      send(empty);
  }
}
