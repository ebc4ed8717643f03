import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { CheckingConsumer } from '../../../src/demo/checking-consumer.js';
import { TenantLoad, type TenantSpec } from '../../../src/demo/tenant-load.js';
import { brokers } from './kafka.js';
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
