import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Headers } from '../../../src/domain/record-headers.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import type { TopicName } from '../../../src/domain/ids.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { collect, type Seen } from '../helpers/collect.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';
import { startSteadySenders, type SteadySenders } from './steady-senders.js';

const SHARED = 2;
const DEDICATED = 1;
const seqOf = (s: Seen): number => Number(s.value!.slice(s.value!.indexOf('-') + 1));

/**
 * Issue #12 item 3: a pin that grows the topic. The controller grows the topic, then routes a tenant
 * to the new partition; kafkajs's producer metadata does not have that partition yet and kafkajs
 * silently sends nothing for it. Reproduced without the controller: grow with createPartitions,
 * then write the routes the controller would. No record may fail, and the moved tenant's records
 * must all land on the new partition, in order.
 */
describe('SmartProducer routes a tenant to a partition the topic just gained', () => {
  let t: Topology;
  const producers: SmartProducer[] = [];
  const senders: SteadySenders[] = [];
  const stops: (() => Promise<void>)[] = [];

  const producer = async () => {
    const p = new SmartProducer(t.kafka, {
      ...t.names,
      lingerMs: 2,
      trafficIntervalMs: 200,
      maxBlockMs: 20_000,
    });
    producers.push(p);
    await p.connect();
    return p;
  };

  /** What the controller does when a pin needs a partition: grow the topic, then its pool layout. */
  const grow = async (total: number) => {
    await t.admin.createPartitions({ topicPartitions: [{ topic: t.topic, count: total }] });
    await t.writer.write({
      v: 1,
      kind: 'pools',
      topic: t.topic as TopicName,
      shared: SHARED,
      total,
      updatedAt: Date.now(),
      writerEpoch: 0,
    });
  };

  /** The tenant's consumed records: none lost or doubled, each partition in send order. */
  const consumed = async (tenant: string, acked: number): Promise<Seen[]> => {
    const c = await collect(t.kafka, t.topic);
    stops.push(c.stop);
    const mine = await waitFor(() => {
      const got = c.seen.filter((s) => s.headers[Headers.tenantId] === tenant);
      return got.length >= acked ? got : undefined;
    }, `${acked} ${tenant} records consumed`);
    expect(new Set(mine.map(seqOf)).size).toBe(mine.length);
    for (const part of new Set(mine.map((s) => s.partition))) {
      const seqs = mine
        .filter((s) => s.partition === part)
        .sort((a, b) => a.offset - b.offset)
        .map(seqOf);
      expect(seqs, `${tenant} on partition ${part} in order`).toEqual([...seqs].sort((a, b) => a - b));
    }
    return mine;
  };

  beforeAll(async () => {
    t = await createTopology('grow', SHARED, DEDICATED);
  });
  afterAll(async () => {
    await Promise.all(senders.map((s) => s.stop()));
    await Promise.all(producers.map((p) => p.disconnect()));
    await Promise.all(stops.map((s) => s()));
    await t.close();
  });

  it("pin a (dedicated partition), then pin b through a drain onto a new partition: b's held records all land there, none fails", async () => {
    const p = await producer();
    const s = startSteadySenders(p, t.topic, ['a', 'b', 'c']);
    senders.push(s);
    await waitFor(() => (s.acked.get('b')!.length >= 20 ? true : undefined), 'b flowing');

    await t.writer.write(t.route('a', { partitions: [SHARED], epoch: 1 }));
    await waitFor(() => p.routes.table.route(t.topic, 'a')?.epoch === 1, 'a pinned');

    const newPartition = SHARED + DEDICATED;
    await grow(newPartition + 1);
    const hash = partitionForKey('b', SHARED);
    await t.writer.write(
      t.route('b', { state: 'draining', from: [hash], partitions: [newPartition], epoch: 1 }),
    );
    await waitFor(() => (p.stats().held > 0 ? true : undefined), "b's records held by the drain");
    await t.writer.write(t.route('b', { partitions: [newPartition], epoch: 1 }));
    const settledAt = s.sent.get('b')!;

    await waitFor(
      () => (s.acked.get('b')!.filter((m) => m.seq > settledAt).length >= 50 ? true : undefined),
      'b acknowledged on its new partition',
    );
    await s.stop();

    expect(s.allFailed().map((f) => `${f.tenant}-${f.seq}: ${f.error.message}`)).toEqual([]);
    expect(p.stats().failed).toBe(0);
    const b = [...s.acked.get('b')!].sort((x, y) => x.seq - y.seq);
    expect(b).toHaveLength(s.sent.get('b')!);
    // Once the drain began everything of b went to the new partition (the held ones included), after the rest.
    const firstMoved = b.findIndex((m) => m.partition === newPartition);
    expect(firstMoved).toBeGreaterThan(0);
    expect(b.slice(firstMoved).every((m) => m.partition === newPartition && m.routeEpoch === 1)).toBe(true);

    const mine = await consumed('b', b.length);
    const moved = mine.filter((r) => r.partition === newPartition).map(seqOf);
    const stayed = mine.filter((r) => r.partition === hash).map(seqOf);
    expect(moved.length + stayed.length).toBe(b.length);
    expect(Math.max(...stayed)).toBeLessThan(Math.min(...moved));
  });

  it('a settled dedicated route straight to a new partition: no record fails, and none is resent', async () => {
    const p = await producer();
    const s = startSteadySenders(p, t.topic, ['d', 'e']);
    senders.push(s);
    await waitFor(() => (s.acked.get('d')!.length >= 20 ? true : undefined), 'd flowing');
    const before = p.stats().resentRecords;

    const newPartition = (await t.admin.fetchTopicMetadata({ topics: [t.topic] })).topics[0]!.partitions
      .length;
    await grow(newPartition + 1);
    await t.writer.write(t.route('d', { partitions: [newPartition], epoch: 1 }));
    await waitFor(() => p.routes.table.route(t.topic, 'd')?.epoch === 1, 'd pinned');
    const pinnedAt = s.sent.get('d')!;

    await waitFor(
      () => (s.acked.get('d')!.filter((m) => m.seq > pinnedAt).length >= 50 ? true : undefined),
      'd acknowledged on its new partition',
    );
    await s.stop();

    expect(s.allFailed().map((f) => `${f.tenant}-${f.seq}: ${f.error.message}`)).toEqual([]);
    expect(p.stats().resentRecords - before, 'no batch left a partition unanswered').toBe(0);
    const d = [...s.acked.get('d')!].sort((x, y) => x.seq - y.seq);
    expect(d).toHaveLength(s.sent.get('d')!);
    const firstMoved = d.findIndex((m) => m.partition === newPartition);
    expect(firstMoved).toBeGreaterThan(0);
    expect(d.slice(firstMoved).every((m) => m.partition === newPartition)).toBe(true);
    const offsets = d.slice(firstMoved).map((m) => Number(m.offset));
    expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    await consumed('d', d.length);
  });
});
