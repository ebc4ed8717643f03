import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, diffSnapshots } from '../../../../src/app/dashboard/delta.js';
import type { DashboardSnapshot, MoveView, TenantRow } from '../../../../src/app/dashboard/view-model.js';

const row = (tenant: string, state = 'shared', rate: number | null = 1): TenantRow => ({
  key: `t/${tenant}`,
  topic: 't',
  tenant,
  state,
  partitions: [0],
  epoch: 0,
  ordering: 'strict',
  manual: false,
  rate,
  share: null,
  lag: null,
  decision: null,
  stuck: false,
});
const move = (id: number, to?: string): MoveView => ({
  id,
  topic: 't',
  tenant: `m${id}`,
  from: 'shared',
  ...(to ? { to, endedAt: 2 } : {}),
  reason: 'r',
  startedAt: 1,
  steps: [],
  stuck: false,
});
const snap = (tenants: TenantRow[], moves: MoveView[] = [], at = 1): DashboardSnapshot => ({
  at,
  role: { role: 'leader', mode: 'act' },
  topics: [],
  tenants,
  moves,
});
const canonical = (s: DashboardSnapshot) => ({
  ...s,
  tenants: [...s.tenants].sort((a, b) => (a.key < b.key ? -1 : 1)),
});

describe('dashboard deltas', () => {
  it('is undefined when nothing changed, whatever the time', () => {
    expect(diffSnapshots(snap([row('a')]), snap([row('a')], [], 2))).toBeUndefined();
  });

  it('carries only the rows and moves that changed, and the keys and ids that went', () => {
    const d = diffSnapshots(
      snap([row('a'), row('b'), row('gone')], [move(1), move(2)]),
      snap([row('a'), row('b', 'dedicated'), row('new')], [move(2, 'dedicated'), move(3)]),
    );
    expect(d?.upsert?.map((r) => r.tenant)).toEqual(['new']);
    expect(d?.patch).toEqual([{ key: 't/b', state: 'dedicated' }]);
    expect(d?.remove).toEqual(['t/gone']);
    expect(d?.moves?.map((m) => m.id)).toEqual([2, 3]);
    expect(d?.dropMoves).toEqual([1]);
    expect(d?.role).toBeUndefined();
    expect(d?.topics).toBeUndefined();
  });

  it('applying the delta of a and b to a gives b (property)', () => {
    const rows = fc.uniqueArray(
      fc.record({
        tenant: fc.string({ minLength: 1, maxLength: 4 }),
        state: fc.constantFrom('shared', 'dedicated', 'draining.waiting'),
        rate: fc.option(fc.integer({ min: 0, max: 5 })),
      }),
      { selector: (r) => r.tenant, maxLength: 12 },
    );
    const moves = fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 6 });
    fc.assert(
      fc.property(rows, rows, moves, moves, fc.boolean(), (ra, rb, ma, mb, standby) => {
        const a = snap(
          ra.map((r) => row(r.tenant, r.state, r.rate)),
          ma.sort((x, y) => x - y).map((id) => move(id)),
        );
        const b: DashboardSnapshot = {
          ...snap(
            rb.map((r) => row(r.tenant, r.state, r.rate)),
            mb.sort((x, y) => x - y).map((id) => move(id, id % 2 ? 'dedicated' : undefined)),
            2,
          ),
          role: { role: standby ? 'standby' : 'leader', mode: 'act' },
        };
        const d = diffSnapshots(a, b);
        const got = d === undefined ? { ...a, at: b.at } : applyDelta(a, d);
        expect(canonical(got)).toEqual(canonical(b));
      }),
    );
  });
});
