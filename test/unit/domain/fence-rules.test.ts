import { describe, expect, it } from 'vitest';
import { fenceRejection } from '../../../src/domain/fence-rules.js';
import {
  decodeRoutingRecord,
  encodeRoutingRecord,
  MAX_EPOCH,
  MAX_FENCES,
  type Fence,
  type TenantRoute,
} from '../../../src/domain/route-record.js';
import { RoutingTable } from '../../../src/domain/routing-table.js';
import { pools, route } from './fixtures.js';

const fence = (epoch: number, offsets: Record<string, number>): Fence => ({ epoch, offsets });
/** fences of epochs from..to (inclusive), each on partition 6 at offset 10 * epoch */
const history = (from: number, to: number): Fence[] =>
  Array.from({ length: to - from + 1 }, (_, i) => fence(from + i, { 6: 10 * (from + i) }));

/** orders (shared 0..5, dedicated 6..11) with acme dedicated on 6 at `epoch`, carrying `fences`. */
function tableWith(epoch: number, fences: Fence[] = []): RoutingTable {
  const t = new RoutingTable();
  t.apply(pools('orders', 6, 12));
  expect(
    t.apply(route('orders', 'acme', { partitions: [6], epoch, ...(fences.length > 0 ? { fences } : {}) })),
  ).toBe('applied');
  return t;
}

/** acme at `epoch` drains 6 -> 7 (epoch + 1), keeping `fences` on the draining record. */
function drainingTable(epoch: number, fences: Fence[] = []): RoutingTable {
  const t = tableWith(epoch, fences);
  expect(
    t.apply(
      route('orders', 'acme', {
        state: 'draining',
        partitions: [7],
        from: [6],
        epoch: epoch + 1,
        ...(fences.length > 0 ? { fences } : {}),
      }),
    ),
  ).toBe('applied');
  return t;
}

const settled = (epoch: number, fences: Fence[], over: Partial<TenantRoute> = {}): TenantRoute =>
  route('orders', 'acme', { partitions: [7], epoch, fences, ...over });

const decode = (r: unknown) =>
  decodeRoutingRecord(Buffer.from('orders/acme'), Buffer.from(JSON.stringify(r)));

describe('fence rules: a forged or stray route record must not drop, rewrite or invent a fence', () => {
  it('"The fence is taken once and persisted with the settled route": the settled route after a drain adds its fence', () => {
    const t = drainingTable(0);
    expect(t.apply(settled(1, [fence(1, { 6: 40 })]))).toBe('applied');
    expect(t.route('orders', 'acme')?.fences).toEqual([fence(1, { 6: 40 })]);
    // every later write of the same epoch keeps it as it is
    expect(t.apply(settled(1, [fence(1, { 6: 40 })], { reason: 'rewritten' }))).toBe('applied');
  });

  it('invent: refuses a fence added without a drain into its epoch (a settled route, no draining record before)', () => {
    const t = tableWith(1);
    expect(t.apply(settled(2, [fence(2, { 6: 40 })]))).toBe('rejected');
    expect(t.lastRejection).toMatch(/adds a fence of epoch 2 without a drain into that epoch/);
    expect(t.route('orders', 'acme')).toMatchObject({ epoch: 1, partitions: [6] });
    expect(t.route('orders', 'acme')?.fences).toBeUndefined();
  });

  it('invent: refuses a fence of another epoch than the drain, and one on partitions the tenant did not drain from', () => {
    const t = drainingTable(4);
    expect(t.apply(settled(5, [fence(4, { 6: 40 })]))).toBe('rejected');
    expect(t.lastRejection).toMatch(/adds a fence of epoch 4 without a drain/);
    expect(t.apply(settled(5, [fence(5, { 6: 40, 3: 9 })]))).toBe('rejected');
    expect(t.lastRejection).toMatch(/partition\(s\) 3 the tenant did not drain from \(6\)/);
    // the draining record is still the current one: the real fence is still accepted
    expect(t.route('orders', 'acme')?.state).toBe('draining');
    expect(t.apply(settled(5, [fence(5, { 6: 40 })]))).toBe('applied');
  });

  it('invent: refuses two fences added at once (a move adds one)', () => {
    const t = drainingTable(4);
    expect(t.apply(settled(5, [fence(4, { 6: 1 }), fence(5, { 6: 40 })]))).toBe('rejected');
    expect(t.lastRejection).toMatch(/adds 2 fences at once/);
  });

  it("refuses a fence newer than the record's own epoch, even for a tenant seen for the first time", () => {
    const t = new RoutingTable();
    t.apply(pools('orders', 6, 12));
    expect(t.apply(route('orders', 'acme', { epoch: 2, fences: [fence(3, { 6: 1 })] }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/fence of epoch 3 is newer than the record's epoch 2/);
    expect(t.route('orders', 'acme')).toBeUndefined();
    expect(
      fenceRejection(undefined, route('orders', 'acme', { epoch: 3, fences: [fence(3, { 6: 1 })] })),
    ).toBe(undefined);
  });

  it('a reader that sees the tenant first takes its history as it is', () => {
    const t = new RoutingTable();
    t.apply(pools('orders', 6, 12));
    expect(t.apply(route('orders', 'acme', { epoch: 5, fences: history(2, 5) }))).toBe('applied');
    expect(t.route('orders', 'acme')?.fences?.map((f) => f.epoch)).toEqual([2, 3, 4, 5]);
  });

  it('drop: refuses a record that drops the latest fence, or one in the middle', () => {
    const t = tableWith(3, history(1, 3));
    expect(t.apply(route('orders', 'acme', { epoch: 3, fences: history(1, 2) }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/drops the fence of epoch 3/);
    expect(
      t.apply(route('orders', 'acme', { epoch: 3, fences: [fence(1, { 6: 10 }), fence(3, { 6: 30 })] })),
    ).toBe('rejected');
    expect(t.lastRejection).toMatch(/drops the fence of epoch 2/);
    expect(t.route('orders', 'acme')?.fences).toEqual(history(1, 3));
  });

  it('drop: refuses a record of the same or the next epoch without any fence history', () => {
    const t = tableWith(3, history(1, 3));
    expect(t.apply(route('orders', 'acme', { epoch: 3 }))).toBe('rejected');
    expect(t.lastRejection).toMatch(/drops the tenant's fence history/);
    expect(t.apply(route('orders', 'acme', { epoch: 4 }))).toBe('rejected');
    expect(t.apply(route('orders', 'acme', { epoch: 3, fences: [] }))).toBe('rejected');
    expect(t.route('orders', 'acme')?.fences).toEqual(history(1, 3));
  });

  it('rewrite: refuses a fence of a known epoch with other offsets, or other partitions', () => {
    const t = tableWith(2, history(1, 2));
    expect(
      t.apply(route('orders', 'acme', { epoch: 2, fences: [fence(1, { 6: 10 }), fence(2, { 6: 21 })] })),
    ).toBe('rejected');
    expect(t.lastRejection).toMatch(/rewrites the fence of epoch 2/);
    expect(
      t.apply(
        route('orders', 'acme', { epoch: 2, fences: [fence(1, { 6: 10, 7: 10 }), fence(2, { 6: 20 })] }),
      ),
    ).toBe('rejected');
    expect(t.lastRejection).toMatch(/rewrites the fence of epoch 1/);
    expect(
      t.apply(route('orders', 'acme', { epoch: 2, fences: [fence(1, { 7: 10 }), fence(2, { 6: 20 })] })),
    ).toBe('rejected');
    expect(t.route('orders', 'acme')?.fences).toEqual(history(1, 2));
  });

  it(`a full history (MAX_FENCES = ${MAX_FENCES}) drops its oldest fence when a move adds one`, () => {
    expect(MAX_FENCES).toBe(32);
    const t = drainingTable(32, history(1, 32));
    expect(t.apply(settled(33, [...history(2, 32), fence(33, { 6: 330 })]))).toBe('applied');
    expect(t.route('orders', 'acme')?.fences?.map((f) => f.epoch)).toEqual(
      Array.from({ length: 32 }, (_, i) => i + 2),
    );
  });

  // A record must not slip a fence of an OLD epoch into the history (below the oldest, or between
  // two) that no drain ever took: ordered consumers would wait on it (forever, with a huge offset).
  it('invent: refuses a fence of an older epoch that the history never had (inserted below or between)', () => {
    const t = tableWith(3, [fence(1, { 6: 10 }), fence(3, { 6: 30 })]);
    const forged = fence(2, { 6: Number.MAX_SAFE_INTEGER });
    expect(
      t.apply(
        route('orders', 'acme', { epoch: 3, fences: [fence(1, { 6: 10 }), forged, fence(3, { 6: 30 })] }),
      ),
    ).toBe('rejected');
    const below = tableWith(3, [fence(3, { 6: 30 })]);
    expect(
      below.apply(
        route('orders', 'acme', { epoch: 3, fences: [fence(1, { 6: 1e12 }), fence(3, { 6: 30 })] }),
      ),
    ).toBe('rejected');
  });

  // "Only the oldest fences may be dropped" holds for the bound (MAX_FENCES) only: a record that drops
  // fences from a shorter history would let a group that starts from earliest process an epoch-2
  // record before it passed the epoch-2 fence. The controller drops a fence only when the history is full.
  it('drop: refuses dropping the oldest fences while the history is below MAX_FENCES', () => {
    const t = tableWith(3, history(1, 3));
    expect(t.apply(route('orders', 'acme', { epoch: 3, fences: history(3, 3) }))).toBe('rejected');
    expect(t.route('orders', 'acme')?.fences).toEqual(history(1, 3));
  });
});

describe('route record schema: fences', () => {
  const base = route('orders', 'acme', { epoch: 5 });
  const withFences = (fences: unknown) => decode({ ...base, fences });
  const ok = (r: ReturnType<typeof decode>) => r.ok;

  it('round-trips a fence history', () => {
    const r = route('orders', 'acme', { epoch: 5, fences: [fence(2, { 0: 5, 6: 7 }), fence(5, { 7: 9 })] });
    const { key, value } = encodeRoutingRecord(r);
    expect(decodeRoutingRecord(Buffer.from(key), Buffer.from(value))).toEqual({ ok: true, entry: r });
  });

  it('epochs must increase (equal or decreasing epochs are malformed)', () => {
    expect(ok(withFences([fence(1, { 6: 1 }), fence(2, { 6: 2 })]))).toBe(true);
    const same = withFences([fence(2, { 6: 1 }), fence(2, { 6: 2 })]);
    expect(same.ok ? '' : same.error.message).toMatch(/epochs must increase/);
    expect(ok(withFences([fence(3, { 6: 1 }), fence(2, { 6: 2 })]))).toBe(false);
  });

  it(`at most MAX_FENCES (${MAX_FENCES}) fences`, () => {
    expect(ok(withFences(history(1, MAX_FENCES)))).toBe(true);
    expect(ok(withFences(history(1, MAX_FENCES + 1)))).toBe(false);
  });

  it.each([
    ['no partition', [{ epoch: 1, offsets: {} }]],
    ['a negative offset', [{ epoch: 1, offsets: { 6: -1 } }]],
    ['a fractional offset', [{ epoch: 1, offsets: { 6: 1.5 } }]],
    ['an offset beyond MAX_SAFE_INTEGER', [{ epoch: 1, offsets: { 6: 2 ** 53 } }]],
    ['a partition that is not a number', [{ epoch: 1, offsets: { x: 1 } }]],
    ['a partition with a leading zero', [{ epoch: 1, offsets: { '06': 1 } }]],
    ['a negative partition', [{ epoch: 1, offsets: { '-1': 1 } }]],
    ['an epoch beyond MAX_EPOCH', [{ epoch: MAX_EPOCH + 1, offsets: { 6: 1 } }]],
    ['a negative epoch', [{ epoch: -1, offsets: { 6: 1 } }]],
    ['no offsets', [{ epoch: 1 }]],
    ['a string offset', [{ epoch: 1, offsets: { 6: '1' } }]],
  ])('refuses a fence with %s', (_what, fences) => {
    const r = withFences(fences);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error.message).toMatch(/fences/);
  });

  it('refuses fences that are not a list', () => {
    expect(ok(withFences({ epoch: 1, offsets: { 6: 1 } }))).toBe(false);
  });
});
