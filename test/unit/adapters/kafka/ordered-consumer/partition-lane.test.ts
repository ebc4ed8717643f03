import { describe, expect, it } from 'vitest';
import {
  PartitionLane,
  type LaneRecord,
} from '../../../../../src/adapters/kafka/ordered-consumer/partition-lane.js';
import type { GateVerdict } from '../../../../../src/domain/fence-gate.js';

const PASS: GateVerdict = { kind: 'pass' };
const WAIT: GateVerdict = {
  kind: 'wait',
  reason: 'fence',
  waits: [{ epoch: 1, partition: 2, fence: 100, committed: 0 }],
};
const rec = (offset: number, tenant: string | undefined, epoch?: number): LaneRecord<string> => ({
  offset,
  tenant,
  epoch,
  message: `${tenant ?? '-'}@${offset}`,
});

/** A lane on orders-0 (shared) keeping at most `maxAside` records aside, on a clock the test moves. */
function lane(maxAside = 10) {
  let now = 1000;
  const l = new PartitionLane<string>('orders', 0, maxAside, () => now);
  return { l, tick: (ms: number) => void (now += ms) };
}

describe('PartitionLane (one partition of an ordered consumer)', () => {
  it('processes records that pass, and commits after the last one (next-offset sense)', () => {
    const { l } = lane();
    expect(l.commitOffset()).toBeUndefined();
    expect(l.place(rec(10, 'a', 0), PASS, false)).toBe('process');
    expect(l.place(rec(11, 'b', 0), PASS, false)).toBe('process');
    expect(l.commitOffset()).toBe(12);
    expect(l.holds()).toEqual([]);
  });

  it('"With records kept aside, a partition\'s commit is the lower of the processed position and the first held offset"', () => {
    const { l } = lane();
    l.place(rec(10, 'a'), PASS, false);
    expect(l.place(rec(11, 'moved', 1), WAIT, false)).toBe('aside');
    // other tenants flow on; the commit stays at the held record (a crash re-delivers it)
    expect(l.place(rec(12, 'b'), PASS, false)).toBe('process');
    expect(l.place(rec(13, 'c'), PASS, false)).toBe('process');
    expect(l.commitOffset()).toBe(11);
    expect(l.heldRecords).toBe(1);
    // once the held record is processed, the commit moves to the processed position
    expect(l.peek('moved')?.offset).toBe(11);
    l.shift('moved');
    expect(l.commitOffset()).toBe(14);
    expect(l.heldTenants()).toEqual([]);
  });

  it('"A member that holds a record still commits what it has processed, up to the first held record"', () => {
    const { l } = lane();
    l.place(rec(20, 'a'), PASS, false);
    l.place(rec(21, 'a'), PASS, false);
    l.place(rec(22, 'x', 1), WAIT, false);
    l.place(rec(23, 'y', 1), WAIT, false);
    l.place(rec(24, 'a'), PASS, false);
    // 20 and 21 are committed; 22 (the first held) is not
    expect(l.commitOffset()).toBe(22);
    // releasing the later-held tenant first does not move the commit past the earlier held one
    l.shift('y');
    expect(l.commitOffset()).toBe(22);
    l.shift('x');
    expect(l.commitOffset()).toBe(25);
  });

  it('"Once a tenant has a record aside on a partition, all its later records there go aside too", even when they pass', () => {
    const { l } = lane();
    expect(l.place(rec(30, 'moved', 1), WAIT, false)).toBe('aside');
    // an epoch-0 record would pass on its own; behind an aside record of its tenant it must not
    expect(l.place(rec(31, 'moved', 1), PASS, false)).toBe('aside');
    expect(l.place(rec(32, 'other', 0), PASS, false)).toBe('process');
    expect(l.place(rec(33, 'moved', 1), PASS, false)).toBe('aside');
    expect(l.heldRecords).toBe(3);
    // released in log order, one at a time
    expect(l.peek('moved')?.message).toBe('moved@30');
    l.shift('moved');
    expect(l.peek('moved')?.message).toBe('moved@31');
    expect(l.commitOffset()).toBe(31);
    l.shift('moved');
    l.shift('moved');
    expect(l.peek('moved')).toBeUndefined();
    expect(l.heldRecords).toBe(0);
    expect(l.commitOffset()).toBe(34);
  });

  it('bounds the records aside: past maxAside the partition pauses at the record (seek back), and the commit stays below it', () => {
    const { l } = lane(2);
    l.place(rec(40, 'x', 1), WAIT, false);
    l.place(rec(41, 'x', 1), WAIT, false);
    expect(l.heldRecords).toBe(2);
    // a third held record: pause, not aside
    expect(l.place(rec(42, 'y', 1), WAIT, false)).toBe('pause');
    expect(l.pausedAt?.offset).toBe(42);
    // and a passing record of a tenant with records aside pauses too
    expect(l.place(rec(42, 'x', 1), PASS, false)).toBe('pause');
    expect(l.heldRecords).toBe(2);
    expect(l.commitOffset()).toBe(40);
    // a passing record of a tenant with nothing aside still flows (it does not grow the aside)
    const { l: l2 } = lane(1);
    l2.place(rec(1, 'x', 1), WAIT, false);
    expect(l2.place(rec(2, 'z'), PASS, false)).toBe('process');
  });

  it("pauses at once on the tenant's dedicated partition (nothing else flows there)", () => {
    const { l, tick } = lane();
    l.place(rec(50, 'moved', 0), PASS, true);
    expect(l.place(rec(51, 'moved', 1), WAIT, true)).toBe('pause');
    expect(l.heldRecords).toBe(0);
    expect(l.commitOffset()).toBe(51);
    expect(l.holds()).toEqual([{ tenant: 'moved', records: 0, since: 1000, epoch: 1 }]);
    // fetched again while still paused: the hold keeps its start time
    tick(500);
    expect(l.place(rec(51, 'moved', 1), WAIT, true)).toBe('pause');
    expect(l.holds()).toEqual([{ tenant: 'moved', records: 0, since: 1000, epoch: 1 }]);
    // it passes now: processed, the pause is over
    expect(l.place(rec(51, 'moved', 1), PASS, true)).toBe('process');
    expect(l.pausedAt).toBeUndefined();
    expect(l.holds()).toEqual([]);
    expect(l.commitOffset()).toBe(52);
  });

  it('"Commit only what was processed": a failed record rewinds the position, never forward', () => {
    const { l } = lane();
    l.place(rec(60, 'a'), PASS, false);
    l.place(rec(61, 'b'), PASS, false);
    l.place(rec(62, 'c'), PASS, false);
    // the application failed on 61: the commit goes back to it (it is fetched again)
    l.rewind(61);
    expect(l.commitOffset()).toBe(61);
    // a later rewind cannot move the position forward
    l.rewind(62);
    expect(l.commitOffset()).toBe(61);
    l.rewind(60);
    expect(l.commitOffset()).toBe(60);
  });

  it('holds() lists each tenant aside with its count, start time and first epoch', () => {
    const { l, tick } = lane();
    l.place(rec(70, 'x', 3), WAIT, false);
    tick(250);
    l.place(rec(71, 'y', 4), WAIT, false);
    l.place(rec(72, 'x', 5), PASS, false);
    expect(l.holds()).toEqual([
      { tenant: 'x', records: 2, since: 1000, epoch: 3 },
      { tenant: 'y', records: 1, since: 1250, epoch: 4 },
    ]);
    expect(l.heldTenants()).toEqual(['x', 'y']);
    l.shift('nobody'); // a no-op
    expect(l.heldRecords).toBe(3);
  });

  it('exclusive runs one task at a time, in call order, and a failed task does not block the next', async () => {
    const { l } = lane();
    const order: string[] = [];
    let release!: () => void;
    const first = l.exclusive(async () => {
      await new Promise<void>((r) => (release = r));
      order.push('first');
    });
    const failing = l.exclusive(async () => {
      order.push('failing');
      throw new Error('boom');
    });
    const third = l.exclusive(async () => {
      order.push('third');
      return 3;
    });
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    release();
    await first;
    await expect(failing).rejects.toThrow('boom');
    expect(await third).toBe(3);
    expect(order).toEqual(['first', 'failing', 'third']);
  });
});
