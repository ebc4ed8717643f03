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

  it('keeps the highest writer epoch for display but never refuses a route for it (the broker fences)', () => {
    const t = new RoutingTable();
    t.apply(pools('orders', 6, 12));
    t.apply(route('orders', 'acme', { writerEpoch: 3, partitions: [7] }));
    expect(t.apply(route('orders', 'acme', { writerEpoch: 2, partitions: [8] }))).toBe('applied');
    expect(t.route('orders', 'acme')?.partitions).toEqual([8]);
    expect(t.writerEpoch).toBe(3);
  });
});
