import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { MachineGraph } from './view-model.js';

const NODE_W = 120;
const NODE_H = 30;
const GAP_X = 60;
const GAP_Y = 22;
const PAD = 16;
/** room for a compound state's label above its children */
const HEADER = 24;

const idOf = (n: AnyStateNode): string => n.path.join('.');
const topOf = (id: string): string => id.split('.')[0]!;

interface Edge {
  from: string;
  to: string;
  events: Set<string>;
}

/** Every transition with a target, from every state node (eventless ones labelled "always"). */
function collectEdges(root: AnyStateNode): Edge[] {
  const edges = new Map<string, Edge>();
  const add = (from: string, to: string, event: string) => {
    if (from === to) return; // re-entering itself (controller.resumed) is not worth an arrow
    const k = `${from}>${to}`;
    const e = edges.get(k) ?? { from, to, events: new Set<string>() };
    e.events.add(event);
    edges.set(k, e);
  };
  const walk = (n: AnyStateNode) => {
    const from = idOf(n);
    for (const [event, ts] of n.transitions)
      for (const t of ts) for (const target of t.target ?? []) add(from, idOf(target), event);
    for (const t of n.always ?? []) for (const target of t.target ?? []) add(from, idOf(target), 'always');
    for (const child of Object.values(n.states)) walk(child);
  };
  for (const child of Object.values(root.states)) walk(child);
  return [...edges.values()];
}

/**
 * Lays out a machine's top-level states in columns by their distance from the initial state (a
 * compound state is a box holding its children, stacked), and lists its transitions as edges. Read
 * from the machine definition itself, so the drawing follows the machine when it changes.
 */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const root = machine.root;
  const tops = Object.values(root.states);
  const edges = collectEdges(root);
  const rank = new Map<string, number>();
  const initial = root.initial?.target[0];
  const queue = initial ? [idOf(initial)] : [];
  if (queue[0] !== undefined) rank.set(queue[0], 0);
  while (queue.length) {
    const at = queue.shift()!;
    for (const e of edges) {
      const [a, b] = [topOf(e.from), topOf(e.to)];
      if (a === at && !rank.has(b)) {
        rank.set(b, rank.get(a)! + 1);
        queue.push(b);
      }
    }
  }
  const nodes: MachineGraph['nodes'][number][] = [];
  const columnY = new Map<number, number>();
  let width = 0;
  let height = 0;
  for (const top of tops) {
    const id = idOf(top);
    const r = rank.get(id) ?? Math.max(0, ...rank.values()) + 1;
    const x = PAD + r * (NODE_W + 20 + GAP_X);
    const y = columnY.get(r) ?? PAD;
    const children = Object.values(top.states);
    const compound = children.length > 0;
    const w = compound ? NODE_W + 20 : NODE_W;
    const h = compound ? HEADER + children.length * (NODE_H + 8) + 4 : NODE_H;
    nodes.push({ id, label: top.key, x, y, w, h, compound });
    children.forEach((c, i) =>
      nodes.push({
        id: idOf(c),
        label: c.key,
        x: x + 10,
        y: y + HEADER + i * (NODE_H + 8),
        w: NODE_W,
        h: NODE_H,
        compound: false,
      }),
    );
    columnY.set(r, y + h + GAP_Y);
    width = Math.max(width, x + w + PAD);
    height = Math.max(height, y + h + PAD);
  }
  return {
    width,
    height,
    nodes,
    edges: edges.map((e) => ({ from: e.from, to: e.to, label: [...e.events].join(', ') })),
  };
}
