/** `wbemsim diagram`: the lifecycle machine as a Mermaid stateDiagram-v2, generated from the machine. */
import type { Command } from 'commander';
import { REGIONS } from '../specs/lifecycle-machine.ts';
import { machineDiagram } from '../specs/machine-diagram.ts';
import { UsageError } from './usage-error.ts';

export function registerDiagram(program: Command, setCode: (code: number) => void): void {
  program
    .command('diagram')
    .description('Print the call lifecycle machine as a Mermaid stateDiagram-v2 (generated from the machine itself).')
    .option('--region <name>', `only these regions (repeatable): ${REGIONS.join(', ')}`, (v: string, p: string[]) => [...p, v], [])
    .action((opts: { region: string[] }) => {
      const bad = opts.region.find((r) => !(REGIONS as readonly string[]).includes(r));
      if (bad) throw new UsageError(`--region: no region ${JSON.stringify(bad)} (one of ${REGIONS.join(', ')})`);
      process.stdout.write(machineDiagram(opts.region.length ? opts.region : REGIONS));
      setCode(0);
    });
}
