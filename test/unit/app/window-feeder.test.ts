import { describe, expect, it } from 'vitest';
import { Controller } from '../../../src/app/controller.js';
import { defaultPartitionOf } from '../../../src/domain/partition-choice.js';
import type { WindowSnapshot } from '../../../src/domain/window-aggregator.js';
import { fakePorts, testConfig, waitUntil, windowsFrom } from './draining/step-harness.js';

const hotWindow = (tenant: string, shared: number, at: number): WindowSnapshot => {
  const p = defaultPartitionOf(tenant, shared);
  return {
    at,
    partitions: [
      { topic: 'orders', partition: p, at, recordsPerSec: 1000, ewmaRecordsPerSec: 1000, end: 1000, lag: {} },
    ],
    tenants: [
      {
        topic: 'orders',
        tenant,
        recordsPerSec: 1000,
        bytesPerSec: 0,
        ewmaRecordsPerSec: 1000,
        trend: 0,
        errorRecordsPerSec: 0,
      },
    ],
    producersAlive: [],
    producersGone: [],
  };
};

describe('WindowFeeder: moves started in a topic in the last minute', () => {
  it('feeds the count into window.closed: a second tenant is held back by maxMovesPerTopicPerMinute', async () => {
    const fp = fakePorts();
    const c = new Controller(
      testConfig({
        thresholds: {
          maxMovesPerTopicPerMinute: 1,
          cooldownMs: 0,
          hotWindows: 1,
          isolateRate: 100,
          releaseRate: 10,
        },
      }),
      fp.ports,
    );
    const w$ = windowsFrom();
    await c.start(w$);
    c.command({ op: 'pin', topic: 'orders', tenant: 'acme' });
    await waitUntil(() => c.tenants().find((t) => t.tenant === 'acme')?.state === 'dedicated', 'acme pinned');
    const shared = fp.table.pools('orders')!.shared;
    w$.next(hotWindow('bravo', shared, Date.now()));
    const bravo = c.tenants().find((t) => t.tenant === 'bravo');
    expect(bravo?.state).toBe('shared');
    expect(bravo?.decision?.reason).toMatch(
      /^held back by the topic's move budget \(1 move in the last minute/,
    );
    await c.stop();
  });

  it('counts the moves this tick starts: two tenants hot in one window, budget 1, one moves', async () => {
    const fp = fakePorts();
    const c = new Controller(
      testConfig({
        thresholds: {
          maxMovesPerTopicPerMinute: 1,
          cooldownMs: 0,
          hotWindows: 1,
          isolateRate: 100,
          releaseRate: 10,
        },
      }),
      fp.ports,
    );
    const w$ = windowsFrom();
    await c.start(w$);
    const shared = fp.table.pools('orders')!.shared;
    const names = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'];
    const a = names[0]!;
    const b = names.find((n) => defaultPartitionOf(n, shared) !== defaultPartitionOf(a, shared))!;
    const wa = hotWindow(a, shared, Date.now());
    const wb = hotWindow(b, shared, wa.at);
    w$.next({
      ...wa,
      partitions: [...wa.partitions, ...wb.partitions],
      tenants: [...wa.tenants, ...wb.tenants],
    });
    expect(c.tenants().filter((t) => t.state === 'shared')).toHaveLength(1);
    await c.stop();
  });
});
