import { describe, expect, it } from 'vitest';
import { gateVerdict, recordEpochOf } from '../../../src/domain/fence-gate.js';
import type { Fence } from '../../../src/domain/route-record.js';
import { route } from './fixtures.js';

const fence = (epoch: number, offsets: Record<string, number>): Fence => ({ epoch, offsets });
/** the group's commits: partition -> committed offset (next-offset sense); absent = no commit yet */
const commits =
  (byP: Record<number, number>) =>
  (p: number): number | undefined =>
    byP[p];

/** acme moved 2 -> 6 at epoch 1 (fence 2@100) and 6 -> 7 at epoch 2 (fence 6@50): settled on 7 */
const moved = route('orders', 'acme', {
  partitions: [7],
  epoch: 2,
  fences: [fence(1, { 2: 100 }), fence(2, { 6: 50 })],
});

describe('gateVerdict (an ordered consumer processes a moved tenant only past its fences)', () => {
  it('"Past the fence means committed offset >= fence, in Kafka\'s next-offset sense"', () => {
    const r = route('orders', 'acme', { partitions: [6], epoch: 1, fences: [fence(1, { 2: 100 })] });
    // committed 99: the record at offset 99 (the last one before the fence) is not processed yet
    expect(gateVerdict(r, 1, 6, commits({ 2: 99 }))).toEqual({
      kind: 'wait',
      reason: 'fence',
      waits: [{ epoch: 1, partition: 2, fence: 100, committed: 99 }],
    });
    expect(gateVerdict(r, 1, 6, commits({ 2: 100 }))).toEqual({ kind: 'pass' });
    expect(gateVerdict(r, 1, 6, commits({ 2: 101 }))).toEqual({ kind: 'pass' });
  });

  it('a group with no commit on a fenced partition has not passed it', () => {
    const r = route('orders', 'acme', { partitions: [6], epoch: 1, fences: [fence(1, { 2: 100 })] });
    expect(gateVerdict(r, 1, 6, commits({}))).toEqual({
      kind: 'wait',
      reason: 'fence',
      waits: [{ epoch: 1, partition: 2, fence: 100, committed: undefined }],
    });
  });

  it('a fence on several partitions waits for each one not yet passed', () => {
    const r = route('orders', 'acme', {
      partitions: [9],
      epoch: 1,
      fences: [fence(1, { 6: 10, 7: 20, 8: 30 })],
    });
    const v = gateVerdict(r, 1, 9, commits({ 6: 10, 7: 19, 8: 0 }));
    expect(v).toEqual({
      kind: 'wait',
      reason: 'fence',
      waits: [
        { epoch: 1, partition: 7, fence: 20, committed: 19 },
        { epoch: 1, partition: 8, fence: 30, committed: 0 },
      ],
    });
  });

  it('"A missing fence means wait, never no gate": the route is unknown (record epoch > 0)', () => {
    expect(gateVerdict(undefined, 1, 7, commits({}))).toEqual({
      kind: 'wait',
      reason: 'route-behind',
      routeEpoch: undefined,
    });
    // epoch 0: the tenant never moved, no fence can exist
    expect(gateVerdict(undefined, 0, 7, commits({}))).toEqual({ kind: 'pass' });
  });

  it('"A missing fence means wait": the route view is behind the record\'s epoch', () => {
    // the consumer still sees epoch 2; the record was written at epoch 3 (its fence is not read yet)
    expect(gateVerdict(moved, 3, 8, commits({ 2: 1000, 6: 1000, 7: 1000 }))).toEqual({
      kind: 'wait',
      reason: 'route-behind',
      routeEpoch: 2,
    });
  });

  it('"A missing fence means wait": the move into the record\'s epoch is still draining (no fence yet)', () => {
    const draining = route('orders', 'acme', {
      state: 'draining',
      partitions: [8],
      from: [7],
      epoch: 3,
      fences: moved.fences!,
    });
    expect(gateVerdict(draining, 3, 8, commits({ 2: 1000, 6: 1000, 7: 1000 }))).toEqual({
      kind: 'wait',
      reason: 'route-behind',
      routeEpoch: 3,
    });
    // an older record of the tenant still goes by the fences it has (both passed here)
    expect(gateVerdict(draining, 2, 7, commits({ 2: 1000, 6: 1000 }))).toEqual({ kind: 'pass' });
  });

  it('"A consumer checks every earlier fence of the tenant that its group has not passed, not only the latest"', () => {
    // a group that starts from earliest: it passed the latest fence's partition (6) but not the first (2)
    expect(gateVerdict(moved, 2, 7, commits({ 2: 40, 6: 50 }))).toEqual({
      kind: 'wait',
      reason: 'fence',
      waits: [{ epoch: 1, partition: 2, fence: 100, committed: 40 }],
    });
    // neither passed: both count
    expect(gateVerdict(moved, 2, 7, commits({ 2: 40, 6: 3 }))).toEqual({
      kind: 'wait',
      reason: 'fence',
      waits: [
        { epoch: 1, partition: 2, fence: 100, committed: 40 },
        { epoch: 2, partition: 6, fence: 50, committed: 3 },
      ],
    });
    expect(gateVerdict(moved, 2, 7, commits({ 2: 100, 6: 50 }))).toEqual({ kind: 'pass' });
  });

  it("a record waits only for fences of epochs <= its own (a later move's fence is not its concern)", () => {
    // an epoch-1 record (on 6) waits for fence 1 only, not for the epoch-2 fence on 6
    expect(gateVerdict(moved, 1, 6, commits({ 2: 100, 6: 0 }))).toEqual({ kind: 'pass' });
    expect(gateVerdict(moved, 1, 6, commits({ 2: 99, 6: 0 }))).toMatchObject({
      kind: 'wait',
      waits: [{ epoch: 1, partition: 2 }],
    });
    // an epoch-0 record has no fence to wait for
    expect(gateVerdict(moved, 0, 2, commits({}))).toEqual({ kind: 'pass' });
  });

  it("the record's own partition never waits on itself", () => {
    // a reshard whose old and new partitions overlap: 6 -> 6,7 fences 6@50
    const r = route('orders', 'acme', {
      state: 'sharded',
      partitions: [6, 7],
      epoch: 1,
      fences: [fence(1, { 6: 50 })],
    });
    expect(gateVerdict(r, 1, 6, commits({ 6: 10 }))).toEqual({ kind: 'pass' });
    expect(gateVerdict(r, 1, 7, commits({ 6: 10 }))).toEqual({
      kind: 'wait',
      reason: 'fence',
      waits: [{ epoch: 1, partition: 6, fence: 50, committed: 10 }],
    });
  });

  it('relaxed tenants and records without an epoch never wait', () => {
    const relaxed = { ...moved, ordering: 'relaxed' as const };
    expect(gateVerdict(relaxed, 2, 7, commits({}))).toEqual({ kind: 'pass' });
    expect(gateVerdict({ ...relaxed, epoch: 1 }, 2, 7, commits({}))).toEqual({ kind: 'pass' });
    expect(gateVerdict(moved, undefined, 7, commits({}))).toEqual({ kind: 'pass' });
    expect(gateVerdict(undefined, undefined, 7, commits({}))).toEqual({ kind: 'pass' });
  });
});

describe('recordEpochOf (the route-epoch header)', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['2147483647', 2147483647],
  ])('reads %s', (h, e) => expect(recordEpochOf(h)).toBe(e));

  it.each([undefined, '', '-1', '1.5', ' 1', '1 ', '0x10', '1e3', 'abc', '12345678901'])(
    'reads %s as no epoch',
    (h) => expect(recordEpochOf(h)).toBeUndefined(),
  );
});
