import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { CheckingConsumer } from '../../../src/demo/checking-consumer.js';
import { TenantLoad, type TenantSpec } from '../../../src/demo/tenant-load.js';
import { brokers } from './kafka.js';
import { freePort } from '../../support/free-port.js';
import { runCli, type CliProcess } from './processes.js';
import type { Topology } from './topology.js';

export interface Workload {
  readonly producer: SmartProducer;
  readonly consumer: CheckingConsumer;
  readonly load: TenantLoad;
  stop(): Promise<void>;
}

/** A checking consumer group, a SmartProducer and simulated tenants on a topology's topic. */
export async function startWorkload(
  t: Topology,
  o: {
    groupId: string;
    tenants: Record<string, TenantSpec>;
    members: number;
    costMicros: number;
    routeLeaseMs: number;
  },
): Promise<Workload> {
  const consumer = new CheckingConsumer(t.kafka, {
    topic: t.topic,
    groupId: o.groupId,
    costMicros: o.costMicros,
    concurrency: 1,
    members: o.members,
  });
  await consumer.start();
  const producer = new SmartProducer(t.kafka, {
    ...t.names,
    lingerMs: 5,
    trafficIntervalMs: 250,
    routeLeaseMs: o.routeLeaseMs,
  });
  await producer.connect();
  const load = new TenantLoad(producer, t.topic);
  for (const [tenant, spec] of Object.entries(o.tenants)) load.set(tenant, spec);
  load.start();
  return {
    producer,
    consumer,
    load,
    stop: async () => {
      await load.stop();
      await producer.disconnect();
      await consumer.stop();
    },
  };
}

/** Arguments of `tenant-balancer controller` for a topology (fast ticks for tests). */
export const controllerArgs = (
  t: Topology,
  o: { groupId: string; port: number; token: string; extra?: string[] },
): string[] => [
  'controller',
  ...(o.extra ?? []),
  '--brokers',
  brokers().join(','),
  '--topic',
  t.topic,
  '--group',
  o.groupId,
  '--routing-topic',
  t.names.routingTopic,
  '--acks-topic',
  t.names.acksTopic,
  '--traffic-topic',
  t.names.trafficTopic,
  '--http-port',
  String(o.port),
  '--tick-ms',
  '250',
  '--window-ms',
  '1000',
  '--auth-token',
  o.token,
];

/** A controller CLI process on a free HTTP port, started with {@link controllerArgs}; every process
 * it starts goes into `procs` so the test's afterAll can kill it. Resolves once it says it is ready. */
export const controllerLauncher =
  (t: Topology, o: { groupId: string; token: string; extra?: string[] }, procs: CliProcess[]) =>
  async (env: Record<string, string> = {}): Promise<{ p: CliProcess; port: number }> => {
    const port = await freePort();
    const p = runCli(controllerArgs(t, { ...o, port }), env);
    procs.push(p);
    await p.waitForOutput(/controller ready/, 'controller ready');
    return { p, port };
  };

/** POST /tenants/:topic/:tenant/pin with the bearer token. */
export const pinOverHttp = (port: number, topic: string, tenant: string, token: string): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}/tenants/${topic}/${tenant}/pin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
