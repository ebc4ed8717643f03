import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { tenantMachine } from '../../../../machines/tenant.machine.js';
import { machineGraph } from '../../../../src/app/dashboard/machine-graph.js';

describe('machineGraph', () => {
  it('draws every state of the tenant machine, children inside their compound parent', () => {
    const g = machineGraph(tenantMachine);
    const ids = g.nodes.map((n) => n.id);
    for (const s of Object.keys(tenantMachine.root.states)) expect(ids).toContain(s);
    expect(ids).toEqual(
      expect.arrayContaining(['draining.announcing', 'draining.fencing', 'draining.waiting']),
    );
    const parent = g.nodes.find((n) => n.id === 'draining')!;
    expect(parent.compound).toBe(true);
    for (const c of g.nodes.filter((n) => n.id.startsWith('draining.'))) {
      expect(c.x).toBeGreaterThanOrEqual(parent.x);
      expect(c.y + c.h).toBeLessThanOrEqual(parent.y + parent.h);
    }
    for (const n of g.nodes) {
      expect(n.x + n.w).toBeLessThanOrEqual(g.width);
      expect(n.y + n.h).toBeLessThanOrEqual(g.height);
    }
  });

  it('lists the transitions of the definition, eventless ones as "always", without self-loops', () => {
    const g = machineGraph(tenantMachine);
    const edge = (from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to);
    expect(edge('shared', 'isolating')?.label).toContain('operator.pinned');
    expect(edge('settle', 'dedicated')?.label).toBe('always');
    expect(edge('draining.waiting', 'committing')?.label).toContain('drain.completed');
    expect(g.edges.filter((e) => e.from === e.to)).toEqual([]);
  });

  it('follows the definition: a state added to a machine appears, in a later column than its source', () => {
    const m = setup({}).createMachine({
      initial: 'a',
      states: { a: { on: { go: 'b' } }, b: { on: { next: 'c' } }, c: {} },
    });
    const g = machineGraph(m);
    const x = (id: string) => g.nodes.find((n) => n.id === id)!.x;
    expect(x('a')).toBeLessThan(x('b'));
    expect(x('b')).toBeLessThan(x('c'));
    expect(g.edges).toEqual([
      { from: 'a', to: 'b', label: 'go' },
      { from: 'b', to: 'c', label: 'next' },
    ]);
  });
});
