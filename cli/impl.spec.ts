import { describe, expect, it } from 'vitest';
import { commandExecutable } from './impl.ts';

describe('the executable of a stdio: command', () => {
  it.each([
    ['python3 my_broker.py --x', 'python3'],
    ['./broker --flag', './broker'],
    ["'/opt/my broker/run' a", '/opt/my broker/run'],
    ['FOO=1 BAR="a b" node broker.mjs', 'node'],
  ])('of %j is %j', (command, exe) => {
    expect(commandExecutable(command)).toBe(exe);
  });

  it.each(['exec ./broker', '(cd x && ./broker)', '$WBEMSIM_SURELY_UNSET_VARIABLE/broker', 'cd sub; ./broker'])('of %j is left to the shell', (command) => {
    expect(commandExecutable(command)).toBeUndefined();
  });
});
