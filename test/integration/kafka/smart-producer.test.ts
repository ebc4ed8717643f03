import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SendManyError,
  SmartProducer,
  type RecordMetadata,
} from '../../../src/adapters/kafka/smart-producer/index.js';
import { Headers } from '../../../src/domain/record-headers.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { decodeDrainAck } from '../../../src/domain/wire-records.js';
import { decodeTrafficReport } from '../../../src/domain/wire-records.js';
import { collect } from '../helpers/collect.js';
import { testKafka, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';
import { Kafka, logLevel } from 'kafkajs';

const SHARED = 4;

describe('SmartProducer against the real broker', () => {
  let t: Topology;
  const producers: SmartProducer[] = [];
  const stops: (() => Promise<void>)[] = [];

  const producer = async (
    opts: ConstructorParameters<typeof SmartProducer>[1] = {},
    onError?: (e: Error) => void,
  ) => {
    const p = new SmartProducer(
      t.kafka,
      { ...t.names, lingerMs: 2, trafficIntervalMs: 200, ...opts },
      onError ? { onError } : {},
    );
    producers.push(p);
    await p.connect();
    return p;
  };

  beforeAll(async () => {
    t = await createTopology('sp', SHARED, 4);
  });
  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect()));
    await Promise.all(stops.map((s) => s()));
    await t.close();
  });

  it('hashes an unrouted tenant over the shared pool and stamps tenant-id (no route-epoch: the default route)', async () => {
    const p = await producer();
    const md = await p.send({ topic: t.topic, tenant: 'small-1', value: 'hello' });
    expect(md.partition).toBe(partitionForKey('small-1', SHARED));
    expect(md.routeEpoch).toBe(0);
    const c = await collect(t.kafka, t.topic);
    stops.push(c.stop);
    const rec = await waitFor(() => c.seen.find((s) => s.value === 'hello'), 'the record');
    expect(rec.headers).toEqual({ [Headers.tenantId]: 'small-1' });
    expect(rec.partition).toBe(md.partition);
  });

  it('picks up a route change while running (propagation latency logged) and honours explicit partitions', async () => {
    const p = await producer();
    const written = Date.now();
    await t.writer.write(t.route('mover', { partitions: [SHARED + 1], epoch: 3 }));
    await waitFor(() => p.routes.table.route(t.topic, 'mover')?.epoch === 3, 'route applied');
    const latency = Date.now() - written;
    console.log(`[measure] route propagation to a running producer: ${latency} ms`);
    const md = await p.send({ topic: t.topic, tenant: 'mover', value: 'x' });
    expect(md).toMatchObject({ partition: SHARED + 1, routeEpoch: 3 });
    const explicit = await p.send({ topic: t.topic, tenant: 'mover', value: 'y', partition: 0 });
    expect(explicit.partition).toBe(0);
  });

  it('supports the three send modes: await, callback, fire-and-forget with an error handler', async () => {
    const errors: Error[] = [];
    const p = await producer({}, (e) => errors.push(e));
    const viaCallback = await new Promise<RecordMetadata>((resolve, reject) =>
      p.send({ topic: t.topic, tenant: 'cb', value: 'v' }, (err, md) => (err ? reject(err) : resolve(md!))),
    );
    expect(viaCallback.offset).toMatch(/^\d+$/);
    p.sendAndForget({ topic: 'no-such-topic-sp', tenant: 'x', value: 'lost' });
    await waitFor(() => errors.length === 1, 'error handler called');
    expect(errors[0]).toMatchObject({ code: ErrorCode.TopicMissing });
    expect(errors[0]?.message).toMatch(/topics create/);
    expect(p.stats().failed).toBe(1);
  });

  it('holds a draining tenant, acks the drain, then lands the held records in order on the new partition', async () => {
    const from = SHARED + 2;
    const to = SHARED + 3;
    await t.writer.write(t.route('whale', { partitions: [from], epoch: 1 }));
    const p = await producer();
    await waitFor(() => p.routes.table.route(t.topic, 'whale') !== undefined, 'route seen');
    const before = await Promise.all(
      Array.from({ length: 20 }, (_, i) => p.send({ topic: t.topic, tenant: 'whale', value: `seq-${i}` })),
    );
    expect(new Set(before.map((m) => m.partition))).toEqual(new Set([from]));

    const acks = await collect(t.kafka, t.names.acksTopic);
    stops.push(acks.stop);
    await t.writer.write(t.route('whale', { state: 'draining', from: [from], partitions: [to], epoch: 2 }));
    await waitFor(() => p.routes.table.route(t.topic, 'whale')?.state === 'draining', 'draining seen');

    let settled = 0;
    const held = Array.from({ length: 20 }, (_, i) =>
      p.send({ topic: t.topic, tenant: 'whale', value: `seq-${20 + i}` }).then((m) => {
        settled++;
        return m;
      }),
    );
    const ack = await waitFor(
      () =>
        acks.seen
          .map((s) => decodeDrainAck(Buffer.from(s.value ?? '')))
          .find((a) => a.ok && a.value.producerId === p.producerId && a.value.tenant === 'whale'),
      'drain ack from this producer',
    );
    expect(ack.ok && ack.value.epoch).toBe(2);
    expect(p.stats().held).toBe(20);
    expect(settled).toBe(0);

    await t.writer.write(t.route('whale', { partitions: [to], epoch: 2 }));
    const after = await Promise.all(held);
    expect(new Set(after.map((m) => m.partition))).toEqual(new Set([to]));
    const offsets = after.map((m) => Number(m.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));

    const c = await collect(t.kafka, t.topic);
    stops.push(c.stop);
    const whale = await waitFor(() => {
      const w = c.seen.filter((s) => s.headers[Headers.tenantId] === 'whale');
      return w.length === 40 ? w : undefined;
    }, 'all 40 whale records');
    const onTo = whale
      .filter((s) => s.partition === to)
      .sort((a, b) => a.offset - b.offset)
      .map((s) => s.value);
    expect(onTo).toEqual(Array.from({ length: 20 }, (_, i) => `seq-${20 + i}`));
    expect(whale.filter((s) => s.partition === to).every((s) => s.headers[Headers.routeEpoch] === '2')).toBe(
      true,
    );
  });

  it('skips malformed route records, counts them, and keeps applying good ones', async () => {
    const p = await producer();
    const raw = t.kafka.producer();
    await raw.connect();
    await raw.send({
      topic: t.names.routingTopic,
      messages: [
        { key: `${t.topic}/bad1`, value: '{not json' },
        { key: `${t.topic}/bad2`, value: JSON.stringify({ v: 99, kind: 'route' }) },
        {
          key: `${t.topic}/bad3`,
          value: JSON.stringify({ ...t.route('someone-else', {}), partitions: [1] }),
        },
      ],
    });
    await raw.disconnect();
    await t.writer.write(t.route('after-garbage', { partitions: [SHARED], epoch: 1 }));
    await waitFor(
      () => p.routes.table.route(t.topic, 'after-garbage') !== undefined,
      'good route after garbage',
    );
    expect(p.stats().malformedRouteRecords).toBeGreaterThanOrEqual(3);
    expect((await p.send({ topic: t.topic, tenant: 'after-garbage', value: 'ok' })).partition).toBe(SHARED);
  });

  it('publishes per-tenant traffic reports and heartbeats', async () => {
    const p = await producer({ trafficIntervalMs: 100 });
    await Promise.all(
      Array.from({ length: 30 }, () => p.send({ topic: t.topic, tenant: 'counted', value: '12345' })),
    );
    const c = await collect(t.kafka, t.names.trafficTopic);
    stops.push(c.stop);
    const total = await waitFor(() => {
      const mine = c.seen
        .map((s) => decodeTrafficReport(s.raw))
        .filter((r) => r.ok && r.value.producerId === p.producerId);
      const n = mine
        .flatMap((r) => (r.ok ? r.value.tenants : []))
        .filter((x) => x.tenant === 'counted')
        .reduce((a, x) => a + x.records, 0);
      // ... and, once the sends stopped, a heartbeat: a report that names no tenant.
      const heartbeat = mine.some((r) => r.ok && r.value.tenants.length === 0);
      return n === 30 && heartbeat ? n : undefined;
    }, '30 counted records across reports, then an empty heartbeat report');
    expect(total).toBe(30);
  });

  it('blocks, then fails clearly, when its routing view is older than the lease', async () => {
    const own = await createTopology('sp-lease', 2, 1);
    const p = new SmartProducer(own.kafka, {
      ...own.names,
      routeLeaseMs: 600,
      freshnessCheckMs: 100,
      maxBlockMs: 1500,
    });
    await p.connect();
    try {
      expect((await p.send({ topic: own.topic, tenant: 'a', value: 'fresh' })).offset).toBe('0');
      // Cut the producer off from its routing topic: its view can no longer reach the end.
      await own.admin.deleteTopics({ topics: [own.names.routingTopic] });
      await waitFor(() => p.stats().viewAgeMs > 600, 'view older than the lease');
      const started = Date.now();
      await expect(p.send({ topic: own.topic, tenant: 'a', value: 'stale' })).rejects.toMatchObject({
        code: ErrorCode.RouteLeaseExpired,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await p.disconnect();
      await own.close();
    }
  });

  it('fails clearly and within bounds when the broker is down at start', async () => {
    const dead = new Kafka({
      clientId: 'dead',
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 50 },
      connectionTimeout: 500,
    });
    const p = new SmartProducer(dead, { connectTimeoutMs: 2000 });
    const started = Date.now();
    await expect(p.connect()).rejects.toMatchObject({ code: ErrorCode.BrokerUnreachable });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('sends many records with one promise: metadata in order, and which ones failed', async () => {
    const p = await producer({ maxRequestSize: 2048 });
    const records = Array.from({ length: 60 }, (_, i) => ({
      topic: t.topic,
      tenant: `many-${i % 3}`,
      value: `m${i}`,
    }));
    const md = await p.sendMany(records);
    expect(md).toHaveLength(60);
    // Each tenant's records landed on its partition in the order given.
    for (const tenant of ['many-0', 'many-1', 'many-2']) {
      const mine = md.filter((_, i) => records[i]!.tenant === tenant);
      expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      const offsets = mine.map((m) => Number(m.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
    expect(await p.sendMany([])).toEqual([]);
    const mixed = [
      { topic: t.topic, tenant: 'many-0', value: 'ok-1' },
      { topic: t.topic, tenant: 'many-0', value: 'x'.repeat(4096) },
      { topic: t.topic, tenant: '', value: 'no tenant' },
      { topic: t.topic, tenant: 'many-0', value: 'ok-2' },
    ];
    const err = await p.sendMany(mixed).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendManyError);
    const e = err as SendManyError;
    expect(e.code).toBe(ErrorCode.RecordTooLarge);
    expect(e.failed.map((f) => [f.index, f.error.code])).toEqual([
      [1, ErrorCode.RecordTooLarge],
      [2, ErrorCode.TenantInvalid],
    ]);
    expect(e.message).toMatch(/2 of 4 record\(s\) failed; the first \(index 1\)/);
    expect(Number(e.results[3]!.offset)).toBe(Number(e.results[0]!.offset) + 1);
    const { seen, stop } = await collect(t.kafka, t.topic);
    stops.push(stop);
    await waitFor(() => seen.some((r) => r.value === 'ok-2'), 'ok-2 consumed');
    expect(seen.filter((r) => r.value === 'ok-1' || r.value === 'ok-2').map((r) => r.value)).toEqual([
      'ok-1',
      'ok-2',
    ]);
  });

  it('rejects bad input at the edge with codes: invalid options, empty tenant, oversize record', async () => {
    expect(() => new SmartProducer(testKafka(), { lingerMs: -1 })).toThrow(/lingerMs/);
    expect(() => new SmartProducer(testKafka(), { acks: 1 })).toThrow(/idempotence requires acks=-1/);
    const p = await producer({ maxRequestSize: 2048 });
    await expect(p.send({ topic: t.topic, tenant: '', value: 'x' })).rejects.toMatchObject({
      code: ErrorCode.TenantInvalid,
    });
    await expect(p.send({ topic: t.topic, tenant: 'big', value: 'x'.repeat(4096) })).rejects.toMatchObject({
      code: ErrorCode.RecordTooLarge,
    });
  });

  it('loses nothing it accepted across a route change under load (produced == consumed)', async () => {
    const p = await producer({ lingerMs: 5 });
    const tenants = Array.from({ length: 20 }, (_, i) => `load-${i}`);
    const sends: Promise<RecordMetadata>[] = [];
    let seenAt = -1;
    for (let i = 0; i < 2000; i++) {
      sends.push(p.send({ topic: t.topic, tenant: tenants[i % tenants.length]!, value: `n-${i}` }));
      if (i === 1000) {
        // Mid-stream, with 1000 records still going out: the route changes, and the producer sees it
        // (SHARED + 2 is free again: the drain test moved its whale away from it).
        await t.writer.write(t.route('load-3', { partitions: [SHARED + 2], epoch: 7 }));
        await waitFor(() => p.routes.table.route(t.topic, 'load-3') !== undefined, 'load-3 routed');
        seenAt = i;
      }
    }
    const mds = await Promise.all(sends);
    expect(mds).toHaveLength(2000);
    // load-3's records switch partition once, in send order: every record sent after the producer
    // saw the route is on the new partition, none before the switch is.
    const load3 = mds.flatMap((md, i) => (i % tenants.length === 3 ? [{ i, partition: md.partition }] : []));
    const first = load3.findIndex((r) => r.partition === SHARED + 2);
    expect(first).toBeGreaterThan(0);
    expect(load3.slice(first).every((r) => r.partition === SHARED + 2)).toBe(true);
    expect(load3.slice(0, first).every((r) => r.partition === load3[0]!.partition)).toBe(true);
    expect(load3.filter((r) => r.i > seenAt).every((r) => r.partition === SHARED + 2)).toBe(true);
    expect(load3.filter((r) => r.i > seenAt).length).toBeGreaterThan(40);
    const report = await p.disconnect();
    expect(report.failed).toEqual([]);
    const c = await collect(t.kafka, t.topic);
    stops.push(c.stop);
    const mine = await waitFor(() => {
      const got = c.seen.filter((s) => s.value?.startsWith('n-'));
      return got.length >= 2000 ? got : undefined;
    }, '2000 records consumed');
    expect(new Set(mine.map((s) => s.value)).size).toBe(2000);
  });
});
