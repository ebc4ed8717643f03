import { setTimeout as sleep } from 'node:timers/promises';
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
  // Another process may create them concurrently: that is fine.
  await createTopicsReady(admin, wanted, { tolerateExisting: true });
}

/** The Kafka error type of a kafkajs error, also under its retries-exceeded wrapper. */
const errorType = (e: unknown): string | undefined => {
  const x = e as { type?: string; originalError?: { type?: string } } | null;
  return x?.type ?? x?.originalError?.type;
};
const alreadyExists = (e: unknown): boolean =>
  errorType(e) === 'TOPIC_ALREADY_EXISTS' ||
  ((e as { errors?: unknown[] } | null)?.errors?.every((x) => errorType(x) === 'TOPIC_ALREADY_EXISTS') ??
    false);

/** The broker's reason per topic (kafkajs aggregates them as "Topic creation errors"). */
const creationFailed = (topics: ITopicConfig[], e: unknown): TenantBalancerError => {
  const parts = (e as { errors?: unknown[] } | null)?.errors ?? [e];
  const reasons = parts.map((x) => {
    const err = x as { type?: string; message?: string; topic?: string };
    return `${err.topic ?? topics.map((t) => t.topic).join(', ')}: ${err.type ?? ''} ${err.message ?? String(x)}`.trim();
  });
  return new TenantBalancerError(
    ErrorCode.TopicCreateFailed,
    `the broker refused to create topic(s): ${reasons.join('; ')}. Check the partition count, replication factor (at most the number of brokers) and topic settings.`,
    { cause: e },
  );
};

/**
 * Creates topics and waits until every partition has a leader. kafkajs's own `waitForLeaders` gives
 * up when the metadata answer is UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker can still say for
 * a moment after its controller created the topic (seen right after a broker start, where it failed
 * a benchmark run); here that answer means "not yet", until `timeoutMs`.
 */
export async function createTopicsReady(
  admin: Admin,
  topics: ITopicConfig[],
  o: { tolerateExisting?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  try {
    await admin.createTopics({ topics, waitForLeaders: false });
  } catch (e) {
    if (!(o.tolerateExisting === true && alreadyExists(e))) throw creationFailed(topics, e);
  }
  const names = topics.map((t) => t.topic);
  const timeoutMs = o.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const md = await admin.fetchTopicMetadata({ topics: names });
      const ready = names.every((name) => {
        const t = md.topics.find((x) => x.name === name);
        return t !== undefined && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
    } catch (e) {
      const type = errorType(e);
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw e;
    }
    if (Date.now() >= deadline)
      throw new TenantBalancerError(
        ErrorCode.BrokerUnreachable,
        `topic(s) ${names.join(', ')} still have no partition leader ${timeoutMs} ms after they were created; check the brokers' logs`,
      );
    await sleep(100);
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

/**
 * partition -> the broker id that leads it, from fresh metadata (kafkajs asks a broker each call). A
 * partition without a leader (-1, mid-election or just created) is left out: placement treats it as
 * a leader of its own.
 */
export async function partitionLeaders(admin: Admin, topic: string): Promise<Map<number, number>> {
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  const parts = md.topics.find((t) => t.name === topic)?.partitions ?? [];
  return new Map(parts.filter((p) => p.leader >= 0).map((p) => [p.partitionId, p.leader]));
}
