import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import {
  schemaDeserializer,
  schemaIdOf,
  schemaSerializer,
  type SchemaSerializerOptions,
} from '../../../src/adapters/schema-registry/index.js';
import { ErrorCode, isTenantBalancerError } from '../../../src/domain/errors.js';
import { collect } from '../helpers/collect.js';
import { testKafka, uniqueName, waitFor } from '../helpers/kafka.js';
import { avro, eventV1, eventV2, sharedRegistry } from '../helpers/registry.js';

/**
 * A producer that does not register: `use: 'latest'` writes with the subject's latest version, and
 * `use: { id }` with exactly that schema (as a deployment that registers schemas in CI would).
 */
describe('choosing the writer schema without registering (real registry)', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueName('schema-choice');
  const producers: SmartProducer<unknown>[] = [];
  const producerWith = async (o: Omit<SchemaSerializerOptions, 'registry'>) => {
    const p = new SmartProducer<unknown>(
      kafka,
      { lingerMs: 2 },
      { serializer: schemaSerializer({ registry: sharedRegistry(), ...o }) },
    );
    await p.connect();
    producers.push(p);
    return p;
  };

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  });
  afterAll(async () => {
    for (const p of producers) await p.disconnect();
    await admin.disconnect();
  });

  it("'latest' follows the newest version, { id } pins one, and a subject with no version is a clear error", async () => {
    // v1 then v2 registered by auto-registering writers
    await (await producerWith({ schema: avro(eventV1) })).send({ topic, value: { tenant: 'a', seq: 0 } });
    await (
      await producerWith({ schema: avro(eventV2) })
    ).send({ topic, value: { tenant: 'a', seq: 1, region: 'us' } });
    const read = await collect(kafka, topic);
    let v1Id: number;
    let v2Id: number;
    try {
      await waitFor(() => read.seen.length >= 2, 'the two registered writes', 20_000);
      [v1Id, v2Id] = read.seen.map((r) => schemaIdOf(r.bytes!)) as [number, number];
      expect(v2Id).not.toBe(v1Id);

      await (
        await producerWith({ use: 'latest' })
      ).send({ topic, value: { tenant: 'a', seq: 2, region: 'ap' } });
      await (await producerWith({ use: { id: v1Id } })).send({ topic, value: { tenant: 'a', seq: 3 } });
      await waitFor(() => read.seen.length >= 4, 'the two unregistered writes', 20_000);
    } finally {
      await read.stop();
    }
    expect(read.seen.map((r) => schemaIdOf(r.bytes!))).toEqual([v1Id, v2Id, v2Id, v1Id]);
    const asV2 = schemaDeserializer({ registry: sharedRegistry(), readerSchema: eventV2 });
    const values = (await Promise.all(read.seen.map((r) => asV2(r.bytes!)))) as {
      seq: number;
      region: string;
    }[];
    expect(values.map((v) => [v.seq, v.region])).toEqual([
      [0, 'eu'],
      [1, 'us'],
      [2, 'ap'],
      [3, 'eu'],
    ]);

    // 'latest' of a subject nobody registered: the send fails, naming the subject
    const elsewhere = uniqueName('schema-choice-none');
    await admin.createTopics({ topics: [{ topic: elsewhere, numPartitions: 1 }], waitForLeaders: true });
    const none = await (
      await producerWith({ use: 'latest' })
    )
      .send({ topic: elsewhere, value: { tenant: 'a', seq: 0 } })
      .catch((e: unknown) => e);
    expect(isTenantBalancerError(none, ErrorCode.SchemaNotFound)).toBe(true);
    expect(String(none)).toContain(`${elsewhere}-value`);
  }, 60_000);
});
