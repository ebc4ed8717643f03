import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { CheckingConsumer } from '../../../src/demo/checking-consumer.js';
import { TenantLoad } from '../../../src/demo/tenant-load.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { brokers, uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 3;
const SMALL = ['s-0', 's-1', 's-2', 's-3', 's-4', 's-5'];

describe('controller service on the real broker: isolate, shard, release, in order', () => {
  let t: Topology;
  let svc: RunningController;
  let producer: SmartProducer;
  let consumer: CheckingConsumer;
  let load: TenantLoad;
  const groupId = uniqueName('ctl-consumers');

  beforeAll(async () => {
    t = await createTopology('ctl', SHARED, 3);
    const config = parseControllerConfig({
      brokers: brokers(),
      topics: [t.topic],
      ...t.names,
      groups: [groupId],
      tickMs: 250,
      windowMs: 1000,
      routeLeaseMs: 3000,
      http: { port: 0, host: '127.0.0.1' },
      thresholds: {
        isolateRate: 300,
        isolateShare: 0.3,
        hotWindows: 2,
        releaseRate: 40,
        coldWindows: 4,
        partitionCapacity: 1000,
        headroom: 0.8,
        cooldownMs: 0,
        reshardWindows: 2,
        drainTimeoutMs: 30_000,
        actorFloorRate: 5,
      },
    });
    svc = await startControllerService(config, {
      logger: silentLogger(),
      // Telemetry that fails must never stop a migration: every hook here throws.
      telemetry: {
        transition: () => {
          throw new Error('telemetry down');
        },
        migrationStep: () => {
          throw new Error('telemetry down');
        },
        inMigration: () => {
          throw new Error('telemetry down');
        },
      },
    });
    consumer = new CheckingConsumer(t.kafka, {
      topic: t.topic,
      groupId,
      costMicros: 1000,
      concurrency: 2,
      members: 6,
    });
    await consumer.start();
    producer = new SmartProducer(t.kafka, {
      ...t.names,
      lingerMs: 5,
      trafficIntervalMs: 250,
      routeLeaseMs: 3000,
    });
    await producer.connect();
    load = new TenantLoad(producer, t.topic);
    for (const s of SMALL) load.set(s, { rate: 20 });
    load.set('whale', { rate: 0, shardKeys: ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'] });
    load.start();
  });

  afterAll(async () => {
    await load?.stop();
    await producer?.disconnect();
    await consumer?.stop();
    await svc?.stop();
    await t?.close();
  });

  const route = () => svc.reader.table.route(t.topic, 'whale');

  it('isolates a hot whale to a dedicated partition; its neighbours do not move', async () => {
    load.set('whale', { rate: 600, shardKeys: ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'] });
    const r = await waitFor(
      () => (route()?.state === 'dedicated' ? route() : undefined),
      'whale dedicated',
      30_000,
      100,
    );
    expect(r.partitions).toHaveLength(1);
    expect(r.partitions[0]).toBeGreaterThanOrEqual(SHARED);
    for (const s of SMALL) expect(svc.reader.table.route(t.topic, s)?.partitions ?? []).toEqual([]);
    const res = await fetch(`${svc.url}/tenants`);
    const body = (await res.json()) as {
      tenants: { tenant: string; state: string; decision: { reason: string } | null }[];
    };
    expect(body.tenants.find((x) => x.tenant === 'whale')).toMatchObject({ state: 'dedicated' });
  });

  it('shards the whale over k >= 2 partitions when it outgrows one partition', async () => {
    load.set('whale', { rate: 1800, shardKeys: ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'] });
    const r = await waitFor(
      () => (route()?.state === 'sharded' ? route() : undefined),
      'whale sharded',
      40_000,
      100,
    );
    expect(r.partitions.length).toBeGreaterThanOrEqual(2);
    expect(r.partitions.every((p) => p >= SHARED)).toBe(true);
  });

  it('releases the whale back to shared when it cools', async () => {
    load.set('whale', { rate: 5, shardKeys: ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'] });
    const r = await waitFor(
      () => (route()?.state === 'shared' ? route() : undefined),
      'whale released',
      40_000,
      100,
    );
    expect(r.partitions).toEqual([]);
    const md = await producer.send({ topic: t.topic, tenant: 'whale', value: 'after' });
    expect(md.partition).toBe(partitionForKey('whale', SHARED));
  });

  it('kept every tenant in order and lost nothing across all three moves', async () => {
    await load.stop();
    await producer.flush();
    const sent = load.sent; // the checker sees the load's records (the 'after' record has no tenant-seq)
    await waitFor(() => consumer.checker.unique >= sent, `consumer to reach ${sent} records`, 60_000, 100);
    const report = consumer.checker.report();
    expect(load.failed).toBe(0);
    expect(report.violations).toBe(0);
    expect(report.gaps).toBe(0);
    for (const [stream, seq] of load.sentSeqs()) {
      const [tenant, key] = stream.split('\u0000');
      expect(consumer.checker.lastSeq(tenant!, key)).toBe(seq);
    }
    expect(svc.controller.migrationsDone).toBeGreaterThanOrEqual(3);
  });
});
