import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { createManagedTopic } from '../../../src/adapters/kafka/managed-topics.js';
import {
  ensureInternalTopics,
  type InternalTopicNames,
} from '../../../src/adapters/kafka/internal-topics.js';
import { RouteWriter } from '../../../src/adapters/kafka/route-writer.js';
import type { TenantId, TopicName } from '../../../src/domain/ids.js';
import type { TenantRoute } from '../../../src/domain/route-record.js';
import { testKafka, uniqueName } from './kafka.js';

/** A managed topic with its own routing/acks/traffic topics, so tests never see each other's routes. */
export interface Topology {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly names: InternalTopicNames;
  readonly topic: string;
  readonly writer: RouteWriter;
  route(tenant: string, over: Partial<TenantRoute>): TenantRoute;
  close(): Promise<void>;
}

export async function createTopology(prefix: string, shared = 4, dedicated = 4): Promise<Topology> {
  const kafka = testKafka(uniqueName(prefix));
  const admin = kafka.admin();
  await admin.connect();
  const names: InternalTopicNames = {
    routingTopic: uniqueName(`${prefix}-routes`),
    acksTopic: uniqueName(`${prefix}-acks`),
    trafficTopic: uniqueName(`${prefix}-traffic`),
  };
  await ensureInternalTopics(admin, names);
  const topic = uniqueName(prefix);
  await createManagedTopic(kafka, admin, names, { topic, shared, dedicated });
  const writer = new RouteWriter(kafka, names.routingTopic, `ktb-test-writer.${randomUUID()}`);
  await writer.connect();
  return {
    kafka,
    admin,
    names,
    topic,
    writer,
    route: (tenant, over) => ({
      v: 1,
      kind: 'route',
      topic: topic as TopicName,
      tenant: tenant as TenantId,
      state: 'dedicated',
      partitions: [shared],
      epoch: 1,
      ordering: 'strict',
      reason: 'test',
      updatedAt: Date.now(),
      writerEpoch: 0,
      ...over,
    }),
    close: async () => {
      await writer.disconnect();
      await admin.disconnect();
    },
  };
}
