import { spawnSync } from 'node:child_process';
import { progress } from './harness.js';

/**
 * The Java client's ProducerPerformance on the same broker and topic: a ceiling, not a like-for-like
 * baseline (it sends keyless records without headers, spread by its sticky partitioner over all of
 * the topic's partitions). undefined rate when there is no local classpath or the run failed.
 */
export function javaProducerPerf(o: {
  classpath: string | undefined;
  brokers: string[];
  topic: string;
  records: number;
  recordBytes: number;
  batchBytes: number;
}): { rate: number | undefined; note: string } {
  if (o.classpath === undefined)
    return {
      rate: undefined,
      note: 'Java ProducerPerformance skipped: KAFKA_BROKERS was set, so no local Kafka jars were resolved.',
    };
  progress('  Java kafka-producer-perf-test (ProducerPerformance from the Kafka jars)');
  const r = spawnSync(
    'java',
    [
      '-cp',
      o.classpath,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      o.topic,
      '--num-records',
      String(o.records),
      '--record-size',
      String(o.recordBytes),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${o.brokers.join(',')}`,
      'acks=all',
      'enable.idempotence=true',
      `batch.size=${o.batchBytes}`,
      'linger.ms=5',
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  const m = /([\d.]+) records\/sec/.exec(r.stdout.trim().split('\n').pop() ?? '');
  const rate = m ? Number(m[1]) : undefined;
  return {
    rate,
    note:
      rate === undefined
        ? `Java ProducerPerformance failed: ${(r.stderr || r.stdout).slice(-300)}`
        : `Java ProducerPerformance (a ceiling, not equal work): the Java client on the same broker and topic, ${o.records} records of ${o.recordBytes} bytes, acks=all, idempotent, linger.ms=5, keyless and without headers, over all of the topic's partitions.`,
  };
}
