import type { TestProject } from 'vitest/node';
import * as localKafka from '../../src/adapters/local-kafka/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

/**
 * Integration tests run against a real broker: KAFKA_BROKERS when given, else the local KRaft
 * broker from Maven Central jars on KTB_TEST_KAFKA_PORT (default 19092, away from the demo's 9092).
 * We stop only what we started.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['KAFKA_BROKERS'];
  if (external !== undefined && external !== '') {
    project.provide('kafkaBrokers', external.split(','));
    return async () => undefined;
  }
  const opts = localKafka.defaultLocalKafkaOptions({
    port: Number(process.env['KTB_TEST_KAFKA_PORT'] ?? 19092),
  });
  const r = await localKafka.start(opts, (l) => console.log(`[local-kafka] ${l}`));
  console.log(`[local-kafka] ${r.started ? 'started' : 'reusing'} broker at ${r.bootstrap.join(',')}`);
  project.provide('kafkaBrokers', r.bootstrap);
  return async () => {
    if (r.started) await localKafka.stop(opts);
  };
}
