/**
 * `--client` as the commands take it: the client model that plays the workloads (clients/,
 * docs/clients.md). A value that names no model is bad usage (exit 2), found before any run.
 */
import { Option } from 'commander';
import { ClientError, clientNames, resolveClient } from '../clients/index.ts';
import { UsageError } from './usage-error.ts';

/** The option, for `run`, `scenario` and `explore`. */
export function clientOption(): Option {
  return new Option('--client <name>', `the client model that plays the workload: ${clientNames().join(', ')}, or module:PATH (a JS/TS module exporting a model)`);
}

/** Checks a `--client` value; throws UsageError when it names no model. */
export async function checkClientForCli(name: string | undefined): Promise<void> {
  try {
    await resolveClient(name);
  } catch (err) {
    if (err instanceof ClientError) throw new UsageError(err.message);
    throw err;
  }
}
