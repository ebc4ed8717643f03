import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { InternalTopicNames } from '../src/adapters/kafka/internal-topics.js';
import { createManagedTopic } from '../src/adapters/kafka/managed-topics.js';
import * as localKafka from '../src/adapters/local-kafka/index.js';
import { progress } from './harness.js';

/** The benchmarks' broker: KAFKA_BROKERS, or a local one on KTB_BENCH_KAFKA_PORT (default 19492) that we stop after. */
export async function withBroker<T>(
  fn: (brokers: string[], classpath: string | undefined) => Promise<T>,
): Promise<T> {
  const external = process.env['KAFKA_BROKERS'];
  if (external) return fn(external.split(','), undefined);
  const opts = localKafka.defaultLocalKafkaOptions({
    port: Number(process.env['KTB_BENCH_KAFKA_PORT'] ?? 19492),
  });
  const r = await localKafka.start(opts, (l) => progress(l));
  try {
    return await fn(r.bootstrap, localKafka.resolveClasspath(opts.home));
  } finally {
    if (r.started) await localKafka.stop(opts);
  }
}

export interface BenchTopology {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly names: InternalTopicNames;
  readonly topic: string;
  readonly run: string;
}

/** A managed topic and internal topics of their own for one benchmark run. */
export async function benchTopology(
  brokers: string[],
  name: string,
  shared: number,
  dedicated: number,
): Promise<BenchTopology> {
  const kafka = new Kafka({ clientId: `bench-${name}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const run = randomUUID().slice(0, 8);
  const names = {
    routingTopic: `bench-routes-${run}`,
    acksTopic: `bench-acks-${run}`,
    trafficTopic: `bench-traffic-${run}`,
  };
  const topic = `bench-${name}-${run}`;
  await createManagedTopic(kafka, admin, names, { topic, shared, dedicated });
  return { kafka, admin, names, topic, run };
}
