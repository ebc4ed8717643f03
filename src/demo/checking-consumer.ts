import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { OrderedConsumer } from '../adapters/kafka/ordered-consumer/index.js';
import { LogOrderChecker } from '../domain/log-order-checker.js';
import { OrderingChecker } from '../domain/ordering-checker.js';
import { Headers } from '../domain/record-headers.js';

export interface CheckingConsumerOptions {
  readonly topic: string;
  readonly groupId: string;
  /** simulated processing cost per record (µs): bounds each partition's capacity at 1e6/cost rec/s */
  readonly costMicros: number;
  /** partitions processed in parallel by each member */
  readonly concurrency: number;
  /**
   * Group members in this process (default 1). kafkajs fetches the next batch only when every
   * partition of the previous fetch is processed, so one slow partition stalls a member's others:
   * with one member per partition, partitions are as independent as separate consumer processes.
   */
  readonly members?: number;
  /**
   * Keep one [consumedAt, latencyMs] sample per record in `latency` (default true). Long runs that
   * only need order and loss (the soak) turn it off: the samples grow with every record.
   */
  readonly keepLatency?: boolean;
  /**
   * How order is judged. `consumed` (default): in the order this group processes records, with
   * `checker`; right for a group the controller's drain waits for. `log`: the log as written, with
   * `logChecker` (per partition, and across route epochs); for a reader the drain does not gate,
   * such as `tenant-balancer check`, which sees a migrated tenant's partitions interleaved.
   */
  readonly order?: 'consumed' | 'log';
  /**
   * Consume through the ordered consumer (consumer-gated moves: the group holds a moved tenant
   * itself, so the controller does not make producers wait for it): the routing and acks topics.
   */
  readonly ordered?: { readonly routingTopic: string; readonly acksTopic: string };
  /**
   * Decodes every value (a schema registry deserializer: by the schema id it carries); values that
   * do not decode are counted in `decodeFailures`, the first error kept in `firstDecodeError`.
   */
  readonly decodeValue?: (value: Buffer) => Promise<unknown>;
  /** called for every record with a tenant sequence, after the checker saw it (diagnostics) */
  readonly onRecord?: (r: {
    tenant: string;
    seq: number;
    shardKey: string | undefined;
    partition: number;
    offset: string;
    routeEpoch: number;
  }) => void;
}

const header = (h: Record<string, unknown> | undefined, k: string): string | undefined => {
  const v = h?.[k];
  return v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v);
};

/**
 * A consumer group member that processes records at a bounded rate per partition, checks
 * per-tenant order with the OrderingChecker and records produce-to-consume latency per tenant.
 * Offsets are committed every few hundred ms, which is what the controller's drain waits on.
 */
export class CheckingConsumer {
  readonly checker = new OrderingChecker();
  /** with `order: 'log'`: judges the log as written (the records then skip `checker`) */
  readonly logChecker: LogOrderChecker | undefined;
  /** partition -> the offset after the last record processed there */
  readonly positions = new Map<number, number>();
  /** tenant -> [consumedAt, latencyMs] samples */
  readonly latency = new Map<string, [number, number][]>();
  consumed = 0;
  /** with `decodeValue`: values decoded, and values that did not decode */
  decoded = 0;
  decodeFailures = 0;
  firstDecodeError: string | undefined;
  private readonly consumers: Consumer[];
  /** the members, when consuming through the ordered consumer */
  readonly ordered: OrderedConsumer[];

  constructor(
    kafka: Kafka,
    private readonly o: CheckingConsumerOptions,
  ) {
    this.logChecker = o.order === 'log' ? new LogOrderChecker() : undefined;
    // A short metadata age: partitions the controller adds are picked up (and read from the
    // beginning) within a second. Consumers of managed topics must reset to earliest, or records
    // routed to a new partition before the group sees it would be skipped.
    const members = Math.max(1, o.members ?? 1);
    const ordered = o.ordered;
    this.ordered =
      ordered === undefined
        ? []
        : Array.from(
            { length: members },
            () =>
              new OrderedConsumer(kafka, {
                groupId: o.groupId,
                topics: [o.topic],
                routingTopic: ordered.routingTopic,
                acksTopic: ordered.acksTopic,
                fromBeginning: true,
                partitionsConsumedConcurrently: o.concurrency,
                consumer: { maxWaitTimeInMs: 50, sessionTimeout: 30_000, metadataMaxAge: 1000 },
              }),
          );
    this.consumers = Array.from({ length: ordered === undefined ? members : 0 }, () =>
      kafka.consumer({
        groupId: o.groupId,
        maxWaitTimeInMs: 50,
        sessionTimeout: 30_000,
        metadataMaxAge: 1000,
        allowAutoTopicCreation: false,
      }),
    );
  }

  async start(): Promise<void> {
    await Promise.all([
      ...this.consumers.map((c) => this.startMember(c)),
      ...this.ordered.map((c) =>
        c.run({
          eachBatch: async ({ partition, messages }) => {
            if (this.o.costMicros > 0)
              await new Promise((r) => setTimeout(r, (messages.length * this.o.costMicros) / 1000));
            await this.process(partition, messages);
          },
        }),
      ),
    ]);
  }

  /** Checks and counts records this member processed (order, latency, positions). */
  private async process(partition: number, msgs: readonly KafkaMessage[]): Promise<void> {
    const keepLatency = this.o.keepLatency ?? true;
    const now = Date.now();
    for (const m of msgs) {
      if (this.o.decodeValue !== undefined && m.value !== null) await this.decode(m.value);
      const tenant = header(m.headers, Headers.tenantId);
      const seq = Number(header(m.headers, Headers.tenantSeq));
      if (tenant !== undefined && Number.isInteger(seq)) {
        const shardKey = header(m.headers, Headers.shardKey);
        // no header: the default route, epoch 0
        const routeEpoch = Number(header(m.headers, Headers.routeEpoch) ?? 0);
        if (this.logChecker !== undefined)
          this.logChecker.observe({
            tenant,
            seq,
            shardKey,
            partition,
            epoch: Number.isInteger(routeEpoch) ? routeEpoch : 0,
          });
        else this.checker.observe(tenant, seq, shardKey);
        this.o.onRecord?.({ tenant, seq, shardKey, partition, offset: m.offset, routeEpoch });
        if (keepLatency) {
          const sentAt = Number(header(m.headers, Headers.sentAt));
          if (Number.isFinite(sentAt)) {
            let l = this.latency.get(tenant);
            if (l === undefined) this.latency.set(tenant, (l = []));
            l.push([now, now - sentAt]);
          }
        }
      }
      this.consumed++;
      this.positions.set(partition, Number(m.offset) + 1);
    }
  }

  private async startMember(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: this.o.concurrency,
      autoCommitInterval: 200,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning }) => {
        const chunk = 50;
        for (let i = 0; i < batch.messages.length && isRunning(); i += chunk) {
          const msgs = batch.messages.slice(i, i + chunk);
          if (this.o.costMicros > 0)
            await new Promise((r) => setTimeout(r, (msgs.length * this.o.costMicros) / 1000));
          await this.process(batch.partition, msgs);
          for (const m of msgs) resolveOffset(m.offset);
          await heartbeat();
          await commitOffsetsIfNecessary();
        }
        // past control records too (a transaction marker ends a batch without a message)
        if (isRunning() && batch.messages.length > 0)
          this.positions.set(batch.partition, Number(batch.lastOffset()) + 1);
      },
    });
  }

  private async decode(value: Buffer): Promise<void> {
    try {
      await this.o.decodeValue!(value);
      this.decoded++;
    } catch (e) {
      this.decodeFailures++;
      this.firstDecodeError ??= e instanceof Error ? e.message : String(e);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.consumers.map((c) => c.disconnect()), ...this.ordered.map((c) => c.stop())]);
  }
}
