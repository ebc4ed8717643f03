import { describe, expect, it } from 'vitest';
import { MovesLog } from '../../../../src/app/dashboard/moves-log.js';
import { buildSnapshot, roundRate } from '../../../../src/app/dashboard/snapshot.js';
import type { TenantStatus } from '../../../../src/app/tenant-status.js';
import { defaultPartitionOf } from '../../../../src/domain/partition-choice.js';

const status = (tenant: string, partitions: number[], rate: number, alert = false): TenantStatus => ({
  topic: 't',
  tenant,
  state: partitions.length === 1 && partitions[0]! >= 2 ? 'dedicated' : 'shared',
  partitions,
  epoch: 1,
  ordering: 'strict',
  manual: false,
  neverMove: false,
  rates: { recordsPerSec: rate, share: 0.5, lag: 3 },
  decision: null,
  drain: alert
    ? { target: [3], from: [0], remaining: 10, alert: true, startedAt: 0, gated: [], waitingFor: { g: 10 } }
    : null,
  fences: [],
});

describe('buildSnapshot', () => {
  const small = ['a', 'b', 'c', 'd', 'e'];
  const snap = buildSnapshot({
    now: () => 42,
    role: () => ({ role: 'leader', mode: 'act' }),
    topics: () => ['t'],
    pools: () => ({ shared: 2, total: 4 }),
    tenants: () => [status('whale', [2], 900), status('stuck', [defaultPartitionOf('stuck', 2)], 50, true)],
    partitions: () => [
      { topic: 't', partition: 0, recordsPerSec: 120.4, lag: 1.6 },
      { topic: 't', partition: 2, recordsPerSec: 900, lag: 0 },
    ],
    traffic: () => small.map((tenant, i) => ({ topic: 't', tenant, recordsPerSec: 10 * (i + 1) })),
    moves: new MovesLog(() => 0),
  });

  it('draws every partition of the pool layout, shared then dedicated, with rates and lag', () => {
    const ps = snap.topics[0]!.partitions;
    expect(ps.map((p) => [p.partition, p.pool])).toEqual([
      [0, 'shared'],
      [1, 'shared'],
      [2, 'dedicated'],
      [3, 'dedicated'],
    ]);
    expect(ps[0]).toMatchObject({ rate: 120, lag: 2 });
    expect(ps[2]!.tenants).toEqual([{ tenant: 'whale', rate: 900 }]);
    expect(ps[3]).toMatchObject({ rate: 0, tenants: [], tenantCount: 0 });
  });

  it('lists the busiest tenants of a shared partition, those without an actor too, at most 3', () => {
    const shared = snap.topics[0]!.partitions.filter((p) => p.pool === 'shared');
    const all = [...small, 'stuck'];
    expect(shared.reduce((n, p) => n + p.tenantCount, 0)).toBe(all.length);
    for (const p of shared) {
      expect(p.tenants.length).toBeLessThanOrEqual(3);
      const rates = p.tenants.map((t) => t.rate);
      expect(rates).toEqual([...rates].sort((x, y) => y - x));
      for (const t of p.tenants) expect(defaultPartitionOf(t.tenant, 2)).toBe(p.partition);
    }
  });

  it('marks a tenant whose drain is past its timeout as stuck', () => {
    expect(snap.tenants.find((r) => r.tenant === 'stuck')?.stuck).toBe(true);
    expect(snap.tenants.find((r) => r.tenant === 'whale')?.stuck).toBe(false);
  });

  it('rounds rates to what the page shows', () => {
    expect([roundRate(1234.5), roundRate(12.34), roundRate(1.234)]).toEqual([1235, 12.3, 1.23]);
  });
});
