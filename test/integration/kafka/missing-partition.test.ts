import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { ErrorCode, type TenantBalancerError } from '../../../src/domain/errors.js';
import type { TopicName } from '../../../src/domain/ids.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';
import { startSteadySenders, type SteadySenders } from './steady-senders.js';

const SHARED = 2;
const DEDICATED = 2;
const REAL = SHARED + DEDICATED;
const OTHERS = ['t1', 't2', 't3', 't4', 't5'];

/** Rejects when `work` has not settled within `ms` (so a hang fails the test instead of stalling it). */
const within = async <T>(ms: number, what: string, work: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Issue #12 item 4: a route to a partition the topic does not have (the tester used [999]) stopped
 * every tenant's sends, applied no max.block.ms and kept disconnect() from returning. Such a route
 * must fail that tenant's records with KTB_ROUTE_PARTITION_MISSING after a bounded wait while every
 * other tenant keeps flowing. The pool layout is widened first (as if the controller were about to
 * grow the topic), so the route is valid under any pool-layout rule of the routing reader and only
 * the producer's view of the topic can catch it.
 */
describe('SmartProducer with a route to a partition the topic does not have', () => {
  let t: Topology;
  const producers: SmartProducer[] = [];
  const senders: SteadySenders[] = [];

  const producer = async (maxBlockMs: number) => {
    const p = new SmartProducer(t.kafka, { ...t.names, lingerMs: 2, trafficIntervalMs: 200, maxBlockMs });
    producers.push(p);
    await p.connect();
    return p;
  };

  const ackedAfter = (s: SteadySenders, tenant: string, seq: number): number =>
    s.acked.get(tenant)!.filter((m) => m.seq >= seq).length;

  beforeAll(async () => {
    t = await createTopology('missing', SHARED, DEDICATED);
    await t.writer.write({
      v: 1,
      kind: 'pools',
      topic: t.topic as TopicName,
      shared: SHARED,
      total: REAL + 4,
      updatedAt: Date.now(),
      writerEpoch: 0,
    });
  });
  afterAll(async () => {
    await within(20_000, 'senders stop', Promise.all(senders.map((s) => s.stop()))).catch(() => undefined);
    await within(20_000, 'disconnect', Promise.all(producers.map((p) => p.disconnect()))).catch(
      () => undefined,
    );
    await t.close();
  });

  it("fails only that tenant's records, with the code, within max.block.ms; the other five keep flowing", async () => {
    const maxBlockMs = 4000;
    const p = await producer(maxBlockMs);
    const s = startSteadySenders(p, t.topic, [...OTHERS, 'f'], 10);
    senders.push(s);
    await waitFor(() => (ackedAfter(s, 'f', 0) >= 20 ? true : undefined), 'all six flowing');

    await t.writer.write(t.route('f', { partitions: [REAL], epoch: 1 }));
    await waitFor(() => p.routes.table.route(t.topic, 'f')?.epoch === 1, 'f routed to the missing partition');
    const routedAt = new Map(OTHERS.map((o) => [o, s.sent.get(o)!]));
    const fRoutedAt = s.sent.get('f')!;

    // The others are acknowledged while f's first records still wait (well within max.block.ms).
    await waitFor(
      () => (OTHERS.every((o) => ackedAfter(s, o, routedAt.get(o)!) >= 50) ? true : undefined),
      'the other five acknowledged after the bad route',
      maxBlockMs - 1000,
    );

    const first = await waitFor(
      () => s.failed.get('f')!.find((x) => x.seq >= fRoutedAt),
      "f's first record rejected",
      maxBlockMs + 5000,
    );
    const err: TenantBalancerError = first.error;
    expect(err.code).toBe(ErrorCode.RoutePartitionMissing);
    expect(err.message).toContain(`"${t.topic}"`);
    expect(err.message).toContain('"f"');
    expect(err.message).toContain(`partition ${REAL}`);
    expect(err.message).toContain(`${REAL} partition(s)`);
    expect(first.afterMs).toBeLessThan(maxBlockMs + 3000);

    // Later records of f fail fast: the partition is known to be missing, they do not each wait.
    const confirmedAt = s.sent.get('f')!;
    await waitFor(
      () => (s.failed.get('f')!.filter((x) => x.seq > confirmedAt).length >= 20 ? true : undefined),
      'later f records rejected',
    );
    const later = s.failed.get('f')!.filter((x) => x.seq > confirmedAt);
    expect(later.every((x) => x.error.code === ErrorCode.RoutePartitionMissing)).toBe(true);
    expect(Math.max(...later.map((x) => x.afterMs))).toBeLessThan(maxBlockMs / 2);

    // And the others still flow.
    const now = new Map(OTHERS.map((o) => [o, s.sent.get(o)!]));
    await waitFor(
      () => (OTHERS.every((o) => ackedAfter(s, o, now.get(o)!) >= 20) ? true : undefined),
      'the other five still acknowledged',
    );
    await within(10_000, 'stopping the senders', s.stop());
    expect(s.acked.get('f')!.filter((m) => m.seq >= fRoutedAt)).toEqual([]);
    for (const o of OTHERS) expect(s.failed.get(o), `${o} lost nothing`).toEqual([]);
  });

  it("disconnect() returns promptly while a tenant's records wait for a missing partition, and fails them with the code", async () => {
    const p = await producer(60_000);
    await t.writer.write(t.route('g', { partitions: [REAL + 1], epoch: 1 }));
    await waitFor(() => p.routes.table.route(t.topic, 'g')?.epoch === 1, 'g routed to a missing partition');
    const g = Array.from({ length: 5 }, (_, i) =>
      p.send({ topic: t.topic, tenant: 'g', value: `g-${i}` }).then(
        () => undefined,
        (e: TenantBalancerError) => e,
      ),
    );
    const other = await within(
      10_000,
      'another tenant',
      p.send({ topic: t.topic, tenant: 't1', value: 'x' }),
    );
    expect(other.partition).toBeLessThan(REAL);
    await waitFor(() => (p.stats().awaitingPartition === 5 ? true : undefined), "g's records waiting");

    const started = Date.now();
    const report = await within(10_000, 'disconnect', p.disconnect());
    expect(Date.now() - started).toBeLessThan(5000);
    const errors = await Promise.all(g);
    expect(errors.map((e) => e?.code)).toEqual(Array(5).fill(ErrorCode.RoutePartitionMissing));
    expect(report.sent).toBe(1);
  });
});
