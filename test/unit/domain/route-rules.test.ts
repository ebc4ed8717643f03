import { describe, expect, it } from 'vitest';
import type { TenantId, TopicName } from '../../../src/domain/ids.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { decodeRoutingRecord, MAX_EPOCH } from '../../../src/domain/route-record.js';
import { RoutingTable } from '../../../src/domain/routing-table.js';
import { pools, route } from './fixtures.js';

const table = (): RoutingTable => {
  const t = new RoutingTable();
  t.apply(pools('orders', 6, 12));
  return t;
};
const tombstone = (tenant: string) =>
  ({ kind: 'tombstone', topic: 'orders' as TopicName, tenant: tenant as TenantId }) as const;

describe('route rules (everything read from the routing topic is untrusted)', () => {
  it('refuses a route onto a shared-pool partition, and leaves the table as it was', () => {
    const t = table();
    expect(t.apply(route('orders', 'acme', { partitions: [2] }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/shared pool/);
    expect(t.route('orders', 'acme')).toBeUndefined();
    expect(t.version).toBe(1);
  });

  it('lets a draining route leave its own hash partition, and no other shared one', () => {
    const t = table();
    const hash = partitionForKey('acme', 6);
    const other = (hash + 1) % 6;
    const drain = { state: 'draining', partitions: [7], epoch: 1 } as const;
    expect(t.apply(route('orders', 'acme', { ...drain, from: [other] }))).toBe('rejected');
    expect(t.apply(route('orders', 'acme', { ...drain, from: [hash, 8] }))).toBe('rejected');
    expect(t.apply(route('orders', 'acme', { ...drain, from: [hash] }))).toBe('applied');
  });

  it('gives a dedicated partition to one tenant only, including the ones a drain leaves', () => {
    const t = table();
    expect(t.apply(route('orders', 'acme', { partitions: [7] }))).toBe('applied');
    expect(t.apply(route('orders', 'evil', { partitions: [7] }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/held by tenant "acme"/);
    expect(t.apply(route('orders', 'evil', { state: 'sharded', partitions: [8, 7] }))).toBe('rejected');
    // acme drains 7 -> 9: both stay acme's until the move settles
    t.apply(route('orders', 'acme', { state: 'draining', from: [7], partitions: [9], epoch: 2 }));
    expect(t.apply(route('orders', 'evil', { partitions: [7] }))).toBe('rejected');
    expect(t.apply(route('orders', 'evil', { partitions: [9] }))).toBe('rejected');
    t.apply(route('orders', 'acme', { partitions: [9], epoch: 2 }));
    expect(t.apply(route('orders', 'evil', { partitions: [7] }))).toBe('applied');
    expect(t.ownerOf('orders', 7)).toBe('evil');
    expect(t.ownerOf('orders', 9)).toBe('acme');
  });

  it('frees a partition when its tenant goes back to shared', () => {
    const t = table();
    t.apply(route('orders', 'acme', { partitions: [7] }));
    t.apply(route('orders', 'acme', { state: 'shared', partitions: [], epoch: 2 }));
    expect(t.ownerOf('orders', 7)).toBeUndefined();
    expect(t.apply(route('orders', 'bolt', { partitions: [7] }))).toBe('applied');
  });

  it('moves a tenant epoch forward one step at a time, never back', () => {
    const t = table();
    t.apply(route('orders', 'acme', { partitions: [7], epoch: 4 }));
    expect(t.apply(route('orders', 'acme', { partitions: [7], epoch: 3 }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/older/);
    expect(t.apply(route('orders', 'acme', { partitions: [8], epoch: 6 }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/jumps ahead/);
    expect(t.apply(route('orders', 'acme', { partitions: [7], epoch: 4 }))).toBe('applied');
    expect(
      t.apply(route('orders', 'acme', { state: 'draining', from: [7], partitions: [8], epoch: 5 })),
    ).toBe('applied');
  });

  it('refuses a tombstone mid-move: held records must wait for the settled route', () => {
    const t = table();
    t.apply(route('orders', 'acme', { partitions: [7], epoch: 1 }));
    t.apply(route('orders', 'acme', { state: 'draining', from: [7], partitions: [8], epoch: 2 }));
    expect(t.apply(tombstone('acme'))).toBe('rejected');
    expect(t.route('orders', 'acme')?.state).toBe('draining');
    t.apply(route('orders', 'acme', { partitions: [8], epoch: 2 }));
    expect(t.apply(tombstone('acme'))).toBe('applied');
    expect(t.ownerOf('orders', 8)).toBeUndefined();
  });

  it('checks the shape of each state', () => {
    const t = table();
    expect(t.apply(route('orders', 'a', { state: 'dedicated', partitions: [7, 8] }))).toBe('rejected');
    expect(t.apply(route('orders', 'a', { state: 'sharded', partitions: [7] }))).toBe('rejected');
    expect(t.apply(route('orders', 'a', { state: 'shared', partitions: [7] }))).toBe('rejected');
    expect(t.apply(route('orders', 'a', { state: 'draining', partitions: [7] }))).toBe('rejected');
    expect(t.apply(route('orders', 'a', { state: 'dedicated', partitions: [7], from: [8] }))).toBe(
      'rejected',
    );
  });

  it('refuses routes for a topic without a pool layout', () => {
    const t = table();
    expect(t.apply(route('billing', 'acme', { partitions: [7] }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/no pool layout/);
  });

  it('never changes a shared pool nor shrinks a layout', () => {
    const t = table();
    expect(t.apply(pools('orders', 4, 12))).toBe('rejected');
    expect(t.apply(pools('orders', 6, 10))).toBe('rejected');
    expect(t.apply(pools('orders', 6, 16))).toBe('applied');
    expect(t.pools('orders')?.shared).toBe(6);
  });
});

describe('route record decoding bounds', () => {
  const encode = (over: object) => {
    const r = { ...route('orders', 'acme', { partitions: [7] }), ...over };
    return decodeRoutingRecord(Buffer.from('orders/acme'), Buffer.from(JSON.stringify(r)));
  };

  it('refuses writer epochs and epochs past int32', () => {
    expect(encode({ writerEpoch: MAX_EPOCH }).ok).toBe(true);
    expect(encode({ writerEpoch: MAX_EPOCH + 1 }).ok).toBe(false);
    expect(encode({ writerEpoch: Number.MAX_SAFE_INTEGER }).ok).toBe(false);
    expect(encode({ epoch: Number.MAX_SAFE_INTEGER }).ok).toBe(false);
    expect(encode({ epoch: MAX_EPOCH }).ok).toBe(true);
  });

  it('refuses a partition listed twice', () => {
    const r = encode({ state: 'sharded', partitions: [7, 7] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/twice/);
  });
});
