import { describe, expect, it } from 'vitest';
import { RoutingTable } from '../../../src/domain/routing-table.js';
import { pools, route } from './fixtures.js';

describe('RoutingTable', () => {
  it('applies routes, pools and tombstones', () => {
    const t = new RoutingTable();
    t.apply(pools('orders', 6, 12));
    t.apply(route('orders', 'acme'));
    expect(t.route('orders', 'acme')?.partitions).toEqual([6]);
    expect(t.pools('orders')?.shared).toBe(6);
    t.apply({
      kind: 'tombstone',
      topic: route('orders', 'acme').topic,
      tenant: route('orders', 'acme').tenant,
    });
    expect(t.route('orders', 'acme')).toBeUndefined();
    expect(t.version).toBe(3);
  });

  it('ignores writes from an older controller epoch', () => {
    const t = new RoutingTable();
    t.apply(route('orders', 'acme', { writerEpoch: 3, partitions: [7] }));
    expect(t.apply(route('orders', 'acme', { writerEpoch: 2, partitions: [8] }))).toBe('stale');
    expect(t.route('orders', 'acme')?.partitions).toEqual([7]);
    expect(t.apply(route('orders', 'acme', { writerEpoch: 3, partitions: [9] }))).toBe('applied');
    expect(t.route('orders', 'acme')?.partitions).toEqual([9]);
  });
});
