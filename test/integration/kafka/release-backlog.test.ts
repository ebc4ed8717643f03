import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Headers } from '../../../src/domain/record-headers.js';
import { SmartProducer, type RecordMetadata } from '../../../src/adapters/kafka/smart-producer/index.js';
import { collect, type Seen } from '../helpers/collect.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;
const seqOf = (s: Seen): number => Number(s.value!.slice(s.value!.indexOf('-') + 1));

/**
 * A drain that settles releases the tenant's held records a chunk per send cycle
 * (releaseChunkBytes), so other tenants' records go out between the chunks instead of behind the
 * whole backlog, and the tenant's order holds, also when a new drain starts mid-release.
 */
describe('SmartProducer releases a drained backlog a chunk at a time', () => {
  let t: Topology;
  const producers: SmartProducer[] = [];
  const stops: (() => Promise<void>)[] = [];

  const producer = async (releaseChunkBytes: number) => {
    const p = new SmartProducer(t.kafka, {
      ...t.names,
      lingerMs: 2,
      trafficIntervalMs: 200,
      releaseChunkBytes,
    });
    producers.push(p);
    await p.connect();
    return p;
  };

  /** Routes `tenant` to `from`, turns it draining towards `to`, and sends `n` records that are held. */
  const holdBacklog = async (p: SmartProducer, tenant: string, from: number, to: number, n: number) => {
    await t.writer.write(t.route(tenant, { partitions: [from], epoch: 1 }));
    await t.writer.write(t.route(tenant, { state: 'draining', from: [from], partitions: [to], epoch: 2 }));
    await waitFor(() => p.routes.table.route(t.topic, tenant)?.state === 'draining', `${tenant} draining`);
    const done: number[] = [];
    const sends = Array.from({ length: n }, (_, i) =>
      p.send({ topic: t.topic, tenant, value: `${tenant}-${i}` }).then((m) => {
        done.push(i);
        return m;
      }),
    );
    await waitFor(() => p.stats().held === n || undefined, `${n} ${tenant} records held`);
    return { sends, done };
  };

  /** The tenant's records as consumed, checked: each partition in sequence order, none lost or doubled. */
  const consumedInOrder = async (tenant: string, n: number): Promise<Seen[]> => {
    const c = await collect(t.kafka, t.topic);
    stops.push(c.stop);
    const mine = await waitFor(() => {
      const got = c.seen.filter((s) => s.headers[Headers.tenantId] === tenant);
      return got.length >= n ? got : undefined;
    }, `${n} ${tenant} records consumed`);
    expect(mine).toHaveLength(n);
    expect(new Set(mine.map(seqOf)).size).toBe(n);
    for (const part of new Set(mine.map((s) => s.partition))) {
      const seqs = mine
        .filter((s) => s.partition === part)
        .sort((a, b) => a.offset - b.offset)
        .map(seqOf);
      expect(seqs, `partition ${part} in order`).toEqual([...seqs].sort((a, b) => a - b));
    }
    return mine;
  };

  beforeAll(async () => {
    t = await createTopology('release', SHARED, 4);
  });
  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect()));
    await Promise.all(stops.map((s) => s()));
    await t.close();
  });

  it("lets another tenant's record through before the backlog's last record, and keeps the backlog's order", async () => {
    const p = await producer(2048);
    const n = 3000;
    const { sends, done } = await holdBacklog(p, 'bulk', SHARED, SHARED + 1, n);

    await t.writer.write(t.route('bulk', { partitions: [SHARED + 1], epoch: 2 }));
    await waitFor(() => p.routes.table.route(t.topic, 'bulk')?.state === 'dedicated', 'bulk settled');
    expect(p.stats().releasing, 'most of the backlog still waits for its turn').toBeGreaterThan(n / 2);
    // Sent after the settle: one record of another tenant, one more of the drained tenant.
    const small = p.send({ topic: t.topic, tenant: 'small', value: 'small-0' });
    const doneWhenSmallAcked = small.then(() => done.length);
    const later = p.send({ topic: t.topic, tenant: 'bulk', value: `bulk-${n}` });

    const heldBeforeSmall = await doneWhenSmallAcked;
    expect(heldBeforeSmall, 'small was acknowledged while part of the backlog still waited').toBeLessThan(n);
    const mds: RecordMetadata[] = await Promise.all([...sends, later]);
    // The record sent after the settle lands behind the whole backlog, on the new partition.
    expect(new Set(mds.map((m) => m.partition))).toEqual(new Set([SHARED + 1]));
    const offsets = mds.map((m) => Number(m.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(p.stats().releasing).toBe(0);

    const mine = await consumedInOrder('bulk', n + 1);
    expect(mine.every((s) => s.partition === SHARED + 1)).toBe(true);
  });

  it('holds the rest of a backlog when a new drain begins mid-release, and lands it after the rest, in order', async () => {
    // One record per send cycle: the release takes hundreds of round trips, so the new drain lands mid-release.
    const p = await producer(1);
    const n = 400;
    const [first, second] = [SHARED + 2, SHARED + 3];
    const { sends } = await holdBacklog(p, 'bulk2', SHARED, first, n);

    await t.writer.write(t.route('bulk2', { partitions: [first], epoch: 2 }));
    await waitFor(() => p.stats().releasing > 0 || undefined, 'backlog releasing');
    await t.writer.write(
      t.route('bulk2', { state: 'draining', from: [first], partitions: [second], epoch: 3 }),
    );
    // The part not yet admitted is held again by the new drain.
    const heldAgain = await waitFor(() => p.stats().held || undefined, 'rest of the backlog held again');
    expect(heldAgain).toBeGreaterThan(0);
    expect(heldAgain).toBeLessThan(n);
    expect(p.stats().releasing).toBe(0);

    await t.writer.write(t.route('bulk2', { partitions: [second], epoch: 3 }));
    const mds = await Promise.all(sends);
    expect(mds.filter((m) => m.partition === second)).toHaveLength(heldAgain);

    const mine = await consumedInOrder('bulk2', n);
    // Everything on the first partition precedes everything on the second: the order across the move.
    const onFirst = mine.filter((s) => s.partition === first).map(seqOf);
    const onSecond = mine.filter((s) => s.partition === second).map(seqOf);
    expect(onFirst.length + onSecond.length).toBe(n);
    expect(Math.max(...onFirst)).toBeLessThan(Math.min(...onSecond));
  });
});
