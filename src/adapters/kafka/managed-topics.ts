import type { Admin, Kafka } from 'kafkajs';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { topicName } from '../../domain/ids.js';
import type { PoolLayout } from '../../domain/route-record.js';
import { createTopicsReady, ensureInternalTopics, type InternalTopicNames } from './internal-topics.js';
import { RouteWriter } from './route-writer.js';

export interface CreateManagedTopicInput {
  readonly topic: string;
  readonly shared: number;
  readonly dedicated: number;
  readonly replicationFactor?: number;
  readonly writerEpoch?: number;
}

/**
 * Creates a managed topic of shared + dedicated partitions and records its pool layout in the
 * routing topic (partitions 0..shared-1 form the shared pool, the rest the dedicated pool).
 */
export async function createManagedTopic(
  kafka: Kafka,
  admin: Admin,
  names: InternalTopicNames,
  input: CreateManagedTopicInput,
): Promise<PoolLayout> {
  const topic = topicName(input.topic);
  if (!Number.isInteger(input.shared) || input.shared < 1) {
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `--shared must be an integer >= 1 (got ${input.shared})`,
    );
  }
  if (!Number.isInteger(input.dedicated) || input.dedicated < 0) {
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `--dedicated must be an integer >= 0 (got ${input.dedicated})`,
    );
  }
  await ensureInternalTopics(admin, names, input.replicationFactor);
  const total = input.shared + input.dedicated;
  if ((await admin.listTopics()).includes(topic)) {
    throw new TenantBalancerError(
      ErrorCode.TopicExists,
      `topic "${topic}" already exists; managed topics are created by this command so their pools are known. Pick another name or delete the topic.`,
    );
  }
  await createTopicsReady(admin, [
    {
      topic,
      numPartitions: total,
      ...(input.replicationFactor ? { replicationFactor: input.replicationFactor } : {}),
    },
  ]);
  const layout: PoolLayout = {
    v: 1,
    kind: 'pools',
    topic,
    shared: input.shared,
    total,
    updatedAt: Date.now(),
    writerEpoch: input.writerEpoch ?? 0,
  };
  const writer = new RouteWriter(kafka, names.routingTopic);
  await writer.connect();
  try {
    await writer.write(layout);
  } finally {
    await writer.disconnect();
  }
  return layout;
}
