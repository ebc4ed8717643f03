import { CompressionTypes, type Admin, type Consumer, type EachMessagePayload } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKafka, uniqueName, waitFor } from '../helpers/kafka.js';

// Proves every kafkajs API the product relies on works against the local Kafka 4.x broker.
describe('kafkajs against the local Kafka 4 broker', () => {
  const kafka = testKafka();
  let admin: Admin;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await admin.disconnect();
  });

  it('creates a topic, then grows it with createPartitions', async () => {
    const topic = uniqueName('api-grow');
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })).toBe(
      true,
    );
    await admin.createPartitions({ topicPartitions: [{ topic, count: 5 }] });
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(md.topics[0]?.partitions).toHaveLength(5);
  });

  it('produces with acks=all and idempotence, and log-end offsets reflect it', async () => {
    const topic = uniqueName('api-produce');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const meta = await producer.send({
        topic,
        acks: -1,
        messages: [0, 1, 2, 2, 2].map((p, i) => ({ partition: p, value: `v${i}` })),
      });
      expect(meta.every((m) => m.errorCode === 0)).toBe(true);
    } finally {
      await producer.disconnect();
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    const end = Object.fromEntries(offsets.map((o) => [o.partition, Number(o.high)]));
    expect(end).toEqual({ 0: 1, 1: 1, 2: 3 });
  });

  it('consumes in a group, commits, and fetchOffsets/describeGroups report the group', async () => {
    const topic = uniqueName('api-group');
    const groupId = uniqueName('api-group');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 0, 1].map((p, i) => ({ partition: p, value: `m${i}` })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition, topic: t }: EachMessagePayload) => {
        seen.push(String(message.value));
        await consumer.commitOffsets([{ topic: t, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    await waitFor(() => seen.length === 3, 'three records consumed');

    const committed = await waitFor(async () => {
      const r = await admin.fetchOffsets({ groupId, topics: [topic] });
      const parts = r[0]?.partitions ?? [];
      const byP = Object.fromEntries(parts.map((p) => [p.partition, Number(p.offset)]));
      return byP[0] === 2 && byP[1] === 1 ? byP : undefined;
    }, 'committed offsets 2 and 1');
    expect(committed).toEqual({ 0: 2, 1: 1 });

    const groups = await admin.describeGroups([groupId]);
    expect(groups.groups[0]?.state).toBe('Stable');
    expect(groups.groups[0]?.members.length).toBe(1);
    const listed = await admin.listGroups();
    expect(listed.groups.map((g) => g.groupId)).toContain(groupId);
  });

  it('reads a compacted topic from the beginning, keyed by the latest value', async () => {
    const topic = uniqueName('api-compacted');
    await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      waitForLeaders: true,
    });
    const described = await admin.describeConfigs({
      resources: [{ type: 2, name: topic }],
      includeSynonyms: false,
    });
    expect(
      described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue,
    ).toBe('compact');

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'a', value: '1' },
        { key: 'b', value: '1' },
        { key: 'a', value: '2' },
        { key: 'b', value: null },
      ],
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('api-compacted') });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const table = new Map<string, string | null>();
    let count = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        count++;
        table.set(String(message.key), message.value === null ? null : String(message.value));
      },
    });
    await waitFor(() => count >= 4, 'all four records');
    expect(Object.fromEntries(table)).toEqual({ a: '2', b: null });
  });

  it('lists topics and describes the cluster', async () => {
    const topic = uniqueName('api-list');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    expect(await admin.listTopics()).toContain(topic);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
    expect(cluster.controller).not.toBeNull();
  });

  it('sendBatch with gzip to several topics; eachBatch with heartbeat, resolveOffset and commitOffsetsIfNecessary over partitions consumed concurrently; group and batch events', async () => {
    const a = uniqueName('api-batch-a');
    const b = uniqueName('api-batch-b');
    await admin.createTopics({
      topics: [
        { topic: a, numPartitions: 3 },
        { topic: b, numPartitions: 2 },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const results = await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.GZIP,
        topicMessages: [
          {
            topic: a,
            messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `a${i}` })),
          },
          {
            topic: b,
            messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: `b${i}` })),
          },
        ],
      });
      expect(new Set(results.map((r) => `${r.topicName}/${r.partition}`)).size).toBe(5);
    } finally {
      await producer.disconnect();
    }
    const groupId = uniqueName('api-batch');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    let joined = 0;
    let batchesEnded = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => void joined++);
    consumer.on(consumer.events.END_BATCH_PROCESS, () => void batchesEnded++);
    await consumer.connect();
    await consumer.subscribe({ topics: [a, b], fromBeginning: true });
    const values: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        for (const m of batch.messages) {
          values.push(String(m.value));
          resolveOffset(m.offset);
        }
        await new Promise((r) => setTimeout(r, 20));
        await heartbeat();
        await commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
            },
          ],
        });
        inFlight--;
      },
    });
    await waitFor(() => values.length >= 50, 'all 50 gzip records');
    expect(new Set(values).size).toBe(50);
    expect(joined).toBeGreaterThanOrEqual(1);
    expect(batchesEnded).toBeGreaterThanOrEqual(1);
    expect(mostInFlight).toBeGreaterThan(1);
    await waitFor(async () => {
      const committed = await admin.fetchOffsets({ groupId, topics: [a, b] });
      return (
        committed.flatMap((t) => t.partitions).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === 50
      );
    }, 'every partition committed to its end');
  });

  it('transactions: a committed write is read, an aborted one is not (read_committed), and a second producer with the same id fences the first', async () => {
    const topic = uniqueName('api-tx');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const id = uniqueName('api-tx-id');
    const first = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
    await first.connect();
    const second = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
    try {
      const ok = await first.transaction();
      await ok.send({ topic, messages: [{ value: 'committed' }] });
      await ok.commit();
      const no = await first.transaction();
      await no.send({ topic, messages: [{ value: 'aborted' }] });
      await no.abort();
      await second.connect();
      await (await second.transaction()).abort(); // registers the id: the first is fenced
      const late = await first.transaction();
      await expect(late.send({ topic, messages: [{ value: 'zombie' }] })).rejects.toThrow();
    } finally {
      await first.disconnect();
      await second.disconnect();
    }
    const consumer = kafka.consumer({ groupId: uniqueName('api-tx') });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    await waitFor(() => seen.length >= 1, 'the committed record');
    const end = Number((await admin.fetchTopicOffsets(topic))[0]!.high);
    expect(end).toBeGreaterThan(1); // markers and the aborted record take offsets too
    expect(seen).toEqual(['committed']);
  });
});
