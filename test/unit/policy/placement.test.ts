import { describe, expect, it } from 'vitest';
import { place } from '../../../src/policy/placement.js';
import fc from 'fast-check';
import { shardsFor, assess, isCold, isHot } from '../../../src/policy/tenant-assessment.js';
import { defaultThresholds, parseThresholds } from '../../../src/policy/thresholds.js';

const base = {
  shared: 4,
  total: 8,
  maxPartitions: 10,
  owners: new Map<number, string>(),
  load: new Map<number, number>(),
  tenant: 'whale',
  k: 1,
};

describe('placement policy', () => {
  it('picks the least-loaded free dedicated partitions', () => {
    const r = place({
      ...base,
      k: 2,
      owners: new Map([[4, 'other']]),
      load: new Map([
        [5, 900],
        [6, 10],
        [7, 50],
      ]),
    });
    expect(r).toEqual({ kind: 'reserved', partitions: [6, 7], reason: '2 free dedicated partition(s): 6,7' });
  });

  it('keeps what a resharding tenant already owns', () => {
    const r = place({
      ...base,
      k: 3,
      owners: new Map([
        [5, 'whale'],
        [4, 'other'],
      ]),
      load: new Map([[5, 5000]]),
    });
    expect(r.kind === 'reserved' && r.partitions).toEqual([5, 6, 7]);
  });

  it('grows the topic when no dedicated partition is free, up to the cap', () => {
    const owners = new Map([4, 5, 6, 7].map((p) => [p, `t${p}`]));
    expect(place({ ...base, owners, k: 2 })).toMatchObject({
      kind: 'grow',
      partitions: [8, 9],
      newTotal: 10,
    });
    const none = place({ ...base, owners, k: 3 });
    expect(none.kind).toBe('none');
    expect(none.reason).toMatch(/exceeds maxPartitions 10/);
  });

  it('grows by at most maxGrowth in one decision and places fewer shards, saying so', () => {
    const owners = new Map([4, 5, 6].map((p) => [p, `t${p}`]));
    const r = place({ ...base, maxPartitions: 100, owners, k: 6, maxGrowth: 2 });
    expect(r).toMatchObject({ kind: 'grow', partitions: [7, 8, 9], newTotal: 10 });
    expect(r.reason).toMatch(/capped at 2 per decision, so 3 of 6 shards/);
    expect(place({ ...base, maxPartitions: 100, owners, k: 3, maxGrowth: 2 })).toMatchObject({
      kind: 'grow',
      partitions: [7, 8, 9],
    });
  });

  it("never hands out a shared-pool partition or another tenant's partition", () => {
    for (let k = 1; k <= 6; k++) {
      const owners = new Map([[6, 'other']]);
      const r = place({ ...base, k, owners });
      if (r.kind !== 'none')
        for (const p of r.partitions) expect(p >= 4 && owners.get(p) !== 'other').toBe(true);
    }
  });
});

describe('assessment', () => {
  it('computes k = ceil(rate / (capacity x headroom)), capped', () => {
    const t = parseThresholds({ partitionCapacity: 1000, headroom: 0.8, maxShards: 4 });
    expect([shardsFor(100, t), shardsFor(800, t), shardsFor(801, t), shardsFor(99_999, t)]).toEqual([
      1, 1, 2, 4,
    ]);
  });

  it('never yields NaN for a bad rate and says why with the numbers', () => {
    const a = assess(
      {
        topic: 't',
        tenant: 'x',
        at: 0,
        recordsPerSec: Number.NaN,
        bytesPerSec: 0,
        share: 0,
        lag: 0,
        trend: 0,
      },
      defaultThresholds(),
    );
    expect(a).toMatchObject({ hot: false, cold: true, shardsNeeded: 1 });
    expect(a.numbers['rate']).toBe(0);
    expect(a.reason).toMatch(/rate 0\/s < release/);
  });

  it('isHot / isCold (the per-tick shortcuts) agree with assess for any window and thresholds', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: -10, max: 1e6 }), fc.constant(Number.NaN), fc.constant(Infinity)),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rate, share, isolateRate, releaseRate, isolateShare) => {
          const t = parseThresholds({
            isolateRate,
            releaseRate: Math.min(releaseRate, isolateRate - 1),
            isolateShare,
          });
          const w = {
            topic: 't',
            tenant: 'x',
            at: 0,
            recordsPerSec: rate,
            bytesPerSec: 0,
            share,
            lag: 0,
            trend: 0,
          };
          const a = assess(w, t);
          expect(isHot(w, t)).toBe(a.hot);
          expect(isCold(w, t)).toBe(a.cold);
        },
      ),
    );
  });
});
