import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagedTopic } from '../../../src/adapters/kafka/managed-topics.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import * as localKafka from '../../../src/adapters/local-kafka/index.js';
import { CheckingConsumer } from '../../../src/demo/checking-consumer.js';
import { TenantLoad } from '../../../src/demo/tenant-load.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { freePort } from '../../support/free-port.js';
import { runCli, type CliProcess } from '../helpers/processes.js';

/** Its own single broker (restarting the shared one would disturb other files). */
describe('the broker restarts under load', () => {
  let opts: localKafka.LocalKafkaOptions;
  let kafka: Kafka;
  let producer: SmartProducer | undefined;
  let consumer: CheckingConsumer | undefined;
  let bootstrap: string[];
  const procs: CliProcess[] = [];

  beforeAll(async () => {
    opts = localKafka.defaultLocalKafkaOptions({
      port: Number(process.env['KTB_TEST_RESTART_PORT'] ?? 19792),
    });
    await localKafka.stop(opts, { clean: true });
    const r = await localKafka.start(opts);
    bootstrap = r.bootstrap;
    kafka = new Kafka({
      clientId: 'restart',
      brokers: r.bootstrap,
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
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
    const c = new CheckingConsumer(kafka, {
      topic,
      groupId: uniqueName('rs'),
      costMicros: 0,
      concurrency: 2,
    });
    consumer = c;
    await c.start();
    const sp = new SmartProducer(kafka, {
      ...names,
      lingerMs: 5,
      retries: 30,
      routeLeaseMs: 60_000,
      maxBlockMs: 60_000,
    });
    producer = sp;
    await sp.connect();
    const load = new TenantLoad(sp, topic);
    for (const tn of ['a', 'b', 'c']) load.set(tn, { rate: 200 });
    load.start();
    await waitFor(() => c.consumed > 300, 'traffic flowing');
    const cp = localKafka.resolveClasspath(opts.home);
    await localKafka.stopNode(opts, 1, 30_000, 'SIGKILL');
    localKafka.startNode(opts, cp, 1);
    await waitFor(async () => (await localKafka.status(opts)).running, 'broker back', 60_000, 200);
    const sentAtRestart = load.sent;
    await waitFor(() => load.sent > sentAtRestart + 300, 'sends succeed again', 60_000, 100);
    await load.stop();
    await sp.flush();
    await waitFor(() => c.checker.unique >= load.sent, 'everything consumed', 60_000, 100);
    expect(load.failed).toBe(0);
    expect(c.checker.unique).toBe(load.sent);
    expect(c.checker.report()).toMatchObject({ violations: 0, gaps: 0 });
    await sp.disconnect();
    await c.stop();
    producer = undefined;
    consumer = undefined;
  });

  it('with the broker down, the controller reports not ready and stops on SIGTERM within seconds', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const names = {
      routingTopic: uniqueName('down-routes'),
      acksTopic: uniqueName('down-acks'),
      trafficTopic: uniqueName('down-traffic'),
    };
    const topic = uniqueName('down');
    await createManagedTopic(kafka, admin, names, { topic, shared: 2, dedicated: 1 });
    await admin.disconnect();
    const port = await freePort();
    const p = runCli([
      'controller',
      '--brokers',
      bootstrap.join(','),
      '--topic',
      topic,
      '--routing-topic',
      names.routingTopic,
      '--acks-topic',
      names.acksTopic,
      '--traffic-topic',
      names.trafficTopic,
      '--http-port',
      String(port),
      '--tick-ms',
      '250',
      '--window-ms',
      '1000',
    ]);
    procs.push(p);
    await p.waitForOutput(/controller ready/, 'controller ready');
    const readyz = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
    expect(await readyz()).toBe(200);
    await localKafka.stopNode(opts, 1, 30_000, 'SIGKILL');
    await waitFor(async () => (await readyz()) === 503, 'not ready with the broker down', 30_000, 200);
    const stopAt = Date.now();
    p.proc.kill('SIGTERM');
    const exited = await Promise.race([
      p.exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 8000)),
    ]);
    expect(exited, `still running 8 s after SIGTERM:\n${p.output.slice(-5).join('\n')}`).toBe(true);
    expect(Date.now() - stopAt).toBeLessThan(8000);
  }, 90_000);
});
