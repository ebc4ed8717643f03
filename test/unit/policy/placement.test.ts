import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { place } from '../../../src/policy/placement.js';

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
    expect(r).toMatchObject({ kind: 'reserved', partitions: [5, 6, 7] });
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
    // shared 0-3, dedicated 4-7 with 6 taken, room to grow to 10: 3 free, then growth, then nowhere.
    const owners = new Map([[6, 'other']]);
    const expected = ['reserved', 'reserved', 'reserved', 'grow', 'grow', 'none'];
    for (let k = 1; k <= 6; k++) {
      const r = place({ ...base, k, owners });
      expect(r.kind, `k=${k}`).toBe(expected[k - 1]);
      const partitions = r.kind === 'none' ? [] : r.partitions;
      expect(partitions, `k=${k}`).toHaveLength(r.kind === 'none' ? 0 : k);
      for (const p of partitions) {
        expect(p, `k=${k}`).toBeGreaterThanOrEqual(4);
        expect(owners.get(p), `k=${k}: ${p}`).toBeUndefined();
      }
    }
  });

  it("never hands out a shared-pool partition or another tenant's partition, for any owners and k (property)", () => {
    const kinds = { reserved: 0, grow: 0, none: 0 };
    fc.assert(
      fc.property(
        fc.record({
          shared: fc.integer({ min: 1, max: 8 }),
          dedicated: fc.integer({ min: 0, max: 8 }),
          room: fc.integer({ min: 0, max: 8 }),
          k: fc.integer({ min: 1, max: 10 }),
          maxGrowth: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        }),
        fc.array(fc.tuple(fc.nat(15), fc.constantFrom('whale', 'a', 'b')), { maxLength: 12, size: 'max' }),
        fc.array(fc.tuple(fc.nat(15), fc.nat(5000)), { maxLength: 12, size: 'max' }),
        ({ shared, dedicated, room, k, maxGrowth }, ownerList, loadList) => {
          const total = shared + dedicated;
          const owners = new Map(ownerList.filter(([p]) => p >= shared && p < total));
          const r = place({
            shared,
            total,
            maxPartitions: total + room,
            owners,
            load: new Map(loadList),
            tenant: 'whale',
            k,
            ...(maxGrowth !== undefined ? { maxGrowth } : {}),
          });
          kinds[r.kind]++;
          const free = [...Array(dedicated).keys()]
            .map((i) => shared + i)
            .filter((p) => owners.get(p) === undefined || owners.get(p) === 'whale');
          const growth = Math.min(k - free.length, maxGrowth ?? Infinity);
          // The kind is decided first, so every run asserts something.
          expect(r.kind).toBe(
            free.length >= k ? 'reserved' : total + growth <= total + room ? 'grow' : 'none',
          );
          if (r.kind === 'none') return;
          expect(new Set(r.partitions).size).toBe(r.partitions.length);
          expect(r.partitions).toHaveLength(r.kind === 'reserved' ? k : free.length + growth);
          const newTotal = r.kind === 'grow' ? r.newTotal : total;
          for (const p of r.partitions) {
            expect(p).toBeGreaterThanOrEqual(shared);
            expect(p).toBeLessThan(newTotal);
            expect([undefined, 'whale']).toContain(owners.get(p));
          }
        },
      ),
      { numRuns: 300 },
    );
    for (const kind of ['reserved', 'grow', 'none'] as const)
      expect(kinds[kind], kind).toBeGreaterThanOrEqual(30);
  });
});
