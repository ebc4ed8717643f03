import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendManyError, SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import * as localRegistry from '../../../src/adapters/local-registry/index.js';
import { schemaDeserializer, schemaSerializer } from '../../../src/adapters/schema-registry/index.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { collect } from '../helpers/collect.js';
import { testKafka, uniqueName, waitFor } from '../helpers/kafka.js';
import { avro, eventV1 } from '../helpers/registry.js';

/**
 * A registry of this file's own (the shared one must stay up for the other files), stopped and
 * started again mid-test. Its storage is in memory: the restarted registry has forgotten every schema.
 */
describe('the schema registry goes down, then comes back', () => {
  const opts = localRegistry.defaultLocalRegistryOptions({
    port: Number(process.env['KTB_TEST_OWN_REGISTRY_PORT'] ?? 18091),
  });
  const registry = { url: localRegistry.registryUrl(opts) };
  const kafka = testKafka();
  const admin = kafka.admin();
  const [warm, cold] = [uniqueName('sr-down-warm'), uniqueName('sr-down-cold')];
  let producer: SmartProducer<{ tenant: string; seq: number }>;
  const retry = { attempts: 4, initialDelayMs: 100, maxDelayMs: 400, attemptTimeoutMs: 2000 };

  beforeAll(async () => {
    await localRegistry.stopRegistry(opts);
    await localRegistry.startRegistry(opts);
    await admin.connect();
    await admin.createTopics({
      topics: [warm, cold].map((topic) => ({ topic, numPartitions: 1 })),
      waitForLeaders: true,
    });
    const serializer = schemaSerializer<{ tenant: string; seq: number }>({
      registry,
      schema: avro(eventV1),
      retry,
    });
    producer = new SmartProducer(kafka, { lingerMs: 2 }, { serializer });
    await producer.connect();
  }, 180_000);
  afterAll(async () => {
    await producer?.disconnect();
    await admin.disconnect();
    await localRegistry.stopRegistry(opts);
  }, 60_000);

  it('fails only the records whose schema it cannot look up, after retries with back-off; the rest are sent; it recovers', async () => {
    await producer.send({ topic: warm, tenant: 'acme', value: { tenant: 'acme', seq: 1 } });
    const readerBefore = schemaDeserializer({ registry, retry });

    await localRegistry.stopRegistry(opts);
    const started = Date.now();
    const outcome = await producer
      .sendMany([
        { topic: warm, tenant: 'acme', value: { tenant: 'acme', seq: 2 } },
        { topic: cold, tenant: 'acme', value: { tenant: 'acme', seq: 3 } },
        { topic: warm, tenant: 'acme', value: { tenant: 'acme', seq: 4 } },
      ])
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(outcome).toBeInstanceOf(SendManyError);
    const e = outcome as SendManyError;
    expect(e.failed.map((f) => [f.index, f.error.code])).toEqual([[1, ErrorCode.SchemaRegistryUnavailable]]);
    expect(e.failed[0]!.error.message).toContain(registry.url);
    expect(e.results[0]?.topic).toBe(warm);
    expect(e.results[2]?.topic).toBe(warm);
    // 4 attempts with waits of 100, 200 and 400 ms between them
    expect(elapsed).toBeGreaterThanOrEqual(700);

    await localRegistry.startRegistry(opts);
    await producer.send({ topic: cold, tenant: 'acme', value: { tenant: 'acme', seq: 5 } });

    const readBack = async (topic: string, n: number) => {
      const r = await collect(kafka, topic);
      try {
        await waitFor(() => r.seen.length >= n, `${n} records on ${topic}`, 20_000);
      } finally {
        await r.stop();
      }
      return r.seen;
    };
    // The reader that saw the warm topic's schema before the outage decodes from its cache.
    const warmSeen = await Promise.all((await readBack(warm, 3)).map((r) => readerBefore(r.bytes!)));
    expect(warmSeen.map((v) => (v as { seq: number }).seq)).toEqual([1, 2, 4]);
    const readerAfter = schemaDeserializer({ registry, retry });
    const coldSeen = await Promise.all((await readBack(cold, 1)).map((r) => readerAfter(r.bytes!)));
    expect(coldSeen.map((v) => (v as { seq: number }).seq)).toEqual([5]);
  }, 180_000);
});
