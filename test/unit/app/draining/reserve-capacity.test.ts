import { afterEach, describe, expect, it, vi } from 'vitest';
import { reserveCapacity } from '../../../../src/app/draining/reserve-capacity.js';
import type { WindowSnapshot } from '../../../../src/domain/window-aggregator.js';
import { ctx, deferred, fakePorts, runStep, stepDeps, testConfig, waitUntil } from './step-harness.js';

/** A window whose only content is the records/s of some partitions of `orders`. */
const loadWindow = (rates: Record<number, number>): WindowSnapshot => ({
  at: 1,
  partitions: Object.entries(rates).map(([p, r]) => ({
    topic: 'orders',
    partition: Number(p),
    at: 1,
    recordsPerSec: r,
    ewmaRecordsPerSec: r,
    end: 0,
    lag: {},
  })),
  tenants: [],
  producersAlive: [],
  producersGone: [],
});

const other = (tenant: string, partitions: number[]) =>
  [`orders/${tenant}`, ctx({ tenant, partitions })] as [string, ReturnType<typeof ctx>];

describe('reserveCapacity step (isolating)', () => {
  afterEach(() => vi.useRealTimers());

  it("persists 'isolating' with the current route before it reserves anything", async () => {
    const fp = fakePorts();
    const write = deferred<number>();
    // Capacity counts the reservations of tenants that have an actor: acme has one
    const s = stepDeps(fp, { contexts: [other('acme', [5])] });
    const persisted: unknown[] = [];
    s.deps = {
      ...s.deps,
      persist: (key, state, partitions, from) => {
        const reserved = [...s.deps.capacity.owners('x').keys()];
        persisted.push({ key, state, partitions, from, reserved });
        return write.promise;
      },
    };
    const r = runStep(reserveCapacity(s.deps), ctx({ partitions: [5] }));
    await waitUntil(() => persisted.length === 1, 'the intent write');
    expect(persisted).toEqual([
      { key: 'orders/acme', state: 'isolating', partitions: [5], from: undefined, reserved: [5] },
    ]);
    expect(r.events).toEqual([]);
    expect([...s.deps.capacity.owners('x').keys()]).toEqual([5]);
    write.resolve(7);
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [4] }]);
    expect([...s.deps.capacity.owners('x')]).toEqual([
      [5, 'orders/acme'],
      [4, 'orders/acme'],
    ]);
    r.stop();
  });

  it("refuses an operator's requested partitions that another tenant holds, naming them", async () => {
    const fp = fakePorts();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(42_000);
    const s = stepDeps(fp, { contexts: [other('globex', [5]), other('initech', [7]), other('acme', [])] });
    const r = runStep(reserveCapacity(s.deps), ctx({ requested: [5, 6, 7], manual: true }));
    await waitUntil(() => r.events.length === 1, 'the verdict');
    expect(r.events).toEqual([
      { type: 'capacity.unavailable', reason: 'partition(s) 5,7 belong to another tenant', now: 42_000 },
    ]);
    // nothing was reserved for acme
    expect([...s.deps.capacity.owners('orders/globex')]).toEqual([[7, 'orders/initech']]);
    expect(s.deps.capacity.owners('orders/initech').get(6)).toBeUndefined();
    expect(s.persisted.map((p) => p.state)).toEqual(['isolating']);
    r.stop();
  });

  it("reserves an operator's requested partitions when they are free", async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, { contexts: [other('globex', [5]), other('acme', [])] });
    const r = runStep(reserveCapacity(s.deps), ctx({ requested: [6, 7], manual: true }));
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [6, 7] }]);
    expect(s.deps.capacity.owners('orders/globex').get(6)).toBe('orders/acme');
    expect(s.deps.capacity.owners('orders/globex').get(7)).toBe('orders/acme');
    r.stop();
  });

  it('placement picks the least-loaded free dedicated partition', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, { contexts: [other('globex', [5])] });
    // 5 is the idlest but taken; of the free ones 6 carries the least
    s.deps.load.update(loadWindow({ 4: 300, 5: 0, 6: 100, 7: 200 }));
    const r = runStep(reserveCapacity(s.deps), ctx());
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [6] }]);
    expect(fp.grows).toEqual([]);
    r.stop();
  });

  it('places k shards on the k least-loaded free partitions', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp);
    s.deps.load.update(loadWindow({ 4: 300, 5: 10, 6: 100, 7: 200 }));
    const r = runStep(reserveCapacity(s.deps), ctx({ wantShards: 2 }));
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [5, 6] }]);
    r.stop();
  });

  it('grows the topic when no dedicated partition is free, and says so', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, { contexts: [other('globex', [4, 5]), other('initech', [6, 7])] });
    await s.deps.capacity.load('orders');
    const r = runStep(reserveCapacity(s.deps), ctx());
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [8] }]);
    expect(fp.grows).toEqual([{ topic: 'orders', total: 9 }]);
    expect(s.deps.capacity.partitionCount('orders')).toBe(9);
    const said = fp.logs.filter((l) => l.level === 'info');
    // the fake knows no leader: the log says so (null) and the message reads as before
    expect(said).toEqual([
      {
        level: 'info',
        obj: { topic: 'orders', total: 9, leaders: { 8: null } },
        msg: 'grew topic to 9 partitions for 1 dedicated partition(s); new partition(s) landed on partition@leader: 8@?',
      },
    ]);
    r.stop();
  });

  it('says why when the topic may not grow (maxPartitions)', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, {
      contexts: [other('globex', [4, 5]), other('initech', [6, 7])],
      config: testConfig({ maxPartitions: 8 }),
    });
    const r = runStep(reserveCapacity(s.deps), ctx());
    await waitUntil(() => r.events.length === 1, 'the verdict');
    expect(r.events[0]).toMatchObject({
      type: 'capacity.unavailable',
      reason: 'needs 1 dedicated partition(s), 0 free, and growing to 9 exceeds maxPartitions 8',
    });
    expect(fp.grows).toEqual([]);
    r.stop();
  });

  /** dedicated 4-7 of `orders` led by brokers 1,1,2,3; partitions past 7 (grown) round-robin 1,2,3 */
  const threeBrokers = async (_topic: string, count: number) =>
    new Map(
      Array.from(
        { length: count },
        (_, p) => [p, p < 8 ? [1, 2, 3, 1, 1, 1, 2, 3][p]! : (p % 3) + 1] as const,
      ),
    );

  it('reads the leaders once and puts 3 shards on 3 different leaders, saying where', async () => {
    const fp = fakePorts({ leaders: threeBrokers });
    const s = stepDeps(fp);
    // 4 and 5 (both broker 1) are the idlest: leader-unaware placement would take both
    s.deps.load.update(loadWindow({ 4: 0, 5: 1, 6: 50, 7: 60 }));
    const r = runStep(reserveCapacity(s.deps), ctx({ wantShards: 3 }));
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [4, 6, 7] }]);
    expect(fp.leaderReads).toEqual([{ topic: 'orders', partitionCount: 8 }]);
    expect(fp.logs.filter((l) => l.level === 'info')).toEqual([
      {
        level: 'info',
        obj: { topic: 'orders', tenant: 'acme', partitions: [4, 6, 7], leaders: { 4: 1, 6: 2, 7: 3 } },
        msg: '3 free dedicated partition(s): 4,6,7 (partition@leader: 4@1,6@2,7@3)',
      },
    ]);
    r.stop();
  });

  it('says which broker it had to share when the free partitions are on fewer brokers than shards', async () => {
    const fp = fakePorts({ leaders: threeBrokers });
    const s = stepDeps(fp, { contexts: [other('globex', [6])] });
    const r = runStep(reserveCapacity(s.deps), ctx({ wantShards: 3 }));
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [4, 5, 7] }]);
    expect(fp.logs.filter((l) => l.level === 'info').map((l) => l.msg)).toEqual([
      '3 free dedicated partition(s): 4,5,7 (partition@leader: 4@1,5@1,7@3); 3 partitions on 2 brokers: the cluster has 2 broker(s) with free dedicated partitions; broker 1 leads 4,5; moving leaders is out of scope',
    ]);
    r.stop();
  });

  it('places a dedicated partition on the least-loaded broker, counting the shared partitions it leads', async () => {
    const fp = fakePorts({ leaders: threeBrokers });
    const s = stepDeps(fp);
    // broker 1 leads 0,3,4,5 (110), broker 2 leads 1,6 (500), broker 3 leads 2,7 (45): 7, though not the idlest
    s.deps.load.update(loadWindow({ 0: 100, 1: 480, 2: 5, 3: 10, 4: 0, 5: 0, 6: 20, 7: 40 }));
    const r = runStep(reserveCapacity(s.deps), ctx());
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [7] }]);
    r.stop();
  });

  it('places without leaders, warning once, when metadata fails; the move goes on', async () => {
    const fp = fakePorts({
      leaders: async () => {
        throw new Error('metadata timeout');
      },
    });
    const s = stepDeps(fp);
    s.deps.load.update(loadWindow({ 4: 0, 5: 1, 6: 50, 7: 60 }));
    const r = runStep(reserveCapacity(s.deps), ctx({ wantShards: 2 }));
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [4, 5] }]);
    expect(fp.warnings().map((w) => [w.msg, w.obj])).toEqual([
      [
        'partition leaders unknown (metadata failed); placing without them',
        { topic: 'orders', tenant: 'acme', err: 'metadata timeout' },
      ],
    ]);
    // not retried: the intent was written once
    expect(s.persisted.map((p) => p.state)).toEqual(['isolating']);
    r.stop();
  });

  it('reads the leaders again after a grow and says where the new partitions landed', async () => {
    const fp = fakePorts({ leaders: threeBrokers });
    const s = stepDeps(fp, { contexts: [other('globex', [4, 5, 6])] });
    await s.deps.capacity.load('orders');
    const r = runStep(reserveCapacity(s.deps), ctx({ wantShards: 3 }));
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [7, 8, 9] }]);
    expect(fp.grows).toEqual([{ topic: 'orders', total: 10 }]);
    expect(fp.leaderReads).toEqual([
      { topic: 'orders', partitionCount: 8 },
      { topic: 'orders', partitionCount: 10 },
    ]);
    // 8 landed on broker 3 (8 % 3 + 1), which leads 7 too; 9 on broker 1
    expect(fp.logs.filter((l) => l.level === 'info')).toEqual([
      {
        level: 'info',
        obj: { topic: 'orders', total: 10, leaders: { 7: 3, 8: 3, 9: 1 } },
        msg: 'grew topic to 10 partitions for 3 dedicated partition(s); new partition(s) landed on partition@leader: 8@3,9@1; 3 partitions on 2 brokers; broker 3 leads 7,8; moving leaders is out of scope',
      },
    ]);
    r.stop();
  });

  it("does not read leaders for an operator's explicit partitions", async () => {
    const fp = fakePorts({ leaders: threeBrokers });
    const s = stepDeps(fp);
    const r = runStep(reserveCapacity(s.deps), ctx({ requested: [4, 5], manual: true }));
    await waitUntil(() => r.events.length === 1, 'the reservation');
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [4, 5] }]);
    expect(fp.leaderReads).toEqual([]);
    r.stop();
  });

  it('retries a failing write, warning with the attempt numbers, then reserves', async () => {
    vi.useFakeTimers();
    const fp = fakePorts();
    const s = stepDeps(fp);
    let failures = 2;
    const calls: string[] = [];
    s.deps = {
      ...s.deps,
      persist: async (_key, state) => {
        calls.push(state);
        if (failures-- > 0) throw new Error('broker blip');
        return 11;
      },
    };
    const r = runStep(reserveCapacity(s.deps), ctx());
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['isolating']);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toEqual(['isolating', 'isolating']);
    expect(r.events).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(calls).toEqual(['isolating', 'isolating', 'isolating']);
    expect(r.events).toEqual([{ type: 'capacity.reserved', partitions: [4] }]);
    expect(fp.warnings('effect failed; retrying').map((w) => w.obj)).toEqual([
      { topic: 'orders', tenant: 'acme', effect: 'reserveCapacity', attempt: 0, err: 'broker blip' },
      { topic: 'orders', tenant: 'acme', effect: 'reserveCapacity', attempt: 1, err: 'broker blip' },
    ]);
    r.stop();
  });
});
