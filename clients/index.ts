/**
 * The client models `--client` names (docs/clients.md): `workload`, the workload's own client
 * (the default), the built-in models of clients/, and `module:PATH`, a JS/TS module whose default
 * export (or `model` export) is a ClientModel.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientModel } from '../sim/client-api.ts';
import { nearestName } from '../sim/workloads.ts';
import { dotnet, dotnetRemote, dotnetStopInHandler } from './dotnet.ts';
import { autoit, autoitFixed } from './autoit.ts';
import { dbeaver, dbeaverFixed } from './dbeaver.ts';
import { msAsyncQuery, msAsyncQueryFixed, msEvent, msEventFixed } from './ms-samples.ts';
import { wmiRs, wmiRsFixed } from './wmi-rs.ts';
import { wmilight, wmilightFixed, wmilightX86, wmilightX86Fixed } from './wmilight.ts';
import { mullvad, mullvadInCallback } from './mullvad.ts';
import { msWmiGo, msWmiGoFixed } from './ms-wmi-go.ts';
import { wmiRsStream, wmiRsStream2022, wmiRsStreamFixed } from './wmi-rs-stream.ts';
import { presentmon, presentmonFixed, velociraptor, velociraptorFixed } from './teardown.ts';

/** The workload's own client: no model. */
export const WORKLOAD_CLIENT = 'workload';

const MODELS: ClientModel[] = [dotnet, dotnetRemote, dotnetStopInHandler, autoit, autoitFixed, dbeaver, dbeaverFixed, msAsyncQuery, msAsyncQueryFixed, msEvent, msEventFixed,
  wmiRs, wmiRsFixed, wmilight, wmilightFixed, wmilightX86, wmilightX86Fixed, mullvad, mullvadInCallback,
  presentmon, presentmonFixed, velociraptor, velociraptorFixed, msWmiGo, msWmiGoFixed,
  wmiRsStream2022, wmiRsStream, wmiRsStreamFixed];

/** Every built-in model, in the order `wbemsim clients` shows them. */
export function clientModels(): readonly ClientModel[] {
  return MODELS;
}

/** Every name `--client` accepts besides `module:PATH`. */
export function clientNames(): string[] {
  return [WORKLOAD_CLIENT, ...MODELS.map((m) => m.name)];
}

/** A `--client` value that names no client: bad input. */
export class ClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientError';
  }
}

function isModel(x: unknown): x is ClientModel {
  const m = x as Partial<ClientModel> | null;
  return typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.start === 'function' && typeof m.run === 'function'
    && typeof m.workload === 'object' && Array.isArray(m.facts);
}

/** The model a `--client` value names; undefined for the workload's own client. */
export async function resolveClient(name: string | undefined): Promise<ClientModel | undefined> {
  if (name === undefined || name === WORKLOAD_CLIENT) return undefined;
  if (name.startsWith('module:')) {
    const path = name.slice(7);
    if (!path) throw new ClientError('--client module: needs a path');
    let mod: Record<string, unknown>;
    try {
      mod = await import(pathToFileURL(resolve(path)).href) as Record<string, unknown>;
    } catch (err) {
      throw new ClientError(`--client ${name}: cannot load the module (${(err as Error).message.split('\n')[0]})`);
    }
    const m = [mod.default, mod.model].find(isModel);
    if (!m) throw new ClientError(`--client ${name}: the module exports no client model (a default or \`model\` export with name, facts, workload, start and run)`);
    return m;
  }
  const m = MODELS.find((x) => x.name === name);
  if (m) return m;
  const near = nearestName(name, clientNames());
  throw new ClientError(`unknown client ${JSON.stringify(name)}${near ? ` (did you mean ${near}?)` : ''}; known: ${clientNames().join(', ')}, module:PATH`);
}

/** The built-in model by name, synchronously (scenarios name only built-in models). */
export function builtinClient(name: string | undefined): ClientModel | undefined {
  if (name === undefined || name === WORKLOAD_CLIENT) return undefined;
  const m = MODELS.find((x) => x.name === name);
  if (!m) throw new ClientError(`unknown client ${JSON.stringify(name)}; known: ${clientNames().join(', ')}`);
  return m;
}
