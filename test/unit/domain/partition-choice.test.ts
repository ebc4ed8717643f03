import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { createPartitionChooser } from '../../../src/domain/partition-choice.js';
import type { TenantId, TopicName } from '../../../src/domain/ids.js';
import { RoutingTable } from '../../../src/domain/routing-table.js';
import { pools, route } from './fixtures.js';

const setup = () => {
  const t = new RoutingTable();
  t.apply(pools('orders', 6, 12));
  return { t, choose: createPartitionChooser(t, { stickyBatch: 2 }) };
};

describe('partition choice', () => {
  it('lets an explicit partition win', () => {
    const { t, choose } = setup();
    t.apply(route('orders', 'acme', { partitions: [6], epoch: 4 }));
    expect(choose({ topic: 'orders', tenant: 'acme', partition: 11 })).toEqual({
      kind: 'explicit',
      partition: 11,
      epoch: 4,
    });
  });

  it('hashes an unrouted tenant over the shared pool only, like the Java client', () => {
    const { choose } = setup();
    for (const tenant of ['a', 'tenant-1', 'acme-corp', '租户-7']) {
      expect(choose({ topic: 'orders', tenant })).toEqual({
        kind: 'hashed',
        partition: partitionForKey(tenant, 6),
        epoch: 0,
      });
    }
  });

  it('sends a dedicated tenant to its partition and holds a draining one', () => {
    const { t, choose } = setup();
    t.apply(route('orders', 'acme', { partitions: [8], epoch: 2 }));
    expect(choose({ topic: 'orders', tenant: 'acme' })).toEqual({ kind: 'routed', partition: 8, epoch: 2 });
    t.apply(route('orders', 'acme', { state: 'draining', from: [8], partitions: [9], epoch: 3 }));
    expect(choose({ topic: 'orders', tenant: 'acme' }).kind).toBe('held');
  });

  it('answers a settled one-partition route with one choice made when the route was applied, and follows every later write', () => {
    const { t, choose } = setup();
    t.apply(route('orders', 'acme', { partitions: [8], epoch: 2 }));
    const first = choose({ topic: 'orders', tenant: 'acme' });
    // The same object for every record of the route: nothing is allocated per record.
    expect(choose({ topic: 'orders', tenant: 'acme' })).toBe(first);
    t.apply(route('orders', 'acme', { state: 'draining', from: [8], partitions: [9], epoch: 3 }));
    expect(choose({ topic: 'orders', tenant: 'acme' }).kind).toBe('held');
    t.apply(route('orders', 'acme', { partitions: [9], epoch: 3 }));
    expect(choose({ topic: 'orders', tenant: 'acme' })).toEqual({ kind: 'routed', partition: 9, epoch: 3 });
    t.apply(route('orders', 'acme', { state: 'sharded', partitions: [9, 10], epoch: 4 }));
    expect([9, 10]).toContain(
      (choose({ topic: 'orders', tenant: 'acme', secondaryKey: 'u1' }) as { partition: number }).partition,
    );
    t.apply({ kind: 'tombstone', topic: 'orders' as TopicName, tenant: 'acme' as TenantId });
    expect(choose({ topic: 'orders', tenant: 'acme' })).toEqual({
      kind: 'hashed',
      partition: partitionForKey('acme', 6),
      epoch: 0,
    });
  });

  it('sees every table change at once, across topics (its per-topic lookup is cached by table version)', () => {
    const { t, choose } = setup();
    expect(choose({ topic: 'orders', tenant: 'acme' }).kind).toBe('hashed');
    // A topic the chooser has looked up before it had pools or routes.
    expect(choose({ topic: 'billing', tenant: 'acme' })).toEqual({ kind: 'default' });
    t.apply(pools('billing', 2, 4));
    t.apply(route('billing', 'acme', { partitions: [3], epoch: 1 }));
    expect(choose({ topic: 'billing', tenant: 'acme' })).toEqual({ kind: 'routed', partition: 3, epoch: 1 });
    expect(choose({ topic: 'orders', tenant: 'acme' }).kind).toBe('hashed');
    t.apply(route('orders', 'acme', { partitions: [7], epoch: 2 }));
    expect(choose({ topic: 'orders', tenant: 'acme' })).toEqual({ kind: 'routed', partition: 7, epoch: 2 });
    t.apply({ kind: 'tombstone', topic: 'orders' as TopicName, tenant: 'acme' as TenantId });
    expect(choose({ topic: 'orders', tenant: 'acme' }).kind).toBe('hashed');
  });

  it('keeps a shared-state route with no partitions on its hash', () => {
    const { t, choose } = setup();
    t.apply(route('orders', 'acme', { state: 'isolating', partitions: [], epoch: 5 }));
    expect(choose({ topic: 'orders', tenant: 'acme' })).toEqual({
      kind: 'hashed',
      partition: partitionForKey('acme', 6),
      epoch: 5,
    });
  });

  it('shards by secondary key (stable per key) and sticky round robin without one', () => {
    const { t, choose } = setup();
    t.apply(route('orders', 'whale', { state: 'sharded', partitions: [6, 7, 8], epoch: 1 }));
    const byKey = (k: string) => choose({ topic: 'orders', tenant: 'whale', secondaryKey: k });
    expect(byKey('user-1')).toEqual(byKey('user-1'));
    expect(byKey('user-1')).toEqual({
      kind: 'routed',
      partition: [6, 7, 8][partitionForKey('user-1', 3)],
      epoch: 1,
    });
    const seq = Array.from(
      { length: 6 },
      () => (choose({ topic: 'orders', tenant: 'whale' }) as { partition: number }).partition,
    );
    expect(seq).toEqual([6, 6, 7, 7, 8, 8]);
  });

  it('leaves records without a tenant, and unmanaged topics, to kafkajs', () => {
    const { choose } = setup();
    expect(choose({ topic: 'orders' })).toEqual({ kind: 'default' });
    expect(choose({ topic: 'plain', tenant: 'acme' })).toEqual({ kind: 'default' });
  });
});
