import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendManyError, SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import {
  schemaDeserializer,
  schemaIdOf,
  schemaSerializer,
} from '../../../src/adapters/schema-registry/index.js';
import { ErrorCode, isTenantBalancerError } from '../../../src/domain/errors.js';
import { collect } from '../helpers/collect.js';
import { testKafka, uniqueName, waitFor } from '../helpers/kafka.js';
import { avro, eventV1, eventV2, setCompatibility, sharedRegistry } from '../helpers/registry.js';

/** A change BACKWARD refuses: a new field without a default (v2 readers could not read v1 records). */
const eventNoDefault = { ...eventV1, fields: [...eventV1.fields, { name: 'owner', type: 'string' }] };

describe('Avro schema evolution against the real registry (subject at BACKWARD)', () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueName('avro-evolve');
  const subject = `${topic}-value`;
  const producers: SmartProducer<unknown>[] = [];
  const producerWith = async (schema: object) => {
    const p = new SmartProducer<unknown>(
      kafka,
      { lingerMs: 2 },
      { serializer: schemaSerializer({ registry: sharedRegistry(), schema: avro(schema) }) },
    );
    await p.connect();
    producers.push(p);
    return p;
  };

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await setCompatibility(sharedRegistry().url, subject, 'BACKWARD');
  });
  afterAll(async () => {
    for (const p of producers) await p.disconnect();
    await admin.disconnect();
  });

  it('a writer on v2 (a field with a default) while a v1 reader goes on; an incompatible v3 is refused; a bad value fails alone', async () => {
    const v1 = await producerWith(eventV1);
    await v1.sendMany([0, 1].map((seq) => ({ topic, value: { tenant: 'acme', seq } })));
    const v2 = await producerWith(eventV2);
    await v2.sendMany([2, 3].map((seq) => ({ topic, value: { tenant: 'acme', seq, region: 'us' } })));

    const v3 = await producerWith(eventNoDefault);
    const refused = await v3
      .send({ topic, value: { tenant: 'acme', seq: 99, owner: 'x' } })
      .catch((e: unknown) => e);
    expect(isTenantBalancerError(refused, ErrorCode.SchemaIncompatible)).toBe(true);
    expect(String(refused)).toContain(subject);

    // A value that does not match fails alone; the records around it in the batch are sent.
    const bad = await v2
      .sendMany([
        { topic, value: { tenant: 'acme', seq: 4 } },
        { topic, value: { tenant: 'acme', seq: 'five' } },
        { topic, value: { tenant: 'acme', seq: 6, region: 'ap' } },
      ])
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(SendManyError);
    const failed = (bad as SendManyError).failed;
    expect(failed.map((f) => [f.index, f.error.code])).toEqual([[1, ErrorCode.SchemaValueInvalid]]);
    expect(failed[0]!.error.message).toContain('seq');

    const read = await collect(kafka, topic);
    try {
      await waitFor(() => read.seen.length >= 6, '6 records', 20_000);
    } finally {
      await read.stop();
    }
    expect(new Set(read.seen.map((r) => schemaIdOf(r.bytes!))).size).toBe(2);
    // The v1 reader reads v2 records as v1 (the new field is dropped), unchanged.
    const v1Reader = schemaDeserializer({ registry: sharedRegistry(), readerSchema: eventV1 });
    const asV1 = await Promise.all(read.seen.map((r) => v1Reader(r.bytes!)));
    expect(asV1.map((v) => ({ ...(v as object) }))).toEqual(
      [0, 1, 2, 3, 4, 6].map((seq) => ({ tenant: 'acme', seq })),
    );
    // A v2 reader fills the default in for v1 records.
    const v2Reader = schemaDeserializer({ registry: sharedRegistry(), readerSchema: eventV2 });
    const asV2 = (await Promise.all(read.seen.map((r) => v2Reader(r.bytes!)))) as { region: string }[];
    expect(asV2.map((v) => v.region)).toEqual(['eu', 'eu', 'us', 'us', 'eu', 'ap']);
  }, 60_000);
});
