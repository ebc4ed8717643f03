import type { Kafka, KafkaMessage } from 'kafkajs';
import { OrderedConsumer } from '../src/adapters/kafka/ordered-consumer/index.js';
import { OrderingChecker } from '../src/domain/ordering-checker.js';
import { Headers } from '../src/domain/record-headers.js';
import type { BenchTopology } from './broker.js';

const header = (m: KafkaMessage, k: string): string | undefined => {
  const v = m.headers?.[k];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
};

/**
 * An ordered-consumer group that processes each record `lagMs` after it was sent (a sink that runs
 * that far behind, at full throughput), checking order and recording, per tenant, the latency beyond
 * its own lag (what a move added).
 */
export class LaggingGroup {
  readonly checker = new OrderingChecker();
  /** tenant -> [processedAt, extra ms beyond the group's lag] */
  readonly extra = new Map<string, [number, number][]>();
  readonly consumer: OrderedConsumer;

  constructor(
    kafka: Kafka,
    bt: BenchTopology,
    readonly groupId: string,
    readonly lagMs: number,
  ) {
    this.consumer = new OrderedConsumer(kafka, {
      groupId,
      topics: [bt.topic],
      routingTopic: bt.names.routingTopic,
      acksTopic: bt.names.acksTopic,
      fromBeginning: true,
      announceEveryMs: 1000,
      partitionsConsumedConcurrently: 6,
      consumer: { maxWaitTimeInMs: 50, sessionTimeout: 30_000 },
    });
  }

  start(): Promise<void> {
    return this.consumer.run({
      eachMessage: async ({ message }) => {
        const sentAt = Number(header(message, Headers.sentAt));
        const due = sentAt + this.lagMs;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const tenant = header(message, Headers.tenantId);
        const seq = Number(header(message, Headers.tenantSeq));
        if (tenant === undefined || !Number.isInteger(seq)) return;
        this.checker.observe(tenant, seq, header(message, Headers.shardKey));
        const now = Date.now();
        let e = this.extra.get(tenant);
        if (e === undefined) this.extra.set(tenant, (e = []));
        e.push([now, Math.max(0, now - due)]);
      },
    });
  }

  /** the most a tenant's records waited beyond the group's lag, among those processed after `since` */
  maxExtraSince(tenant: string, since: number): number {
    let max = 0;
    for (const [at, extra] of this.extra.get(tenant) ?? []) if (at >= since) max = Math.max(max, extra);
    return max;
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
