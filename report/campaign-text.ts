/**
 * A campaign (what `checkConformance` and `runMany` return) as `wbemsim run` prints it, for
 * library users: its ReportResult rendered as text (report/text.ts) or as `--json`
 * (report/json.ts). The CLI builds the result once itself and renders it.
 */
import type { Campaign } from '../sim/campaign.ts';
import { resultOfCampaign } from './results-of-runs.ts';
import { runText } from './text.ts';
import { jsonOf } from './json.ts';

export { MOMENTS_LEGEND, violationCounts } from './text.ts';

/** The text `wbemsim run` prints for this campaign; `verbose` names the rules not exercised. */
export function formatCampaign(c: Campaign, options: { verbose?: boolean } = {}): string {
  return runText(resultOfCampaign(c), options);
}

/** What `wbemsim run --json` prints for this campaign (witnesses left out). */
export function campaignJson(c: Campaign): Record<string, unknown> {
  return jsonOf(resultOfCampaign(c));
}
