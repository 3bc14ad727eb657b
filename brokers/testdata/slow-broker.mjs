#!/usr/bin/env node
/**
 * A broker that never answers its first input, for the interrupt tests: `node slow-broker.mjs
 * PIDFILE`. It answers the hello and the reset, starts a grandchild `sleep` in its process
 * group, writes "<its pid> <the grandchild's pid>" to PIDFILE once both run, then waits for
 * ever. Only a harness that kills the whole group ends both.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const pidFile = process.argv[2];
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');

for await (const line of createInterface({ input: process.stdin })) {
  const req = JSON.parse(line);
  if (req.type === 'hello') {
    send({ type: 'hello', protocol: 'wbemsim-broker', version: 2, name: 'slow', brokerVersion: '0', inProcess: true });
  } else if (req.type === 'reset') {
    send({ type: 'outputs', outputs: [], enabled: [] });
  } else if (req.type === 'bye') {
    send({ type: 'bye' });
    break;
  } else {
    const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
    sleeper.on('spawn', () => writeFileSync(pidFile, `${process.pid} ${sleeper.pid}\n`));
    process.stdin.pause();
    setInterval(() => {}, 1 << 30);
    break;
  }
}
