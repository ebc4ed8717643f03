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
    expect(said).toEqual([
      {
        level: 'info',
        obj: { topic: 'orders', total: 9 },
        msg: 'grew topic to 9 partitions for 1 dedicated partition(s)',
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
