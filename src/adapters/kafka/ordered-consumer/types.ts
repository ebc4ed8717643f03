import type { ConsumerConfig, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../logger.js';

export interface OrderedConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** default ktb.routes */
  readonly routingTopic?: string;
  /** where gate announcements go (default ktb.acks, the controller's signal topic) */
  readonly acksTopic?: string;
  readonly fromBeginning?: boolean;
  /** records kept aside per partition before it pauses instead (bounds memory and replayed duplicates); default 1000 */
  readonly maxHeldPerPartition?: number;
  /** how often held tenants are checked against the group's commits; default 100 ms */
  readonly gateCheckMs?: number;
  /** how often a batch in progress commits what it processed (a fence waits on commits); default 100 ms */
  readonly commitIntervalMs?: number;
  /** how often this member re-announces itself; default 5000 ms */
  readonly announceEveryMs?: number;
  /** partitions processed at once by this member (kafkajs's partitionsConsumedConcurrently); default 1 */
  readonly partitionsConsumedConcurrently?: number;
  /** passed to kafkajs's consumer (groupId comes from above) */
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
  readonly logger?: Logger;
  /** how long to wait for the routing topic to be read to its end at start; default 30 s */
  readonly startTimeoutMs?: number;
}

/** One record handed to the application, with the tenant and epoch its headers carry. */
export interface OrderedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

export interface OrderedRunConfig {
  /** one record at a time, per partition in order (a tenant's records in its order) */
  readonly eachMessage?: (m: OrderedMessage) => Promise<void>;
  /** runs of records of one partition, in order; a run never spans a held record of its tenant */
  readonly eachBatch?: (b: { topic: string; partition: number; messages: KafkaMessage[] }) => Promise<void>;
}

export interface OrderedConsumerStats {
  readonly groupId: string;
  readonly memberId: string | undefined;
  readonly processed: number;
  /** records that were kept aside and later processed */
  readonly released: number;
  /** times a partition paused at a held record */
  readonly pauses: number;
  /**
   * (topic, tenant, epoch) whose route-epoch header names a route the routing topic does not have,
   * found once this member's routing view caught up past such a record: their records are processed
   * without a gate (each logged once, KTB_ORPHAN_EPOCH)
   */
  readonly orphanEpochs: number;
  /** how long each hold lasted (ms; a tenant held on a partition until its gate opened), the last 1000 */
  readonly holdEpisodesMs: readonly number[];
  readonly heldRecords: number;
  readonly holds: readonly {
    topic: string;
    partition: number;
    tenant: string;
    records: number;
    heldMs: number;
    epoch: number | undefined;
  }[];
}
