import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagedTopic } from '../../../src/adapters/kafka/managed-topics.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import * as localKafka from '../../../src/adapters/local-kafka/index.js';
import { CheckingConsumer } from '../../../src/demo/checking-consumer.js';
import { TenantLoad } from '../../../src/demo/tenant-load.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';

/** Its own single broker (restarting the shared one would disturb other files). */
describe('the broker restarts under load', () => {
  let opts: localKafka.LocalKafkaOptions;
  let kafka: Kafka;
  let producer: SmartProducer;
  let consumer: CheckingConsumer;

  beforeAll(async () => {
    opts = localKafka.defaultLocalKafkaOptions({
      port: Number(process.env['KTB_TEST_RESTART_PORT'] ?? 19792),
    });
    await localKafka.stop(opts, { clean: true });
    const r = await localKafka.start(opts);
    kafka = new Kafka({
      clientId: 'restart',
      brokers: r.bootstrap,
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }, 120_000);
  afterAll(async () => {
    await producer?.disconnect();
    await consumer?.stop();
    await localKafka.stop(opts, { clean: true });
  }, 60_000);

  it('loses nothing and keeps order: acks=all, idempotent producers retry through the restart', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const names = {
      routingTopic: uniqueName('rs-routes'),
      acksTopic: uniqueName('rs-acks'),
      trafficTopic: uniqueName('rs-traffic'),
    };
    const topic = uniqueName('restart');
    await createManagedTopic(kafka, admin, names, { topic, shared: 2, dedicated: 1 });
    await admin.disconnect();
    consumer = new CheckingConsumer(kafka, {
      topic,
      groupId: uniqueName('rs'),
      costMicros: 0,
      concurrency: 2,
    });
    await consumer.start();
    producer = new SmartProducer(kafka, {
      ...names,
      lingerMs: 5,
      retries: 30,
      routeLeaseMs: 60_000,
      maxBlockMs: 60_000,
    });
    await producer.connect();
    const load = new TenantLoad(producer, topic);
    for (const tn of ['a', 'b', 'c']) load.set(tn, { rate: 200 });
    load.start();
    await waitFor(() => consumer.consumed > 300, 'traffic flowing');
    const cp = localKafka.resolveClasspath(opts.home);
    await localKafka.stopNode(opts, 1, 30_000, 'SIGKILL');
    localKafka.startNode(opts, cp, 1);
    await waitFor(async () => (await localKafka.status(opts)).running, 'broker back', 60_000, 200);
    const sentAtRestart = load.sent;
    await waitFor(() => load.sent > sentAtRestart + 300, 'sends succeed again', 60_000, 100);
    await load.stop();
    await producer.flush();
    await waitFor(() => consumer!.checker.unique >= load!.sent, 'everything consumed', 60_000, 100);
    expect(load.failed).toBe(0);
    expect(consumer.checker.unique).toBe(load.sent);
    expect(consumer.checker.report()).toMatchObject({ violations: 0, gaps: 0 });
  });
});
