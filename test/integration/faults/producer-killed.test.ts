import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { decodeDrainAck, type DrainAck } from '../../../src/domain/wire-records.js';
import { brokers, uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const LEASE = 3000;

/** Every drain ack of a tenant on the topology's acks topic, read from the beginning. */
async function readAcks(t: Topology, tenant: string): Promise<DrainAck[]> {
  const consumer = t.kafka.consumer({ groupId: uniqueName('pkill-acks'), maxWaitTimeInMs: 100 });
  const out: DrainAck[] = [];
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: t.names.acksTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen++;
        const r = decodeDrainAck(message.value);
        if (r.ok && r.value.tenant === tenant) out.push(r.value);
      },
    });
    const high = Number((await t.admin.fetchTopicOffsets(t.names.acksTopic))[0]?.high ?? 0);
    await waitFor(() => seen >= high, 'every ack read');
  } finally {
    await consumer.disconnect();
  }
  return out;
}
const root = join(import.meta.dirname, '..', '..', '..');

describe('a producer killed while it holds an unacknowledged draining epoch', () => {
  let t: Topology;
  let svc: RunningController;
  let survivor: SmartProducer;
  const steps: { step: string; phase: string; at: number; detail?: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    t = await createTopology('pkill', 2, 2);
    svc = await startControllerService(
      parseControllerConfig({
        brokers: brokers(),
        topics: [t.topic],
        ...t.names,
        groups: 'auto',
        tickMs: 250,
        windowMs: 1000,
        routeLeaseMs: LEASE,
        http: { port: 0, host: '127.0.0.1' },
      }),
      {
        logger: silentLogger(),
        telemetry: {
          migrationStep: (e) =>
            steps.push({
              step: e.step,
              phase: e.phase,
              at: Date.now(),
              ...(e.detail ? { detail: e.detail } : {}),
            }),
        },
      },
    );
    survivor = new SmartProducer(t.kafka, { ...t.names, trafficIntervalMs: 250, routeLeaseMs: LEASE });
    await survivor.connect();
  });
  afterAll(async () => {
    await survivor?.disconnect();
    await svc?.stop();
    await t?.close();
  });

  it('waits for the dead producer until its lease expires, then proceeds; the live one acks at once', async () => {
    // A second producer in its own process, sending for the tenant, then killed without a goodbye.
    const script = `
      const { Kafka, logLevel } = await import(${JSON.stringify(join(root, 'node_modules', 'kafkajs', 'index.js'))});
      const { SmartProducer } = await import(${JSON.stringify(join(root, 'dist', 'src', 'index.js'))});
      const kafka = new Kafka({ clientId: 'doomed', brokers: ${JSON.stringify(brokers())}, logLevel: logLevel.NOTHING });
      const p = new SmartProducer(kafka, { ...${JSON.stringify(t.names)}, trafficIntervalMs: 250, routeLeaseMs: ${LEASE} });
      await p.connect();
      setInterval(() => p.sendAndForget({ topic: ${JSON.stringify(t.topic)}, tenant: 'vip', value: 'x' }), 20);
      console.log('doomed producer running ' + p.producerId);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const doomedId = await waitFor(
      () => /doomed producer running (\S+)/.exec(out)?.[1],
      'doomed producer up',
      20_000,
    );
    await survivor.send({ topic: t.topic, tenant: 'vip', value: 'from survivor' });
    // Both producers are alive in the controller's window before the drain starts.
    await waitFor(
      () =>
        svc.controller.liveProducers().includes(doomedId) &&
        svc.controller.liveProducers().includes(survivor.producerId),
      'both producers seen alive',
      10_000,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    svc.controller.command({ op: 'pin', topic: t.topic, tenant: 'vip' });
    await waitFor(
      () => survivor.routes.table.route(t.topic, 'vip')?.state === 'dedicated',
      'vip dedicated',
      20_000,
      50,
    );
    const start = steps.find((s) => s.step === 'acks' && s.phase === 'start')!;
    const end = steps.find((s) => s.step === 'acks' && s.phase === 'end')!;
    expect(start.detail?.['producers']).toBeGreaterThanOrEqual(2);
    expect(end.detail).toMatchObject({ expired: 1, acked: 1 });
    expect(end.at - start.at).toBeGreaterThanOrEqual(LEASE);
    // The live producer acked at once: its ack on the acks topic is stamped well inside the lease.
    const acks = await readAcks(t, 'vip');
    const mine = acks.find((a) => a.producerId === survivor.producerId);
    expect(mine, 'the survivor acked the drain').toBeDefined();
    expect(mine!.at - start.at).toBeLessThan(LEASE / 3);
    expect(acks.some((a) => a.producerId === doomedId)).toBe(false);
    const md = await survivor.send({ topic: t.topic, tenant: 'vip', value: 'after' });
    expect(md.partition).toBe(survivor.routes.table.route(t.topic, 'vip')!.partitions[0]);
  });
});
