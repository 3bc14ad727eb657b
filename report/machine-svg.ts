/**
 * The lifecycle machine in a report: its main region (`lifecycle`) drawn as SVG from the machine
 * itself (regionGraph of specs/machine-diagram.ts), with the states a run reached marked, and
 * the other regions as rows of states, reached or not.
 */
import { lifecycleMachine, REGIONS } from '../specs/lifecycle-machine.ts';
import { regionGraph } from '../specs/machine-diagram.ts';
import { html } from './escape.ts';

export { regionGraph };

/** The regions other than `lifecycle`, each with its states and whether a run reached them. */
export function otherRegions(reached: ReadonlySet<string>): { region: string; states: { name: string; reached: boolean }[] }[] {
  return REGIONS.filter((r) => r !== 'lifecycle').map((region) => ({
    region, states: Object.keys(lifecycleMachine.root.states[region]!.states).map((name) => ({ name, reached: reached.has(`${region}.${name}`) })),
  }));
}

/** Every state node of the machine, as `region.state`. */
export function allStateNodes(): string[] {
  return REGIONS.flatMap((r) => Object.keys(lifecycleMachine.root.states[r]!.states).map((s) => `${r}.${s}`));
}

/** The SVG of the `lifecycle` region; states in `reached` (as `lifecycle.NAME`) are marked reached. */
export function machineSvg(reached: ReadonlySet<string>): string {
  const { states, initial, edges } = regionGraph('lifecycle');
  // Layers by longest path from the initial state (the region has no cycle but self-loops).
  const layer = new Map<string, number>(states.map((s) => [s, s === initial ? 0 : 0]));
  for (let pass = 0; pass < states.length; pass++) {
    for (const e of edges) if ((layer.get(e.to) ?? 0) < (layer.get(e.from) ?? 0) + 1) layer.set(e.to, (layer.get(e.from) ?? 0) + 1);
  }
  const columns = new Map<number, string[]>();
  for (const s of states) columns.set(layer.get(s)!, [...(columns.get(layer.get(s)!) ?? []), s]);
  const W = 120, H = 36, GX = 70, GY = 36;
  const pos = new Map<string, { x: number; y: number }>();
  const rowsMax = Math.max(...[...columns.values()].map((c) => c.length));
  for (const [col, list] of columns) list.forEach((s, i) => pos.set(s, { x: 30 + col * (W + GX), y: 20 + (i + (rowsMax - list.length) / 2) * (H + GY) }));
  const width = 30 + columns.size * (W + GX);
  const height = 40 + rowsMax * (H + GY);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="machine" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="the lifecycle region of the call lifecycle machine">`,
    '<defs><marker id="mah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>'];
  for (const e of edges) {
    const a = pos.get(e.from)!, b = pos.get(e.to)!;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
    const back = x2 <= a.x;
    const d = back ? `M${a.x + W / 2},${a.y + H} C${a.x + W / 2},${a.y + H + 30} ${b.x + W / 2},${b.y + H + 30} ${b.x + W / 2},${b.y + H}` : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
    out.push(`<path d="${d}" class="edge" marker-end="url(#mah)"><title>${html(e.labels.join('\n'))}</title></path>`);
  }
  const p0 = pos.get(initial)!;
  out.push(`<circle cx="${p0.x - 16}" cy="${p0.y + H / 2}" r="6" class="initial"/><line x1="${p0.x - 10}" y1="${p0.y + H / 2}" x2="${p0.x}" y2="${p0.y + H / 2}" class="edge" marker-end="url(#mah)"/>`);
  for (const s of states) {
    const p = pos.get(s)!;
    const on = reached.has(`lifecycle.${s}`);
    out.push(`<g class="mstate ${on ? 'reached' : 'unreached'}" data-state="${html(s)}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="10"/>`
      + `<text x="${p.x + W / 2}" y="${p.y + H / 2 + 5}" text-anchor="middle">${html(s)}${on ? ' ✓' : ''}</text><title>${html(s)}: ${on ? 'reached' : 'not reached'}</title></g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
