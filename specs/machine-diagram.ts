/**
 * A Mermaid `stateDiagram-v2` drawing of the lifecycle machine, generated from the machine itself
 * (never drawn by hand): each region is a concurrent part of one composite state, each legal
 * transition an arrow labelled with its event and the rule that justifies it.
 */
import { lifecycleMachine, REGIONS } from './lifecycle-machine.ts';

/** One legal transition between two states of a region, with every event/rule label it carries. */
export interface RegionEdge { from: string; to: string; labels: string[] }

/** The states and transitions (self-loops left out) of one region, read from the machine. */
export function regionGraph(region: string): { states: string[]; initial: string; edges: RegionEdge[] } {
  const node = lifecycleMachine.root.states[region];
  if (!node) throw new Error(`no region ${region} (regions: ${REGIONS.join(', ')})`);
  const edges = new Map<string, RegionEdge>();
  for (const [s, stateNode] of Object.entries(node.states)) {
    for (const [event, defs] of stateNode.transitions) {
      for (const def of defs) {
        const meta = def.meta as { rule?: string } | undefined;
        const target = def.target?.[0];
        if (!meta?.rule || !target || target === stateNode) continue;
        const key = `${s}->${target.key}`;
        const e = edges.get(key) ?? { from: s, to: target.key, labels: [] };
        const label = `${event} [${meta.rule}]`;
        if (!e.labels.includes(label)) e.labels.push(label);
        edges.set(key, e);
      }
    }
  }
  return { states: Object.keys(node.states), initial: String(node.config.initial), edges: [...edges.values()] };
}

/** The diagram of the given regions (all by default); self-loops are left out to keep it readable. */
export function machineDiagram(regions: readonly string[] = REGIONS): string {
  const lines = ['stateDiagram-v2'];
  const parts: string[][] = [];
  for (const region of regions) {
    const { states, initial, edges } = regionGraph(region);
    const part: string[] = [];
    const id = (s: string) => `${region}_${s.replace(/-/g, '_')}`;
    for (const s of states) part.push(`state "${s}" as ${id(s)}`);
    part.push(`[*] --> ${id(initial)}`);
    for (const e of edges) part.push(`${id(e.from)} --> ${id(e.to)}: ${e.labels.join('<br/>')}`);
    parts.push(part);
  }
  if (parts.length === 1) return [...lines, ...parts[0]!.map((l) => `  ${l}`)].join('\n') + '\n';
  lines.push('  state call {');
  parts.forEach((part, i) => {
    if (i > 0) lines.push('    --');
    for (const l of part) lines.push(`    ${l}`);
  });
  lines.push('  }');
  return lines.join('\n') + '\n';
}
