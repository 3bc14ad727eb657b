/**
 * `--impl` forms: `reference`, `mutant:NAME`, `module:PATH`, `stdio:COMMAND`, and the models of
 * real brokers by name. Each resolves to a factory of adapters; nothing is special-cased later.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { BrokerAdapter, BrokerFactory } from '../sim/broker-adapter.ts';
import { ReferenceBroker } from './reference-broker.ts';
import { createStdioBroker } from './stdio-broker.ts';

/** An `--impl` value that names nothing. */
export class ImplError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImplError';
  }
}

/** Options that some forms use (a stdio broker's answer time limit). */
export interface ImplOptions {
  stepTimeoutMs?: number;
  /** A stop request shared with the thread that keeps the signals (StdioBrokerOptions.interrupt). */
  interrupt?: Int32Array;
}

type Resolver = (arg: string, options: ImplOptions) => Promise<BrokerFactory>;
const resolvers = new Map<string, Resolver>();
const named = new Map<string, BrokerFactory>([['reference', () => new ReferenceBroker()]]);
/** Names users may try that are not brokers, with what they are instead. */
const notBrokers = new Map<string, string>([
  ['dotnet', '.NET System.Management is a client library, not a broker (IMPLEMENTATIONS.md section 3): its model plays the client against any broker and comes with the client models; brokers: reference, wine, mutant:NAME, module:PATH, stdio:COMMAND'],
]);

/** Registers a named implementation (`--impl NAME`), e.g. a model of a real broker. */
export function registerImpl(name: string, factory: BrokerFactory): void {
  named.set(name, factory);
}

/** Registers a prefix form (`--impl PREFIX:ARG`), e.g. `mutant:` or `stdio:`. */
export function registerImplForm(prefix: string, resolver: Resolver): void {
  resolvers.set(prefix, resolver);
}

/**
 * Imports a `module:` file. Plain Node cannot load TypeScript: for a .ts file it fails with
 * ERR_UNKNOWN_FILE_EXTENSION, and then tsx's loader is registered and the import tried again.
 */
async function importModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(path)).href;
  const cannot = (err: Error) => new ImplError(`module:${path}: cannot load it (${err.message.split('\n')[0]})`);
  try {
    return await import(url);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw cannot(err as Error);
  }
  let api: { register(): unknown };
  try {
    // Resolved from this package upwards: wbemsim's development dependency in a checkout, the
    // user's project's own tsx when wbemsim is installed in it.
    api = await import('tsx/esm/api');
  } catch {
    throw new ImplError(`module:${path}: a TypeScript module needs tsx to load (npm install --save-dev tsx), or compile it to JavaScript`);
  }
  api.register();
  // Node remembers the failed import of `url`: a query makes it a new module request.
  return import(`${url}?ts`).catch((err: Error) => { throw cannot(err); });
}

registerImplForm('module', async (path) => {
  const mod = await importModule(path);
  const factory = mod.createBroker ?? mod.default;
  if (typeof factory !== 'function') throw new ImplError(`module:${path}: it must export createBroker() (or a default function) returning a BrokerAdapter`);
  return () => factory() as BrokerAdapter;
});

registerImplForm('stdio', async (command, options) => {
  if (!command.trim()) throw new ImplError('stdio: needs a command, e.g. --impl stdio:\'python3 my_broker.py\'');
  return createStdioBroker(command, { stepTimeoutMs: options.stepTimeoutMs, interrupt: options.interrupt });
});

/** The names accepted by `--impl`, for help texts and errors. */
export function implNames(): string[] {
  return [...named.keys(), ...[...resolvers.keys()].map((p) => `${p}:…`)];
}

export async function resolveImpl(spec: string, options: ImplOptions = {}): Promise<BrokerFactory> {
  const factory = named.get(spec);
  if (factory) return factory;
  const not = notBrokers.get(spec);
  if (not) throw new ImplError(`--impl ${spec}: ${not}`);
  const colon = spec.indexOf(':');
  const resolver = colon > 0 ? resolvers.get(spec.slice(0, colon)) : undefined;
  if (!resolver) throw new ImplError(`unknown implementation ${JSON.stringify(spec)} (one of: ${implNames().join(', ')})`);
  return resolver(spec.slice(colon + 1), options);
}
