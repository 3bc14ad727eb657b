/** Option parsers that turn a bad value into a one-line usage error (exit 2). */
import { InvalidArgumentError } from 'commander';

/** An integer option with a minimum. */
export function intOption(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} takes an integer of at least ${min} (got ${JSON.stringify(value)})`);
    return n;
  };
}
