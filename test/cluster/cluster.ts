import { appendFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import * as localKafka from '../../src/adapters/local-kafka/index.js';

/**
 * The 3-broker KRaft cluster the cluster tests start for themselves (on KTB_TEST_CLUSTER_PORT, 19892 by
 * default), with a patient kafkajs client. KTB_TEST_KAFKAJS_LOG=file writes kafkajs's own warnings and
 * info there, one JSON line each (diagnosis).
 */
export async function startCluster(
  clientId: string,
): Promise<{ opts: localKafka.LocalKafkaOptions; kafka: Kafka }> {
  const opts = localKafka.defaultLocalKafkaOptions({
    port: Number(process.env['KTB_TEST_CLUSTER_PORT'] ?? 19892),
    brokers: 3,
    heapMb: 512,
  });
  await localKafka.stop(opts, { clean: true });
  const r = await localKafka.start(opts);
  if (r.bootstrap.length !== 3) throw new Error(`expected 3 brokers, got ${r.bootstrap.join(',')}`);
  const kafkajsLog = process.env['KTB_TEST_KAFKAJS_LOG'];
  const kafka = new Kafka({
    clientId,
    brokers: r.bootstrap,
    ...(kafkajsLog === undefined
      ? { logLevel: logLevel.NOTHING }
      : {
          logLevel: logLevel.INFO,
          logCreator:
            () =>
            ({ namespace, level, log }: { namespace: string; level: number; log: object }) =>
              appendFileSync(kafkajsLog, `${JSON.stringify({ t: Date.now(), namespace, level, ...log })}\n`),
        }),
    retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  return { opts, kafka };
}

/**
 * partition -> leader node id. A broker other than the one that answered the topic's creation may not
 * have its metadata yet (UNKNOWN_TOPIC_OR_PARTITION, or no leader): asks again until every partition
 * has a leader, within a deadline.
 */
export async function leadersOf(
  kafka: Kafka,
  topic: string,
  timeoutMs = 15_000,
): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      let last: unknown;
      try {
        const md = await admin.fetchTopicMetadata({ topics: [topic] });
        const parts = md.topics[0]?.partitions ?? [];
        if (parts.length > 0 && parts.every((p) => p.leader >= 0))
          return new Map(parts.map((p) => [p.partitionId, p.leader]));
        last = `partitions ${JSON.stringify(parts.map((p) => [p.partitionId, p.leader]))}`;
      } catch (e) {
        const type = (e as { type?: string }).type;
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw e;
        last = e;
      }
      if (Date.now() >= deadline)
        throw new Error(`no leader for every partition of ${topic} within ${timeoutMs} ms: ${String(last)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Java's String.hashCode (32-bit), which Kafka uses to place a group on a __consumer_offsets partition. */
const javaHash = (s: string): number => {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
};

/**
 * The broker that coordinates `groupId`: the leader of its __consumer_offsets partition
 * (Utils.abs(groupId.hashCode) % partitions, as Kafka's group coordinator places it).
 */
export async function coordinatorOf(kafka: Kafka, groupId: string): Promise<number> {
  const leaders = await leadersOf(kafka, '__consumer_offsets');
  const h = javaHash(groupId);
  // Kafka's Utils.abs (not Utils.toPositive): |h|, and 0 for Integer.MIN_VALUE
  const p = (h === -2147483648 ? 0 : Math.abs(h)) % leaders.size;
  const leader = leaders.get(p);
  if (leader === undefined) throw new Error(`__consumer_offsets partition ${p} has no leader`);
  return leader;
}
