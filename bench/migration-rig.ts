import { SmartProducer } from '../src/adapters/kafka/smart-producer/index.js';
import { silentLogger } from '../src/adapters/logger.js';
import { parseControllerConfig } from '../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../src/compose/controller-service.js';
import { CheckingConsumer } from '../src/demo/checking-consumer.js';
import { TenantLoad, type TenantSpec } from '../src/demo/tenant-load.js';
import type { BenchTopology } from './broker.js';

export interface MigrationRig {
  readonly svc: RunningController;
  readonly consumer: CheckingConsumer;
  readonly producer: SmartProducer;
  readonly load: TenantLoad;
  /** stops the load, the producer, the consumers, the controller and the admin client */
  stop(): Promise<void>;
}

/** Controller + checking consumer group + SmartProducer with simulated tenants, all in this process. */
export async function startMigrationRig(
  brokers: string[],
  bt: BenchTopology,
  o: {
    tickMs: number;
    windowMs: number;
    routeLeaseMs: number;
    members: number;
    costMicros: number;
    tenants: Record<string, TenantSpec>;
    /** keep per-record latency samples in the consumer (default true) */
    keepLatency?: boolean;
    /** the group consumes through the ordered consumer (consumer-gated moves); default false: stop-and-wait */
    ordered?: boolean;
  },
): Promise<MigrationRig> {
  const groupId = `bench-consumers-${bt.run}`;
  const svc = await startControllerService(
    parseControllerConfig({
      brokers,
      topics: [bt.topic],
      ...bt.names,
      groups: [groupId],
      tickMs: o.tickMs,
      windowMs: o.windowMs,
      routeLeaseMs: o.routeLeaseMs,
      http: { port: 0, host: '127.0.0.1' },
      thresholds: { cooldownMs: 0 },
    }),
    { logger: silentLogger() },
  );
  const consumer = new CheckingConsumer(bt.kafka, {
    topic: bt.topic,
    groupId,
    costMicros: o.costMicros,
    concurrency: 1,
    members: o.members,
    keepLatency: o.keepLatency ?? true,
    ...(o.ordered === true
      ? { ordered: { routingTopic: bt.names.routingTopic, acksTopic: bt.names.acksTopic } }
      : {}),
  });
  await consumer.start();
  const producer = new SmartProducer(bt.kafka, {
    ...bt.names,
    lingerMs: 2,
    trafficIntervalMs: o.tickMs,
    routeLeaseMs: o.routeLeaseMs,
  });
  await producer.connect();
  const load = new TenantLoad(producer, bt.topic);
  for (const [tenant, spec] of Object.entries(o.tenants)) load.set(tenant, spec);
  load.start();
  return {
    svc,
    consumer,
    producer,
    load,
    stop: async () => {
      await load.stop();
      await producer.disconnect();
      await consumer.stop();
      await svc.stop();
      await bt.admin.disconnect();
    },
  };
}
