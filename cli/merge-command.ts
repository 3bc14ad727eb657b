/**
 * `wbemsim merge`: the results of the shards of one campaign (`run --shard k/n`) as the result of
 * the whole campaign. The shards' run records are folded again, in the campaign's order, by the
 * fold that a single machine's run uses, so the text, the exit code and the JSON are those of the
 * unsharded run (but the wall-clock time). Mismatched shards are bad input.
 */
import { Command } from 'commander';
import { mergeCampaign } from '../sim/campaign.ts';
import { FAIL_ON, parseFailOn } from './exit-code.ts';
import { checkOutputs } from './options.ts';
import { checkReportDir } from './report-output.ts';
import { emitCampaign } from './run-command.ts';
import { checkShards, decodePart, readShardFile, type RunShard } from './shard-file.ts';
import { UsageError } from './usage-error.ts';
import { emitExplorations, type ExploreShard } from './explore-command.ts';
import { mergeExplorations } from './explore-merge.ts';

export function registerMerge(program: Command, setCode: (code: number) => void): void {
  program
    .command('merge')
    .description('Merge the results of the shards of one campaign (run --shard k/n) or exploration (explore --shard k/n) into one result.')
    .argument('<results...>', 'the shards\' results: JSON files (run --shard k/n --out FILE, or its --json) or report folders (run --shard k/n --report DIR)')
    .option('--json', 'print a machine-readable summary instead of text')
    .option('--verbose', 'name every rule the workloads did not exercise (otherwise counted)')
    .option('--trace <file>', 'write the trace of the run the report shows (replayed from its token)')
    .option('--report <dir>', 'write a report into this folder, as run --report does (the witnesses are replayed, so the implementation must be at hand)')
    .option('--out <file>', 'also write the JSON result into this file')
    .option('--allow-cut', 'exit 0 even when runs were cut by --max-steps or --time-budget')
    .option('--fail-on <outcomes>', `also exit 1 on these outcomes (comma-separated: ${FAIL_ON.join(', ')})`, '')
    .addHelpText('after', `
Every shard k = 1..n of the same campaign must be given once: the same implementation, seed,
runs, workloads and options (else exit 2, naming the difference). The merged result is the
unsharded run's, byte for byte in --json but for "wall" (here the longest shard's time), and the
exit code is the one that run would give: 0, 1 on a violation or a cut run (see run --help).

Examples:
  wbemsim run --shard 1/2 --out a.json && wbemsim run --shard 2/2 --out b.json
  wbemsim merge a.json b.json              the text of \`wbemsim run\`
  wbemsim merge a.json b.json --json       the JSON of \`wbemsim run --json\`
  wbemsim merge out-1/ out-2/ --report out/  from the shards' --report folders

Shards of explore merge into the verdicts and violated rules of one exploration; the counts
(states, transitions, paths, steps) are sums over the shards, and say so.

A CI matrix that runs the shards and merges them: docs/campaign.md, "Sharding".`)
    .action(async (files: string[], opts) => {
      checkOutputs({ '--trace': opts.trace, '--out': opts.out });
      if (opts.report !== undefined) checkReportDir(opts.report);
      const failOn = parseFailOn(opts.failOn);
      const read = files.map((f) => readShardFile(f).shard as RunShard | ExploreShard);
      checkShards(read, files);
      if (read[0]!.command === 'explore') {
        const shards = (read as ExploreShard[]).sort((a, b) => a.k - b.k);
        const merged = mergeExplorations(shards.map((s) => s.result), shards[0]!.workloads, Math.max(...shards.map((s) => s.wallMs)));
        await emitExplorations({ ...merged, parts: shards[0]!.n }, opts, setCode);
        return;
      }
      if ((read[0] as { command: string }).command !== 'run') throw new UsageError(`merge reads shards of run and explore, not of ${(read[0] as { command: string }).command}`);
      const shards = read as RunShard[];
      const byK = shards.map((s, i) => ({ s, i })).sort((a, b) => a.s.k - b.s.k);
      const campaign = mergeCampaign({
        options: shards[0]!.fold, parts: byK.map(({ s }) => decodePart(s.part)), shrunk: byK.flatMap(({ s }) => s.shrunk),
        wallMs: Math.max(...shards.map((s) => s.wallMs)),
      });
      await emitCampaign(campaign, { ...opts, failOn }, setCode);
    });
}
