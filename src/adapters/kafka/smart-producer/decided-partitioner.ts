import type { ICustomPartitioner } from 'kafkajs';

/**
 * kafkajs's own answer to "this partition is not in my metadata": its stale-metadata errors make
 * sendBatch refresh the cluster metadata and retry (with its retry back-off).
 */
export class PartitionNotInMetadata extends Error {
  override readonly name = 'KafkaJSPartitionNotInMetadata';
  /** kafkajs's `staleMetadata(e)` checks this type; it refreshes metadata before retrying */
  readonly type = 'UNKNOWN_TOPIC_OR_PARTITION';
  readonly retriable = true;
  constructor(topic: string, partition: number, known: number) {
    super(
      `partition ${partition} of "${topic}" is not in the producer's metadata (${known} partition(s) known); refreshing it`,
    );
  }
}

/**
 * The SmartProducer's data producer partitioner: every record's partition is decided at send() time,
 * so it only hands it on. kafkajs 2.2.4 groups records by that partition, then silently drops a
 * partition its metadata does not have (findLeaderForPartitions skips it, and sendBatch resolves
 * without a result for it): after a topic grew, a tenant routed to a new partition had its records
 * "unanswered" five times in a few ms, then failed. Throwing a stale-metadata error instead makes
 * kafkajs refresh its metadata and retry, so the record goes out once kafkajs knows the partition.
 * The SmartProducer only admits records to partitions that fresh metadata showed (see
 * PartitionAvailability), so this wait is one refresh, not an open-ended one.
 */
export const decidedPartitioner: ICustomPartitioner =
  () =>
  ({ topic, partitionMetadata, message }) => {
    const partition = message.partition!;
    // Partition ids of a topic are 0..n-1 and its metadata lists every one of them.
    if (partition >= partitionMetadata.length)
      throw new PartitionNotInMetadata(topic, partition, partitionMetadata.length);
    return partition;
  };
