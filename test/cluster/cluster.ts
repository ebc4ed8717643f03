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

/** partition -> leader node id */
export async function leadersOf(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    return new Map(md.topics[0]!.partitions.map((p) => [p.partitionId, p.leader]));
  } finally {
    await admin.disconnect();
  }
}
