import type { Kafka, Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KafkajsTransport } from '../../../../../src/adapters/kafka/smart-producer/kafkajs-transport.js';
import type { RecordResult } from '../../../../../src/adapters/kafka/smart-producer/transport.js';

/**
 * The give-up path of the unanswered-partition resend: kafkajs 2.2.4 can resolve a sendBatch without
 * a result for some partitions, and no way was found to make a real broker do it on demand, so a
 * stand-in kafkajs client answers only the partitions a test chooses. (The resend itself is proven on
 * the real 3-broker cluster, test/cluster/three-brokers.test.ts.)
 */
function fakeKafka(answer: (batch: ProducerBatch, call: number) => number[]) {
  const calls: { producer: number; partitions: number[] }[] = [];
  let producers = 0;
  const kafka = {
    admin: () => ({ connect: async () => undefined, disconnect: async () => undefined }),
    producer: () => {
      const id = ++producers;
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
          const sent = [...new Set(batch.topicMessages![0]!.messages.map((m) => m.partition!))];
          calls.push({ producer: id, partitions: sent });
          return answer(batch, calls.length)
            .filter((p) => sent.includes(p))
            .map((p) => ({ topicName: 'orders', partition: p, errorCode: 0, baseOffset: '100' }));
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, calls, producers: () => producers };
}

const logs: { msg: string; obj: Record<string, unknown> }[] = [];
const logger = pino(
  { level: 'warn' },
  { write: (line: string) => void logs.push({ msg: JSON.parse(line).msg, obj: JSON.parse(line) }) },
);
const options = {
  idempotent: true,
  maxInFlight: 1,
  retries: 0,
  acks: -1 as const,
  requestTimeoutMs: 1000,
  compression: 'none' as const,
};
const record = (partition: number) => ({ partition, key: 'k', value: Buffer.from('v'), headers: {} });

describe('KafkajsTransport: partitions kafkajs leaves unanswered', () => {
  it('sends them again 4 times, 50-400 ms apart, then fails only their records and renews the producer', async () => {
    logs.length = 0;
    const fake = fakeKafka(() => [0]); // partition 1 never gets a result
    const t = new KafkajsTransport(fake.kafka, options, logger);
    await t.connect();
    const results: RecordResult[] = [];
    const startedAt = Date.now();
    await t.send({ topic: 'orders', records: [record(0), record(1), record(0), record(1)] }, (r) =>
      results.push(...r),
    );
    const took = Date.now() - startedAt;
    expect(fake.calls.map((c) => c.partitions)).toEqual([[0, 1], [1], [1], [1], [1]]);
    expect(took).toBeGreaterThanOrEqual(50 + 100 + 200 + 400 - 20);
    const byIndex = new Map(results.map((r) => [r.index, r]));
    expect(byIndex.get(0)).toEqual({ index: 0, offset: '100' });
    expect(byIndex.get(2)).toEqual({ index: 2, offset: '101' });
    for (const i of [1, 3]) {
      const r = byIndex.get(i) as { error: { outcome: string; code: string; message: string } };
      expect(r.error.outcome).toBe('outcome-unknown');
      expect(r.error.code).toBe('KTB_SEND_FAILED');
      expect(r.error.message).toMatch(/no result for partition\(s\) 1 of "orders" 5 times; 2 record\(s\)/);
    }
    expect(results).toHaveLength(4);
    expect(t.stats()).toEqual({ resentRecords: 8, renewals: 0 });
    expect(logs.filter((l) => l.obj['code'] === 'KTB_SEND_UNANSWERED').map((l) => l.obj['round'])).toEqual([
      1, 2, 3, 4,
    ]);
    // kafkajs rolled the partition's sequence back: the next batch goes out on a new producer id.
    await t.send({ topic: 'orders', records: [record(0)] }, (r) => results.push(...r));
    expect(fake.producers()).toBe(2);
    expect(fake.calls.at(-1)).toEqual({ producer: 2, partitions: [0] });
    expect(t.stats().renewals).toBe(1);
  });

  it('stops resending once a later round answers, and keeps the first answers offsets', async () => {
    const fake = fakeKafka((_b, call) => (call === 1 ? [0] : [0, 1]));
    const t = new KafkajsTransport(fake.kafka, options, logger);
    await t.connect();
    const results: RecordResult[] = [];
    await t.send({ topic: 'orders', records: [record(0), record(1)] }, (r) => results.push(...r));
    expect(fake.calls.map((c) => c.partitions)).toEqual([[0, 1], [1]]);
    expect(results).toEqual([
      { index: 0, offset: '100' },
      { index: 1, offset: '100' },
    ]);
    expect(t.stats()).toEqual({ resentRecords: 1, renewals: 0 });
  });
});
