import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopicsReady, ensureInternalTopics } from '../../src/adapters/kafka/internal-topics.js';
import { RouteWriter } from '../../src/adapters/kafka/route-writer.js';
import { SmartProducer } from '../../src/adapters/kafka/smart-producer/index.js';
import * as localKafka from '../../src/adapters/local-kafka/index.js';
import { parseControllerConfig } from '../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../src/compose/controller-service.js';
import { TenantLoad } from '../../src/demo/tenant-load.js';
import { topicName } from '../../src/domain/ids.js';
import { uniqueName, waitFor } from '../integration/helpers/kafka.js';
import { leadersOf, startCluster } from './cluster.js';

/**
 * Broker-aware placement on a real 3-broker cluster (nodes 1-3). The dedicated pool is laid out so
 * that its lowest-numbered partitions share leaders (3,4 on broker 1, 5,6 on 2, 7,8 on 3): with no
 * traffic on them, leader-unaware placement would take 3,4,5 (two shards on broker 1).
 */
const preferred = [1, 2, 3, 1, 1, 2, 2, 3, 3];
const SHARED = 3;
const others = (leader: number) => [1, 2, 3].filter((b) => b !== leader);

describe('3-broker cluster: broker-aware placement', () => {
  let opts: localKafka.LocalKafkaOptions;
  let kafka: Kafka;
  let svc: RunningController | undefined;
  let producer: SmartProducer | undefined;
  let load: TenantLoad | undefined;
  /** the controller's log, one JSON record a line */
  const lines: { msg?: string; [k: string]: unknown }[] = [];

  beforeAll(async () => {
    ({ opts, kafka } = await startCluster('placement'));
  }, 180_000);
  afterAll(async () => {
    await load?.stop();
    await producer?.disconnect();
    await svc?.stop();
    await localKafka.stop(opts, { clean: true });
  }, 120_000);

  it('pins a tenant over 3 partitions on 3 different leaders, and the log says which', async () => {
    const names = {
      routingTopic: uniqueName('bp-routes'),
      acksTopic: uniqueName('bp-acks'),
      trafficTopic: uniqueName('bp-traffic'),
    };
    const topic = uniqueName('bp');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureInternalTopics(admin, names, 3);
      // The first replica is the preferred leader, which leads after creation.
      await createTopicsReady(admin, [
        {
          topic,
          replicaAssignment: preferred.map((leader, partition) => ({
            partition,
            replicas: [leader, ...others(leader)],
          })),
        },
      ]);
    } finally {
      await admin.disconnect();
    }
    const before = await leadersOf(kafka, topic);
    expect(Object.fromEntries(before)).toEqual(Object.fromEntries(preferred.map((l, p) => [p, l])));
    // The pool layout, as `topics create` writes it.
    const writer = new RouteWriter(kafka, names.routingTopic);
    await writer.connect();
    try {
      await writer.write({
        v: 1,
        kind: 'pools',
        topic: topicName(topic),
        shared: SHARED,
        total: preferred.length,
        updatedAt: Date.now(),
        writerEpoch: 0,
      });
    } finally {
      await writer.disconnect();
    }

    svc = await startControllerService(
      parseControllerConfig({
        brokers: localKafka.bootstrapServers(opts),
        topics: [topic],
        ...names,
        tickMs: 250,
        windowMs: 1000,
        routeLeaseMs: 30_000,
        http: { port: 0, host: '127.0.0.1' },
      }),
      { logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) }) },
    );
    producer = new SmartProducer(kafka, {
      ...names,
      lingerMs: 5,
      retries: 30,
      routeLeaseMs: 30_000,
      trafficIntervalMs: 250,
    });
    await producer.connect();
    load = new TenantLoad(producer, topic);
    // vip will be sharded: its order is promised per shard key, so it sends with keys.
    load.set('vip', { rate: 50, shardKeys: ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'] });
    load.start();
    await waitFor(() => load!.sent > 50, 'traffic flowing', 30_000);

    svc.controller.command({ op: 'pin', topic, tenant: 'vip', shards: 3 });
    const route = await waitFor(
      () => {
        const x = producer!.routes.table.route(topic, 'vip');
        return x?.state === 'sharded' ? x : undefined;
      },
      'vip sharded',
      60_000,
      100,
    );
    const leaders = await leadersOf(kafka, topic);
    const on = route.partitions.map((p) => leaders.get(p));
    console.info(`vip sharded over ${route.partitions.join(',')} led by ${on.join(',')}`);
    expect(route.partitions).toHaveLength(3);
    expect(route.partitions.every((p) => p >= SHARED)).toBe(true);
    expect(new Set(on)).toEqual(new Set([1, 2, 3]));
    // The decision is in the controller's log with the leaders it placed against.
    const said = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('3 free dedicated'));
    expect(said?.msg).toBe(
      `3 free dedicated partition(s): ${route.partitions.join(',')} (partition@leader: ${route.partitions.map((p, i) => `${p}@${on[i]}`).join(',')})`,
    );
    expect(load.failed, `send errors: ${load.errors.join(' | ')}`).toBe(0);
  }, 240_000);
});
