/**
 * A Mermaid `stateDiagram-v2` drawing of the lifecycle machine, generated from the machine itself
 * (never drawn by hand): each region is a concurrent part of one composite state, each legal
 * transition an arrow labelled with its event and the rule that justifies it.
 */
import { lifecycleMachine, REGIONS } from './lifecycle-machine.ts';

/** The diagram of the given regions (all by default); self-loops are left out to keep it readable. */
export function machineDiagram(regions: readonly string[] = REGIONS): string {
  const lines = ['stateDiagram-v2'];
  const parts: string[][] = [];
  for (const region of regions) {
    const node = lifecycleMachine.root.states[region];
    if (!node) throw new Error(`no region ${region} (regions: ${REGIONS.join(', ')})`);
    const part: string[] = [];
    const id = (s: string) => `${region}_${s.replace(/-/g, '_')}`;
    for (const s of Object.keys(node.states)) part.push(`state "${s}" as ${id(s)}`);
    part.push(`[*] --> ${id(String(node.config.initial))}`);
    const arrows = new Map<string, string[]>();
    for (const [s, stateNode] of Object.entries(node.states)) {
      for (const [event, defs] of stateNode.transitions) {
        for (const def of defs) {
          const meta = def.meta as { rule?: string } | undefined;
          const target = def.target?.[0];
          if (!meta?.rule || !target || target === stateNode) continue;
          const key = `${id(s)} --> ${id(target.key)}`;
          const label = `${event} [${meta.rule}]`;
          const list = arrows.get(key) ?? [];
          if (!list.includes(label)) list.push(label);
          arrows.set(key, list);
        }
      }
    }
    for (const [arrow, labels] of arrows) part.push(`${arrow}: ${labels.join('<br/>')}`);
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
