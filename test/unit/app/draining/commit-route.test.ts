import { afterEach, describe, expect, it, vi } from 'vitest';
import { commitRoute } from '../../../../src/app/draining/commit-route.js';
import type { TenantContext } from '../../../../machines/tenant.machine.js';
import { ctx, fakePorts, runStep, stepDeps, waitUntil } from './step-harness.js';

const ackFor = (producerId: string, epoch: number) => ({
  v: 1 as const,
  kind: 'drain-ack' as const,
  producerId,
  topic: 'orders',
  tenant: 'acme',
  epoch,
  at: 1,
});

/** Runs commitRoute for `c` and returns what it persisted and sent. */
async function commit(c: TenantContext) {
  const fp = fakePorts();
  const s = stepDeps(fp, { contexts: [['orders/acme', c]] });
  const r = runStep(commitRoute(s.deps), c);
  await waitUntil(() => r.events.length === 1, 'the commit');
  r.stop();
  return { ...s, events: r.events };
}

describe('commitRoute step (committing)', () => {
  afterEach(() => vi.useRealTimers());

  it('persists dedicated, sharded or shared by the length of the target', async () => {
    const one = await commit(ctx({ epoch: 1, target: [6], from: [2] }));
    const two = await commit(ctx({ epoch: 1, target: [5, 7], from: [6], partitions: [6] }));
    const none = await commit(ctx({ epoch: 1, target: [], from: [6], partitions: [6] }));
    expect([...one.persisted, ...two.persisted, ...none.persisted]).toEqual([
      { key: 'orders/acme', state: 'dedicated', partitions: [6], from: undefined },
      { key: 'orders/acme', state: 'sharded', partitions: [5, 7], from: undefined },
      { key: 'orders/acme', state: 'shared', partitions: [], from: undefined },
    ]);
  });

  it('a rollback target (the previous route) is committed as such', async () => {
    // rolled back: target = previous = the partitions it was on
    const rolled = await commit(
      ctx({ epoch: 3, partitions: [4, 5], previous: [4, 5], target: [4, 5], from: [4, 5] }),
    );
    expect(rolled.persisted).toEqual([
      { key: 'orders/acme', state: 'sharded', partitions: [4, 5], from: undefined },
    ]);
    const back = await commit(ctx({ epoch: 3, partitions: [], previous: [], target: [], from: [2] }));
    expect(back.persisted).toEqual([
      { key: 'orders/acme', state: 'shared', partitions: [], from: undefined },
    ]);
  });

  it('releases the reservation, forgets the acks, counts the move, then sends route.committed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(77_000);
    const c = ctx({ epoch: 2, target: [6], from: [2] });
    const fp = fakePorts();
    const s = stepDeps(fp, { contexts: [['orders/acme', ctx()]] });
    s.deps.capacity.reserve('orders/acme', [6]);
    s.deps.acks.setAlive(['p1']);
    s.deps.acks.onAck(ackFor('p1', 2));
    s.deps.acks.onReport({
      at: 1,
      report: {
        v: 1,
        kind: 'traffic',
        producerId: 'p1',
        seq: 1,
        intervalStart: 0,
        intervalEnd: 1,
        routesApplied: 9,
        tenants: [],
      },
    });
    expect([...s.deps.acks.acked('orders/acme', 2, 5)]).toEqual(['p1']);
    const seen: unknown[] = [];
    const persist = s.deps.persist;
    s.deps = {
      ...s.deps,
      persist: (...a) => {
        // at the write, nothing is released yet
        seen.push({
          reserved: s.deps.capacity.owners('x').get(6),
          acked: s.deps.acks.acked('orders/acme', 2, 5).size,
          counted: s.committedCount(),
        });
        return persist(...a);
      },
    };
    const r = runStep(commitRoute(s.deps), c);
    await waitUntil(() => r.events.length === 1, 'the commit');
    expect(seen).toEqual([{ reserved: 'orders/acme', acked: 1, counted: 0 }]);
    expect(r.events).toEqual([{ type: 'route.committed', now: 77_000 }]);
    expect(s.deps.capacity.owners('x').get(6)).toBeUndefined();
    expect(s.deps.acks.acked('orders/acme', 2, 5).size).toBe(0);
    expect(s.committedCount()).toBe(1);
    expect(s.steps).toEqual([
      { topic: 'orders', tenant: 'acme', epoch: 2, step: 'commit', phase: 'start' },
      {
        topic: 'orders',
        tenant: 'acme',
        epoch: 2,
        step: 'commit',
        phase: 'end',
        detail: { partitions: '6' },
      },
    ]);
    r.stop();
  });

  it('a fault hold before the commit writes nothing and sends nothing until stopped', async () => {
    const fp = fakePorts();
    const s = stepDeps(fp, { faultHold: 'before-commit' });
    const r = runStep(commitRoute(s.deps), ctx({ epoch: 2, target: [6], from: [2] }));
    await waitUntil(() => fp.warnings('fault hold reached: before-commit').length === 1, 'the hold');
    expect(s.persisted).toEqual([]);
    r.stop();
    await waitUntil(() => s.allSettled(), 'the step to end');
    expect(s.persisted).toEqual([]);
    expect(r.events).toEqual([]);
    expect(s.committedCount()).toBe(0);
  });
});
