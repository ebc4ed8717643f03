import type { KafkaMessage } from 'kafkajs';
import type { PartitionLane } from './partition-lane.js';
import type { OrderedConsumerStats } from './types.js';

/** What an ordered consumer shows of itself: counters, hold times, and every tenant it holds now. */
export function consumerStats(
  base: Pick<
    OrderedConsumerStats,
    'groupId' | 'memberId' | 'processed' | 'released' | 'pauses' | 'orphanEpochs'
  >,
  holdMs: readonly number[],
  lanes: readonly PartitionLane<KafkaMessage>[],
  now: number,
): OrderedConsumerStats {
  return {
    ...base,
    holdEpisodesMs: [...holdMs],
    heldRecords: lanes.reduce((n, l) => n + l.heldRecords, 0),
    holds: lanes.flatMap((l) =>
      l.holds().map((h) => ({
        topic: l.topic,
        partition: l.partition,
        tenant: h.tenant,
        records: h.records,
        heldMs: now - h.since,
        epoch: h.epoch,
      })),
    ),
  };
}
