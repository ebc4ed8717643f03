import { describe, expect, it } from 'vitest';
import { GateView } from '../../../../../src/adapters/kafka/ordered-consumer/gate-view.js';
import { recordEpochOf } from '../../../../../src/domain/fence-gate.js';
import { RoutingTable } from '../../../../../src/domain/routing-table.js';
import { pools, route } from '../../../domain/fixtures.js';

const T = 'orders';

/** A view over a table with pools 0..3 shared, 4..7 dedicated, a broker with no commits (log start 0). */
function setup() {
  const table = new RoutingTable();
  expect(table.apply(pools(T, 4, 8))).toBe('applied');
  let now = 1000;
  let caughtUpAt = 0;
  const found: string[] = [];
  const admin = {
    fetchTopicOffsets: async () =>
      Array.from({ length: 8 }, (_, p) => ({ partition: p, offset: '100', high: '100', low: '0' })),
    fetchOffsets: async () => [{ topic: T, partitions: [] as { partition: number; offset: string }[] }],
  };
  const view = new GateView(table, admin as never, 'g', {
    routing: { caughtUpSince: (t) => caughtUpAt >= t },
    now: () => now,
    found: (topic, tenant, epoch) => found.push(`${topic}/${tenant}@${epoch}`),
  });
  return {
    table,
    view,
    found,
    tick: (ms: number) => (now += ms),
    /** the routing view reaches the topic's end, as checked now */
    catchUp: () => (caughtUpAt = now),
  };
}

describe('GateView: records whose epoch names a route the routing topic never had', () => {
  it('holds while the view may be behind, then passes (the epoch counted and reported once) after a catch-up past the record', () => {
    const s = setup();
    expect(s.table.apply(route(T, 'acme', { state: 'shared', partitions: [], epoch: 2 }))).toBe('applied');
    // a SmartProducer may have written epoch 5 after a route this view has not read yet: wait
    s.catchUp(); // a catch-up from before the record was judged proves nothing
    s.tick(10);
    expect(s.view.verdict(T, 1, 'acme', 5)).toMatchObject({ kind: 'wait', reason: 'route-behind' });
    s.tick(500);
    expect(s.view.verdict(T, 1, 'acme', 5).kind).toBe('wait');
    expect(s.view.orphanEpochs).toBe(0);
    // the view reached the routing topic's end after the record: no route of epoch 5 exists
    s.catchUp();
    expect(s.view.verdict(T, 1, 'acme', 5)).toEqual({ kind: 'pass' });
    expect(s.view.verdict(T, 1, 'acme', 5)).toEqual({ kind: 'pass' });
    expect(s.view.orphanEpochs).toBe(1);
    expect(s.found).toEqual([`${T}/acme@5`]);
    // another epoch of the same tenant is judged on its own
    s.tick(10);
    expect(s.view.verdict(T, 1, 'acme', 6).kind).toBe('wait');
  });

  it('a move draining at the record epoch keeps it waiting, caught up or not (that move settles)', () => {
    const s = setup();
    // acme hashes to shared partition 0, the only shared partition a draining route may leave
    expect(s.table.apply(route(T, 'acme', { state: 'draining', partitions: [4], from: [0], epoch: 3 }))).toBe(
      'applied',
    );
    s.tick(10);
    expect(s.view.verdict(T, 4, 'acme', 3)).toMatchObject({ kind: 'wait', reason: 'route-behind' });
    s.tick(10);
    s.catchUp();
    expect(s.view.verdict(T, 4, 'acme', 3)).toMatchObject({ kind: 'wait', reason: 'route-behind' });
    // but an epoch beyond the draining move is an orphan
    s.tick(10);
    expect(s.view.verdict(T, 4, 'acme', 9).kind).toBe('wait');
    s.tick(10);
    s.catchUp();
    expect(s.view.verdict(T, 4, 'acme', 9).kind).toBe('pass');
    expect(s.found).toEqual([`${T}/acme@9`]);
  });

  it('a tenant without a route (never routed, or deleted by a tombstone) passes an epoch > 0 only after a catch-up', () => {
    const s = setup();
    expect(s.view.verdict(T, 2, 'ghost', 0)).toEqual({ kind: 'pass' });
    expect(s.view.verdict(T, 2, 'ghost', 4)).toMatchObject({ kind: 'wait', reason: 'route-behind' });
    s.tick(1);
    s.catchUp();
    expect(s.view.verdict(T, 2, 'ghost', 4)).toEqual({ kind: 'pass' });
    expect(s.view.orphanEpochs).toBe(1);
  });

  it('a fence wait is never turned into a pass, however long the view has been caught up', async () => {
    const s = setup();
    expect(
      s.table.apply(
        route(T, 'acme', {
          state: 'dedicated',
          partitions: [4],
          epoch: 3,
          fences: [{ epoch: 3, offsets: { '0': 50 } }],
        }),
      ),
    ).toBe('applied');
    await s.view.refresh([T]);
    s.tick(10);
    s.catchUp();
    expect(s.view.verdict(T, 4, 'acme', 3)).toMatchObject({ kind: 'wait', reason: 'fence' });
    expect(s.view.orphanEpochs).toBe(0);
  });
});

describe('GateView: what the group has committed', () => {
  it('the broker commit and this member own, whichever is further; else the log start', async () => {
    const table = new RoutingTable();
    const admin = {
      fetchTopicOffsets: async () => [
        { partition: 0, offset: '90', high: '90', low: '40' },
        { partition: 1, offset: '90', high: '90', low: '0' },
      ],
      fetchOffsets: async () => [{ topic: T, partitions: [{ partition: 0, offset: '70' }] }],
    };
    const view = new GateView(table, admin as never, 'g');
    expect(view.committed(T, 0)).toBeUndefined();
    await view.refresh([T]);
    expect(view.committed(T, 0)).toBe(70);
    view.noteOwnCommit(T, 0, 80);
    expect(view.committed(T, 0)).toBe(80);
    view.noteOwnCommit(T, 0, 75);
    expect(view.committed(T, 0)).toBe(80);
    // no commit on partition 1: the group will start at or after the log start
    expect(view.committed(T, 1)).toBe(0);
    view.forgetOwnCommits();
    expect(view.committed(T, 0)).toBe(70);
  });
});

describe('recordEpochOf', () => {
  it('reads a decimal epoch up to the largest a route can have, and nothing else', () => {
    expect(recordEpochOf('0')).toBe(0);
    expect(recordEpochOf('2147483647')).toBe(2147483647);
    expect(recordEpochOf('2147483648')).toBeUndefined();
    expect(recordEpochOf('9999999999')).toBeUndefined();
    expect(recordEpochOf('-1')).toBeUndefined();
    expect(recordEpochOf('1e3')).toBeUndefined();
    expect(recordEpochOf('')).toBeUndefined();
    expect(recordEpochOf(undefined)).toBeUndefined();
  });
});
