import type { Kafka } from 'kafkajs';
import { OrderedConsumer } from '../../../src/adapters/kafka/ordered-consumer/index.js';
import type { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { OrderingChecker } from '../../../src/domain/ordering-checker.js';
import { Headers } from '../../../src/domain/record-headers.js';
import type { Topology } from './topology.js';

/** An ordered consumer group that checks each tenant's order as it processes, with a settable cost. */
export interface CheckedGroup {
  readonly consumer: OrderedConsumer;
  readonly checker: OrderingChecker;
  /** tenant -> `shardKey:seq` processed (duplicates included) */
  readonly processed: Map<string, string[]>;
  /** ms each record costs to process (0: free); settable while running */
  costMs: number;
}

const header = (h: Record<string, unknown> | undefined, k: string): string | undefined => {
  const v = h?.[k];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : String(one);
};

export async function startCheckedGroup(
  kafka: Kafka,
  t: Topology,
  groupId: string,
  costMs: number,
  over: { maxHeldPerPartition?: number; partitionsConsumedConcurrently?: number } = {},
  /** another member of the same group: its checker and its record of what was processed are shared */
  member?: CheckedGroup,
): Promise<CheckedGroup> {
  const consumer = new OrderedConsumer(kafka, {
    groupId,
    topics: [t.topic],
    routingTopic: t.names.routingTopic,
    acksTopic: t.names.acksTopic,
    fromBeginning: true,
    announceEveryMs: 1000,
    consumer: { maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 },
    ...over,
  });
  const g: CheckedGroup = {
    consumer,
    checker: member?.checker ?? new OrderingChecker(),
    processed: member?.processed ?? new Map(),
    costMs,
  };
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (g.costMs > 0) await new Promise((r) => setTimeout(r, g.costMs));
      const tenant = header(message.headers, Headers.tenantId);
      const seq = Number(header(message.headers, Headers.tenantSeq));
      if (tenant === undefined || !Number.isInteger(seq)) return;
      const shardKey = header(message.headers, Headers.shardKey);
      g.checker.observe(tenant, seq, shardKey);
      let seqs = g.processed.get(tenant);
      if (seqs === undefined) g.processed.set(tenant, (seqs = []));
      seqs.push(`${shardKey ?? ''}:${seq}`);
    },
  });
  return g;
}

/** Every acknowledged sequence of every tenant was processed by the group (at least once). */
export const processedAll = (g: CheckedGroup, acked: ReadonlyMap<string, readonly string[]>): boolean =>
  [...acked].every(([tenant, seqs]) => {
    const seen = new Set(g.processed.get(tenant) ?? []);
    return seqs.every((s) => seen.has(s));
  });

/** Sends one record per tenant every `everyMs`; tenants in `keyed` carry a secondary key (ordered per key when sharded). */
export function startKeyedSenders(
  p: SmartProducer,
  topic: string,
  tenants: readonly string[],
  keyed: ReadonlySet<string>,
  everyMs: number,
): { acked: Map<string, string[]>; failed: () => number; stop: () => Promise<void> } {
  const acked = new Map(tenants.map((t) => [t, [] as string[]]));
  const seqs = new Map<string, number>();
  const outstanding = new Set<Promise<unknown>>();
  let failed = 0;
  let round = 0;
  const timer = setInterval(() => {
    round++;
    for (const tenant of tenants) {
      const key = keyed.has(tenant) ? `k${round % 4}` : undefined;
      const stream = `${tenant}/${key ?? ''}`;
      const seq = (seqs.get(stream) ?? 0) + 1;
      seqs.set(stream, seq);
      const headers: Record<string, string> = { [Headers.tenantSeq]: String(seq) };
      if (key !== undefined) headers[Headers.shardKey] = key;
      const done = p
        .send({
          topic,
          tenant,
          value: `${tenant}-${seq}`,
          headers,
          ...(key !== undefined ? { secondaryKey: key } : {}),
        })
        .then(
          () => void acked.get(tenant)!.push(`${key ?? ''}:${seq}`),
          () => void failed++,
        );
      outstanding.add(done);
      void done.finally(() => outstanding.delete(done));
    }
  }, everyMs);
  return {
    acked,
    failed: () => failed,
    stop: async () => {
      clearInterval(timer);
      await Promise.allSettled([...outstanding]);
    },
  };
}
