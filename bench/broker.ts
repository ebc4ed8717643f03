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
