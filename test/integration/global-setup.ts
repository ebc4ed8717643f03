import type { TestProject } from 'vitest/node';
import * as localKafka from '../../src/adapters/local-kafka/index.js';
import * as localRegistry from '../../src/adapters/local-registry/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    /** the schema registry's Confluent-compatible API */
    schemaRegistryUrl: string;
  }
}

interface Started {
  readonly provide: () => void;
  readonly teardown: () => Promise<void>;
}

/**
 * Integration tests run against a real broker: KAFKA_BROKERS when given, else the local KRaft
 * broker from Maven Central jars on KTB_TEST_KAFKA_PORT (default 19092, away from the demo's 9092).
 */
async function broker(project: TestProject): Promise<Started> {
  const external = process.env['KAFKA_BROKERS'];
  if (external !== undefined && external !== '')
    return {
      provide: () => project.provide('kafkaBrokers', external.split(',')),
      teardown: async () => undefined,
    };
  const opts = localKafka.defaultLocalKafkaOptions({
    port: Number(process.env['KTB_TEST_KAFKA_PORT'] ?? 19092),
  });
  const r = await localKafka.start(opts, (l) => console.log(`[local-kafka] ${l}`));
  console.log(`[local-kafka] ${r.started ? 'started' : 'reusing'} broker at ${r.bootstrap.join(',')}`);
  return {
    provide: () => project.provide('kafkaBrokers', r.bootstrap),
    teardown: async () => {
      if (r.started) await localKafka.stop(opts);
    },
  };
}

/**
 * And a real schema registry: SCHEMA_REGISTRY_URL when given, else the local Apicurio Registry on
 * KTB_TEST_REGISTRY_PORT (default 18081, away from the demo's 8081), started or reused.
 */
async function registry(project: TestProject): Promise<Started> {
  const external = process.env['SCHEMA_REGISTRY_URL'];
  if (external !== undefined && external !== '')
    return { provide: () => project.provide('schemaRegistryUrl', external), teardown: async () => undefined };
  const opts = localRegistry.defaultLocalRegistryOptions({
    port: Number(process.env['KTB_TEST_REGISTRY_PORT'] ?? 18081),
  });
  const r = await localRegistry.startRegistry(opts, (l) => console.log(`[local-registry] ${l}`));
  console.log(`[local-registry] ${r.started ? 'started' : 'reusing'} registry at ${r.url}`);
  return {
    provide: () => project.provide('schemaRegistryUrl', r.url),
    teardown: async () => {
      if (r.started) await localRegistry.stopRegistry(opts);
    },
  };
}

/** Both start side by side; we stop only what we started. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [b, r] = await Promise.allSettled([broker(project), registry(project)]);
  const started = [b, r].flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
  const failed = [b, r].find((x) => x.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((s) => s.teardown()));
    throw failed.reason;
  }
  for (const s of started) s.provide();
  return async () => {
    await Promise.all(started.map((s) => s.teardown()));
  };
}
