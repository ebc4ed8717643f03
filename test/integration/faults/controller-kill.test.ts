import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { CheckingConsumer } from '../../../src/demo/checking-consumer.js';
import { TenantLoad } from '../../../src/demo/tenant-load.js';
import { brokers, uniqueName, waitFor } from '../helpers/kafka.js';
import { freePort, runCli, type CliProcess } from '../helpers/processes.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const TOKEN = 'kill-test-token-0123456789';
const steps = ['after-announce', 'after-fence', 'before-commit'] as const;

describe.each(steps)('controller SIGKILLed mid-drain (%s), then restarted', (step) => {
  let t: Topology;
  let producer: SmartProducer;
  let consumer: CheckingConsumer;
  let load: TenantLoad;
  const procs: CliProcess[] = [];
  const groupId = uniqueName('kill-consumers');

  const controllerArgs = async () => {
    const port = await freePort();
    return {
      port,
      args: [
        'controller',
        '--brokers',
        brokers().join(','),
        '--topic',
        t.topic,
        '--group',
        groupId,
        '--routing-topic',
        t.names.routingTopic,
        '--acks-topic',
        t.names.acksTopic,
        '--traffic-topic',
        t.names.trafficTopic,
        '--http-port',
        String(port),
        '--tick-ms',
        '250',
        '--window-ms',
        '1000',
        '--auth-token',
        TOKEN,
      ],
    };
  };

  beforeAll(async () => {
    t = await createTopology(`kill-${step}`, 2, 2);
    consumer = new CheckingConsumer(t.kafka, {
      topic: t.topic,
      groupId,
      costMicros: 200,
      concurrency: 1,
      members: 2,
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
    for (const tenant of ['vip', 'a', 'b', 'c']) load.set(tenant, { rate: 100 });
    load.start();
  });

  afterAll(async () => {
    await load?.stop();
    await producer?.disconnect();
    await consumer?.stop();
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await t?.close();
  });

  it('completes the migration after the restart, in order, losing nothing', async () => {
    const first = await controllerArgs();
    const c1 = runCli(first.args, { KTB_FAULT_HOLD: step });
    procs.push(c1);
    await c1.waitForOutput(/controller ready/, 'first controller ready');
    const res = await fetch(`http://127.0.0.1:${first.port}/tenants/${t.topic}/vip/pin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(202);
    await c1.waitForOutput(new RegExp(`fault hold reached: ${step}`), `hold at ${step}`);
    await c1.kill('SIGKILL');
    const held = producer.routes.table.route(t.topic, 'vip');
    expect(held?.state).toBe('draining');

    const second = await controllerArgs();
    const c2 = runCli(second.args);
    procs.push(c2);
    const settled = await waitFor(
      () => {
        const r = producer.routes.table.route(t.topic, 'vip');
        return r?.state === 'dedicated' ? r : undefined;
      },
      'vip dedicated after restart',
      40_000,
      100,
    );
    expect(settled.epoch).toBe(held!.epoch);
    expect(settled.partitions).toEqual(held!.partitions);
    await c2.waitForOutput(/resuming tenant from its persisted snapshot/, 'resume logged', 5000);

    await load.stop();
    await producer.flush();
    await waitFor(() => consumer!.checker.unique >= load!.sent, 'all records consumed', 30_000);
    const report = consumer.checker.report();
    expect(load.failed).toBe(0);
    expect(report).toMatchObject({ violations: 0, gaps: 0 });
    expect(consumer.checker.unique).toBe(load.sent);
    expect(await c2.kill('SIGTERM')).toBe(0);
  });
});
