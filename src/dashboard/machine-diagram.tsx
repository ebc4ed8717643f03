import type { MachineGraph } from '../app/dashboard/view-model.js';

type Node = MachineGraph['nodes'][number];

/** Is node `id` the current state or one of its ancestors ("draining" lights for "draining.waiting")? */
export const isLit = (id: string, state: string | undefined): boolean =>
  state !== undefined && (state === id || state.startsWith(`${id}.`));

const anchor = (from: Node, to: Node): [number, number, number, number] => {
  const [fx, fy] = [from.x + from.w / 2, from.y + from.h / 2];
  const [tx, ty] = [to.x + to.w / 2, to.y + to.h / 2];
  // leave and enter through the facing sides, so arrows do not cross the boxes they link
  const sx = tx > fx + from.w / 2 ? from.x + from.w : tx < fx - from.w / 2 ? from.x : fx;
  const ex = sx === fx ? tx : tx > fx ? to.x : to.x + to.w;
  const sy = sx === fx ? (ty > fy ? from.y + from.h : from.y) : fy;
  const ey = sx === fx ? (ty > fy ? to.y : to.y + to.h) : ty;
  return [sx, sy, ex, ey];
};

/** The tenant machine drawn from its definition (served by /dashboard/machine), the current state lit. */
export function MachineDiagram({ graph, state }: { graph: MachineGraph; state: string | undefined }) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <svg
      class="machine"
      viewBox={`0 0 ${graph.width} ${graph.height}`}
      role="img"
      aria-label={`tenant state machine${state ? `, current state ${state}` : ''}`}
      data-testid="machine"
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
        </marker>
      </defs>
      {graph.nodes
        .filter((n) => n.compound)
        .map((n) => (
          <g key={n.id} class={`state compound ${isLit(n.id, state) ? 'lit' : ''}`} data-state={n.id}>
            <rect x={n.x} y={n.y} width={n.w} height={n.h} rx="8" />
            <text x={n.x + 8} y={n.y + 16}>
              {n.label}
            </text>
          </g>
        ))}
      {graph.edges.map((e) => {
        const [a, b] = [byId.get(e.from), byId.get(e.to)];
        if (!a || !b) return null;
        const [x1, y1, x2, y2] = anchor(a, b);
        return (
          <line
            key={`${e.from}>${e.to}`}
            class="edge"
            x1={x1}
            y1={y1}
            x2={x2}
            y2={y2}
            marker-end="url(#arrow)"
          >
            <title>{`${e.from} → ${e.to}: ${e.label}`}</title>
          </line>
        );
      })}
      {graph.nodes
        .filter((n) => !n.compound)
        .map((n) => (
          <g key={n.id} class={`state ${isLit(n.id, state) ? 'lit' : ''}`} data-state={n.id}>
            <rect x={n.x} y={n.y} width={n.w} height={n.h} rx="6" />
            <text x={n.x + n.w / 2} y={n.y + n.h / 2 + 4} text-anchor="middle">
              {n.label}
            </text>
          </g>
        ))}
    </svg>
  );
}
