import type { Admin, ITopicConfig } from 'kafkajs';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';

export interface InternalTopicNames {
  readonly routingTopic: string;
  readonly acksTopic: string;
  readonly trafficTopic: string;
}

export const defaultInternalTopics: InternalTopicNames = {
  routingTopic: 'ktb.routes',
  acksTopic: 'ktb.acks',
  trafficTopic: 'ktb.traffic',
};

/**
 * The routing topic is compacted with a single partition: one total order of route writes makes
 * "caught up" a single offset comparison. Acks and traffic are short-lived signals.
 */
export async function ensureInternalTopics(
  admin: Admin,
  names: InternalTopicNames,
  replicationFactor?: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const rf = replicationFactor === undefined ? {} : { replicationFactor };
  const wanted: ITopicConfig[] = [
    {
      topic: names.routingTopic,
      numPartitions: 1,
      ...rf,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.compaction.lag.ms', value: '0' },
      ],
    },
    {
      topic: names.acksTopic,
      numPartitions: 1,
      ...rf,
      configEntries: [{ name: 'retention.ms', value: String(24 * 3600_000) }],
    },
    {
      topic: names.trafficTopic,
      numPartitions: 1,
      ...rf,
      configEntries: [{ name: 'retention.ms', value: String(3600_000) }],
    },
  ].filter((t) => !existing.has(t.topic));
  if (wanted.length === 0) return;
  try {
    await admin.createTopics({ topics: wanted, waitForLeaders: true });
  } catch (e) {
    // Another process may have created them concurrently.
    const now = new Set(await admin.listTopics());
    if (wanted.some((t) => !now.has(t.topic))) throw e;
  }
}

/** Partition count of a topic, or a clear error when it does not exist. */
export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  try {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const n = md.topics[0]?.partitions.length ?? 0;
    if (n > 0) return n;
  } catch (e) {
    const type = (e as { type?: string }).type;
    if (type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
  }
  throw new TenantBalancerError(
    ErrorCode.TopicMissing,
    `topic "${topic}" does not exist; create it first (tenant-balancer topics create --topic ${topic} --shared N --dedicated M), topics are never auto-created.`,
  );
}
