import { describe, expect, it } from 'vitest';
import { diffSnapshots } from '../../../../src/app/dashboard/delta.js';
import { MovesLog } from '../../../../src/app/dashboard/moves-log.js';
import { MAX_UNFOLLOWED_ROWS, unfollowedRows } from '../../../../src/app/dashboard/shared-rows.js';
import { buildSnapshot, roundRate, type DashboardSource } from '../../../../src/app/dashboard/snapshot.js';
import type { TenantStatus } from '../../../../src/app/tenant-status.js';
import { defaultPartitionOf } from '../../../../src/domain/partition-choice.js';

const SHARED = 2;

const actor = (tenant: string, partitions: number[], rate: number): TenantStatus => ({
  topic: 't',
  tenant,
  state: 'dedicated',
  partitions,
  epoch: 3,
  ordering: 'strict',
  manual: false,
  neverMove: false,
  rates: { recordsPerSec: rate, share: 1, lag: 0 },
  decision: { at: 1, from: 'shared', to: 'isolating', reason: 'hot', numbers: {} },
  drain: null,
  fences: [],
});

/** A topic with 2 shared and 2 dedicated partitions; p0 has figures, p1 none. */
const source = (over: Partial<DashboardSource> = {}): DashboardSource => ({
  now: () => 1,
  role: () => ({ role: 'leader', mode: 'act' }),
  topics: () => ['t'],
  pools: () => ({ shared: SHARED, total: 4 }),
  tenants: () => [actor('whale', [2], 900)],
  partitions: () => [
    { topic: 't', partition: 0, recordsPerSec: 200, lag: 7.4 },
    { topic: 't', partition: 2, recordsPerSec: 900, lag: 0 },
  ],
  moves: new MovesLog(() => 0),
  ...over,
});

/** Tenant names that hash to shared partition p (of SHARED). */
const onPartition = (p: number, n: number): string[] => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (defaultPartitionOf(`s${i}`, SHARED) === p) out.push(`s${i}`);
  return out;
};
const [p0a, p0b] = onPartition(0, 2) as [string, string];
const [p1a] = onPartition(1, 1) as [string];

describe('tenant rows for tenants below the actor floor', () => {
  const traffic = [
    { topic: 't', tenant: p0a, recordsPerSec: 12.345 },
    { topic: 't', tenant: p0b, recordsPerSec: 50 },
    { topic: 't', tenant: p1a, recordsPerSec: 3 },
    { topic: 't', tenant: 'whale', recordsPerSec: 880 },
    { topic: 'not-managed', tenant: 'x', recordsPerSec: 99 },
  ];
  const snap = buildSnapshot(source({ traffic: () => traffic }));
  const row = (tenant: string) => snap.tenants.find((r) => r.tenant === tenant);

  it('lists them as shared on their hash partition, epoch 0, rounded rate, share of the partition, no decision', () => {
    expect(row(p0a)).toEqual({
      key: `t/${p0a}`,
      topic: 't',
      tenant: p0a,
      state: 'shared',
      partitions: [0],
      epoch: 0,
      ordering: 'strict',
      manual: false,
      rate: 12.3,
      share: 0.06,
      lag: 7,
      decision: null,
      stuck: false,
    });
    expect(row(p0b)).toMatchObject({ partitions: [0], rate: 50, share: 0.25 });
  });

  it('leaves share and lag unknown when the partition has no figures yet', () => {
    expect(row(p1a)).toMatchObject({ partitions: [1], rate: 3, share: null, lag: null });
  });

  it('gives a followed tenant only its own row, and a tenant of an unmanaged topic none', () => {
    expect(snap.tenants.filter((r) => r.tenant === 'whale')).toEqual([
      expect.objectContaining({ state: 'dedicated', epoch: 3, rate: 900 }),
    ]);
    expect(snap.tenants.map((r) => r.topic)).not.toContain('not-managed');
    expect(snap.tenants).toHaveLength(4);
  });

  it('keeps the bars as before: the partition lists them too', () => {
    const p0 = snap.topics[0]!.partitions[0]!;
    expect(p0.tenants.map((t) => t.tenant)).toEqual([p0b, p0a]);
    expect(p0.tenantCount).toBe(2);
  });

  it("shows a released tenant's route record (its epoch) once its actor retired", () => {
    const s = buildSnapshot(
      source({
        traffic: () => traffic,
        route: (_, tenant) =>
          tenant === p1a ? { state: 'shared', partitions: [], epoch: 4, ordering: 'relaxed' } : undefined,
      }),
    );
    expect(s.tenants.find((r) => r.tenant === p1a)).toMatchObject({
      state: 'shared',
      partitions: [1],
      epoch: 4,
      ordering: 'relaxed',
    });
  });

  it('keeps deltas small: a jitter inside the rounding sends nothing; getting an actor patches the row', () => {
    const a = buildSnapshot(source({ traffic: () => traffic }));
    const jitter = traffic.map((t) => ({ ...t, recordsPerSec: t.recordsPerSec + 0.004 }));
    expect(diffSnapshots(a, buildSnapshot(source({ traffic: () => jitter })))).toBeUndefined();
    const promoted = buildSnapshot(
      source({
        traffic: () => traffic,
        tenants: () => [actor('whale', [2], 900), { ...actor(p0b, [3], 50), epoch: 1 }],
      }),
    );
    const d = diffSnapshots(a, promoted)!;
    expect(d.upsert).toBeUndefined();
    expect(d.remove).toBeUndefined();
    expect(d.patch).toEqual([
      expect.objectContaining({ key: `t/${p0b}`, state: 'dedicated', partitions: [3], epoch: 1 }),
    ]);
    // a tenant that went quiet (forgotten by the windows) is removed
    const gone = buildSnapshot(source({ traffic: () => traffic.filter((t) => t.tenant !== p1a) }));
    expect(diffSnapshots(a, gone)).toMatchObject({ remove: [`t/${p1a}`] });
  });

  it(`shows at most ${MAX_UNFOLLOWED_ROWS} of them, the busiest (forged reports can name any number)`, () => {
    const many = Array.from({ length: MAX_UNFOLLOWED_ROWS + 500 }, (_, i) => ({
      topic: 't',
      tenant: `forged-${i}`,
      recordsPerSec: i,
    }));
    const rows = unfollowedRows({
      traffic: many,
      followed: new Set(),
      shared: () => SHARED,
      partition: () => undefined,
      round: roundRate,
    });
    expect(rows).toHaveLength(MAX_UNFOLLOWED_ROWS);
    expect(Math.min(...rows.map((r) => r.rate ?? -1))).toBe(500);
  });
});
