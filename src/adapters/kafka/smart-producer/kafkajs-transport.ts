import { ErrorCode } from '../../../domain/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CompressionTypes,
  type Admin,
  type Kafka,
  type Message,
  type Producer,
  type RecordMetadata as KafkaMetadata,
} from 'kafkajs';
import type { Logger } from '../../logger.js';
import { partitionCount } from '../internal-topics.js';
import { decidedPartitioner } from './decided-partitioner.js';
import { outcomeOfKafkajsError } from './kafkajs-errors.js';
import type { SmartProducerOptions } from './options.js';
import { backoffMs } from './partition-availability.js';
import {
  TransportError,
  type OutgoingBatch,
  type ProducerTransport,
  type RecordResult,
  type TransportStats,
} from './transport.js';
import { splitByAnswer } from './unanswered.js';

/** How many times a batch's unanswered partitions are sent again before their records fail. */
const MAX_UNANSWERED_ROUNDS = 5;

const compressionOf: Record<SmartProducerOptions['compression'], CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

export type KafkajsTransportOptions = Pick<
  SmartProducerOptions,
  'idempotent' | 'maxInFlight' | 'retries' | 'acks' | 'requestTimeoutMs' | 'compression'
>;

/** A record of the batch being sent, by index, in the shape splitByAnswer reads. */
interface Indexed {
  readonly index: number;
  readonly routedPartition: number;
}

/**
 * The data path over kafkajs 2.2.4, with the workarounds its producer needs: partitions it leaves
 * without an answer are sent again (see unanswered.ts), partitions its metadata lacks make it
 * refresh (decided-partitioner.ts), and its idempotent producer is renewed after a batch failed for
 * good (see `renew`).
 */
export class KafkajsTransport implements ProducerTransport {
  private producer: Producer;
  private readonly admin: Admin;
  /** set after a batch failed for good: renew before the next one goes out */
  private stale = false;
  private renewing: Promise<void> | undefined;
  private counters = { resentRecords: 0, renewals: 0 };
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkajsTransportOptions,
    private readonly logger: Logger,
  ) {
    this.admin = kafka.admin();
    this.producer = this.createProducer();
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      // Each record's partition is decided at send() time; one kafkajs's metadata lacks makes it refresh.
      createPartitioner: decidedPartitioner,
      idempotent: this.options.idempotent,
      maxInFlightRequests: this.options.maxInFlight,
      allowAutoTopicCreation: false,
      retry: { retries: this.options.retries },
    });
  }

  async connect(): Promise<void> {
    await Promise.all([this.producer.connect(), this.admin.connect()]);
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  partitionCount(topic: string): Promise<number> {
    return partitionCount(this.admin, topic);
  }

  stats(): TransportStats {
    return { ...this.counters };
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.sending]);
  }

  /**
   * After a batch failed for good, an idempotent kafkajs producer may be out of step with the
   * broker: kafkajs rolls a failed request's sequence numbers back even when the broker wrote it
   * (the connection died before the answer). The next batch would reuse those numbers and the broker
   * would take it for a retry of the written one: acknowledged, not written, when the record count
   * matches (or rejected as out of order for good when it does not). A new producer id restarts the
   * sequences, so the producer is replaced before the next batch goes out.
   */
  renew(): Promise<void> {
    this.renewing ??= (async () => {
      const old = this.producer;
      const fresh = this.createProducer();
      await fresh.connect();
      this.producer = fresh;
      this.stale = false;
      this.counters.renewals++;
      this.logger.warn(
        { code: ErrorCode.ProducerRenewed },
        'a batch failed for good: replaced the idempotent kafkajs producer (new producer id) before sending more',
      );
      void old.disconnect().catch(() => undefined);
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  send(batch: OutgoingBatch, settle: (results: readonly RecordResult[]) => void): Promise<void> {
    const sent = this.sendRounds(batch, settle);
    this.sending.add(sent);
    return sent.finally(() => this.sending.delete(sent));
  }

  private async sendRounds(
    batch: OutgoingBatch,
    settle: (results: readonly RecordResult[]) => void,
  ): Promise<void> {
    let pending: readonly Indexed[] = batch.records.map((r, index) => ({
      index,
      routedPartition: r.partition,
    }));
    for (let round = 1; ; round++) {
      const answer = await this.sendOnce(batch, pending);
      if (answer instanceof TransportError) {
        settle(pending.map((p) => ({ index: p.index, error: answer })));
        return;
      }
      // Partitions kafkajs left without a result (see splitByAnswer) are sent again before any later
      // batch: maxInFlight 1 keeps the order, and the idempotent sequence was rolled back with the
      // failed request, so if that request did reach the broker the resend is deduplicated there.
      const { written, unanswered } = splitByAnswer(
        pending,
        answer.map((r) => r.partition),
        this.options.acks,
      );
      settle(offsetsOf(written, answer));
      if (unanswered.length === 0) return;
      const partitions = [...new Set(unanswered.map((p) => p.routedPartition))];
      if (round >= MAX_UNANSWERED_ROUNDS) {
        // kafkajs rolled these partitions' sequence numbers back: start over with a new producer id.
        if (this.options.idempotent) this.stale = true;
        const err = new TransportError(
          'outcome-unknown',
          `Kafka returned no result for partition(s) ${partitions.join(', ')} of "${batch.topic}" ${round} times; ${unanswered.length} record(s) not acknowledged`,
        );
        settle(unanswered.map((p) => ({ index: p.index, error: err })));
        return;
      }
      const delayMs = backoffMs(round - 1);
      this.logger.warn(
        {
          code: ErrorCode.SendUnanswered,
          topic: batch.topic,
          partitions,
          records: unanswered.length,
          round,
          delayMs,
        },
        'kafkajs returned no result for some partitions of a batch; sending those records again',
      );
      this.counters.resentRecords += unanswered.length;
      pending = unanswered;
      // Spaced rounds (50, 100, 200, 400 ms) give the cluster time to settle a leader change; a
      // partition kafkajs's metadata lacks makes it refresh that metadata (decidedPartitioner).
      await sleep(delayMs);
    }
  }

  /** One kafkajs sendBatch of the records still pending; its failure fails all of them. */
  private async sendOnce(
    batch: OutgoingBatch,
    pending: readonly Indexed[],
  ): Promise<KafkaMetadata[] | TransportError> {
    // Every record has its partition decided, so one object shape for kafkajs.
    const messages: Message[] = new Array<Message>(pending.length);
    for (let i = 0; i < pending.length; i++) {
      const r = batch.records[pending[i]!.index]!;
      messages[i] = { key: r.key, value: r.value, headers: r.headers, partition: r.partition };
    }
    try {
      if (this.stale) await this.renew();
      return await this.producer.sendBatch({
        topicMessages: [{ topic: batch.topic, messages }],
        acks: this.options.acks,
        timeout: this.options.requestTimeoutMs,
        compression: compressionOf[this.options.compression],
      });
    } catch (e) {
      if (this.options.idempotent) this.stale = true;
      return new TransportError(
        outcomeOfKafkajsError(e),
        `sending ${pending.length} record(s) to "${batch.topic}" failed after retries: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
}

/** Offsets of the answered records: the partition's base offset + the record's index within it. */
function offsetsOf(written: readonly Indexed[], answer: readonly KafkaMetadata[]): RecordResult[] {
  // Offsets stay below 2^53 in practice: plain numbers are exact and far cheaper than BigInt.
  const base = new Map(answer.map((r) => [r.partition, Number(r.baseOffset ?? '-1')]));
  const seen = new Map<number, number>();
  return written.map((p) => {
    const n = seen.get(p.routedPartition) ?? 0;
    seen.set(p.routedPartition, n + 1);
    const b = base.get(p.routedPartition);
    return { index: p.index, offset: b === undefined || b < 0 ? '-1' : String(b + n) };
  });
}
