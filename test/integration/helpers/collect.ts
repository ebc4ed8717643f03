import type { Consumer, Kafka } from 'kafkajs';
import { uniqueName } from './kafka.js';

export interface Seen {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  /** the value as written (schema registry values are binary) */
  readonly bytes: Buffer | null;
  /** the value's bytes (binary records, e.g. traffic reports v2, do not survive a string) */
  readonly raw: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Reads a topic from the beginning into memory (a real consumer group of its own). */
export async function collect(
  kafka: Kafka,
  topic: string,
): Promise<{ seen: Seen[]; consumer: Consumer; stop: () => Promise<void> }> {
  const consumer = kafka.consumer({ groupId: uniqueName('collect'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Seen[] = [];
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {}))
        headers[k] = String(Array.isArray(v) ? v[0] : v);
      seen.push({
        partition,
        offset: Number(message.offset),
        key: message.key === null ? null : message.key.toString(),
        value: message.value === null ? null : message.value.toString(),
        bytes: message.value,
        raw: message.value,
        headers,
      });
    },
  });
  return { seen, consumer, stop: () => consumer.disconnect() };
}
