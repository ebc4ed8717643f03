import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brokerLoads } from '../../../src/policy/broker-spread.js';
import { place, type PlacementInput } from '../../../src/policy/placement.js';

const base = {
  shared: 3,
  total: 9,
  maxPartitions: 12,
  owners: new Map<number, string>(),
  load: new Map<number, number>(),
  tenant: 'whale',
  k: 1,
};

/** shared 0-2 and dedicated 3-8, led round-robin by brokers 1, 2, 3 (p % 3 + 1) */
const roundRobin = new Map([...Array(9).keys()].map((p) => [p, (p % 3) + 1]));

const groupOf = (leaders: ReadonlyMap<number, number>, p: number) => leaders.get(p) ?? `p${p}`;

describe('placement policy with partition leaders', () => {
  it('puts 3 shards on 3 different leaders even when those are not the 3 least-loaded partitions', () => {
    // 3, 6 (broker 1) and 4 (broker 2) are the idlest; 5 and 8 (broker 3) are busy.
    const load = new Map([
      [3, 0],
      [6, 1],
      [4, 2],
      [7, 3],
      [5, 50],
      [8, 60],
    ]);
    const r = place({ ...base, k: 3, load, leaders: roundRobin });
    expect(r).toEqual({
      kind: 'reserved',
      partitions: [3, 4, 5],
      reason: '3 free dedicated partition(s): 3,4,5 (partition@leader: 3@1,4@2,5@3)',
    });
    // Without leaders the same input takes the 3 idlest partitions, two of them on broker 1.
    expect(place({ ...base, k: 3, load })).toMatchObject({ partitions: [3, 4, 6] });
  });

  it('puts a dedicated partition on the least-loaded broker, then its least-loaded partition', () => {
    // broker 1 leads 0,3,6; broker 2 leads 1,4,7; broker 3 leads 2,5,8. Partition 5 is the idlest
    // free one, but its broker (3) carries the most through its shared partition 2.
    const load = new Map([
      [0, 100],
      [1, 40],
      [2, 500],
      [3, 30],
      [4, 20],
      [5, 1],
      [6, 25],
      [7, 10],
      [8, 30],
    ]);
    expect(brokerLoads(roundRobin, load)).toEqual(
      new Map([
        ['b1', 155],
        ['b2', 70],
        ['b3', 531],
      ]),
    );
    expect(place({ ...base, load, leaders: roundRobin })).toMatchObject({
      kind: 'reserved',
      partitions: [7],
    });
  });

  it('says which broker it had to share, and that moving leaders is out of scope', () => {
    // Only brokers 1 and 2 lead a free dedicated partition.
    const leaders = new Map([
      [3, 1],
      [4, 1],
      [5, 2],
      [6, 1],
      [7, 2],
      [8, 1],
    ]);
    const owners = new Map([
      [7, 'other'],
      [8, 'other'],
    ]);
    const r = place({ ...base, k: 3, owners, leaders });
    expect(r).toEqual({
      kind: 'reserved',
      partitions: [3, 4, 5],
      reason:
        '3 free dedicated partition(s): 3,4,5 (partition@leader: 3@1,4@1,5@2); 3 partitions on 2 brokers: the cluster has 2 broker(s) with free dedicated partitions; broker 1 leads 3,4; moving leaders is out of scope',
    });
  });

  it('counts a partition whose leader is unknown as a broker of its own', () => {
    // 3 and 6 on broker 1, leader of 4 unknown: 3 shards on 3 groups.
    const leaders = new Map([
      [3, 1],
      [6, 1],
      [5, 1],
      [7, 1],
      [8, 1],
    ]);
    const r = place({ ...base, k: 2, leaders, load: new Map([[4, 900]]) });
    expect(r).toMatchObject({ kind: 'reserved', partitions: [3, 4] });
    expect(r.reason).toBe('2 free dedicated partition(s): 3,4 (partition@leader: 3@1,4@?)');
  });

  it('leaves a resharding tenant the partitions it owns on distinct brokers', () => {
    const owners = new Map([
      [3, 'whale'],
      [6, 'whale'],
    ]);
    // 3 and 6 are both on broker 1: it keeps 3 (the lower) and takes the idlest broker's partition.
    const r = place({ ...base, k: 2, owners, leaders: roundRobin, load: new Map([[4, 5]]) });
    expect(r).toMatchObject({ kind: 'reserved', partitions: [3, 5] });
    const both = new Map([
      [3, 'whale'],
      [4, 'whale'],
    ]);
    expect(place({ ...base, k: 2, owners: both, leaders: roundRobin })).toMatchObject({
      partitions: [3, 4],
    });
  });

  const arbitrary = fc.record({
    shared: fc.integer({ min: 1, max: 6 }),
    dedicated: fc.integer({ min: 0, max: 9 }),
    room: fc.integer({ min: 0, max: 6 }),
    brokers: fc.integer({ min: 1, max: 5 }),
    k: fc.integer({ min: 1, max: 8 }),
    maxGrowth: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    owners: fc.array(fc.tuple(fc.nat(15), fc.constantFrom('whale', 'a', 'b')), { maxLength: 10 }),
    load: fc.array(fc.tuple(fc.nat(15), fc.nat(5000)), { maxLength: 15 }),
    // a leader index per partition (modulo `brokers`); 6 means unknown
    leaderOf: fc.array(fc.nat(6), { minLength: 16, maxLength: 16 }),
  });

  type Drawn = typeof arbitrary extends fc.Arbitrary<infer T> ? T : never;

  const inputOf = (a: Drawn) => {
    const total = a.shared + a.dedicated;
    const leaders = new Map<number, number>();
    a.leaderOf.forEach((b, p) => {
      if (b < 6) leaders.set(p, 100 + (b % a.brokers));
    });
    const input: PlacementInput = {
      shared: a.shared,
      total,
      maxPartitions: total + a.room,
      owners: new Map(a.owners.filter(([p]) => p >= a.shared && p < total)),
      load: new Map(a.load),
      tenant: 'whale',
      k: a.k,
      leaders,
      ...(a.maxGrowth !== undefined ? { maxGrowth: a.maxGrowth } : {}),
    };
    const free = [...Array(a.dedicated).keys()]
      .map((j) => a.shared + j)
      .filter((p) => [undefined, 'whale'].includes(input.owners.get(p)));
    return { input, leaders, free };
  };

  it('puts k shards on k distinct leaders whenever k brokers have free partitions, and never shares a broker it could avoid (property)', () => {
    let distinct = 0;
    let forced = 0;
    fc.assert(
      fc.property(arbitrary, (a) => {
        const { input, leaders, free } = inputOf(a);
        const r = place(input);
        const freeGroups = new Set(free.map((p) => groupOf(leaders, p))).size;
        if (free.length < a.k) return void expect(r.kind).not.toBe('reserved');
        expect(r.kind).toBe('reserved');
        if (r.kind !== 'reserved') return;
        const groups = r.partitions.map((p) => groupOf(leaders, p));
        // as many distinct brokers as there are shards, or as there are brokers with a free partition
        expect(new Set(groups).size).toBe(Math.min(a.k, freeGroups));
        // and evenly: a broker holds a second (third, ...) shard only if every broker that still had a
        // free partition holds at least one fewer
        const count = (g: string | number) => groups.filter((x) => x === g).length;
        const spare = free.filter((p) => !r.partitions.includes(p)).map((p) => groupOf(leaders, p));
        for (const g of groups) for (const h of spare) expect(count(h)).toBeGreaterThanOrEqual(count(g) - 1);
        if (freeGroups >= a.k) distinct++;
        else forced++;
        // the reason names a shared broker exactly when one leads two shards
        const shared = groups.some((g, j) => typeof g === 'number' && groups.indexOf(g) !== j);
        expect(r.reason.includes('moving leaders is out of scope')).toBe(shared);
        if (shared) expect(r.reason).toMatch(/broker \d+ leads \d+,\d+/);
      }),
      { numRuns: 400 },
    );
    expect(distinct).toBeGreaterThanOrEqual(40);
    expect(forced).toBeGreaterThanOrEqual(20);
  });

  it('puts a dedicated partition on the least-loaded broker that has a free one, then its least-loaded partition (property)', () => {
    let runs = 0;
    fc.assert(
      fc.property(arbitrary, (a) => {
        const { input, leaders, free } = inputOf({ ...a, k: 1, owners: [] });
        const r = place(input);
        if (free.length === 0) return;
        runs++;
        expect(r.kind).toBe('reserved');
        if (r.kind !== 'reserved') return;
        const loads = brokerLoads(leaders, input.load);
        const brokerLoad = (p: number) => loads.get(leaders.has(p) ? `b${leaders.get(p)}` : `p${p}`) ?? 0;
        const [chosen] = r.partitions as [number];
        const least = Math.min(...free.map(brokerLoad));
        expect(brokerLoad(chosen)).toBe(least);
        const sameBroker = free.filter((p) => groupOf(leaders, p) === groupOf(leaders, chosen));
        expect(input.load.get(chosen) ?? 0).toBe(Math.min(...sameBroker.map((p) => input.load.get(p) ?? 0)));
      }),
      { numRuns: 300 },
    );
    expect(runs).toBeGreaterThanOrEqual(100);
  });

  it("with leaders, still never hands out a shared-pool or another tenant's partition nor grows past the caps (property)", () => {
    const kinds = { reserved: 0, grow: 0, none: 0 };
    fc.assert(
      fc.property(arbitrary, (a) => {
        const { input, free } = inputOf(a);
        const r = place(input);
        kinds[r.kind]++;
        // leaders change which partitions, never the verdict, the count or the growth
        const { leaders: _ignored, ...blind } = input;
        const without = place(blind);
        expect(r.kind).toBe(without.kind);
        if (r.kind === 'none' || without.kind === 'none') return;
        expect(r.partitions).toHaveLength(without.partitions.length);
        const newTotal = r.kind === 'grow' ? r.newTotal : input.total;
        expect(newTotal).toBe(without.kind === 'grow' ? without.newTotal : input.total);
        expect(newTotal - input.total).toBeLessThanOrEqual(a.maxGrowth ?? Infinity);
        expect(newTotal).toBeLessThanOrEqual(input.maxPartitions);
        expect(new Set(r.partitions).size).toBe(r.partitions.length);
        for (const p of r.partitions) {
          expect(p).toBeGreaterThanOrEqual(input.shared);
          expect(p).toBeLessThan(newTotal);
          if (p < input.total) expect(free).toContain(p);
        }
      }),
      { numRuns: 300 },
    );
    for (const kind of ['reserved', 'grow', 'none'] as const)
      expect(kinds[kind], kind).toBeGreaterThanOrEqual(20);
  });
});
