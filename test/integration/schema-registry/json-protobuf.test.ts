import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendManyError } from '../../../src/adapters/kafka/smart-producer/index.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import {
  schemaDeserializer,
  schemaIdOf,
  schemaSerializer,
  type SchemaSerializerOptions,
} from '../../../src/adapters/schema-registry/index.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { collect } from '../helpers/collect.js';
import { testKafka, uniqueName, waitFor } from '../helpers/kafka.js';
import { sharedRegistry } from '../helpers/registry.js';

const jsonSchema = {
  type: SchemaType.JSON,
  schema: JSON.stringify({
    title: 'ktb.test.TenantEvent',
    type: 'object',
    properties: { tenant: { type: 'string' }, seq: { type: 'integer' } },
    required: ['tenant', 'seq'],
  }),
} as const;
const protoSchema = {
  type: SchemaType.PROTOBUF,
  schema:
    'syntax = "proto3";\npackage ktb.test;\nmessage TenantEvent {\n  string tenant = 1;\n  int64 seq = 2;\n}\n',
} as const;

describe.each([
  ['JSON Schema', jsonSchema, 'topic-record'],
  ['Protobuf', protoSchema, 'record'],
] as const)('%s through the SmartProducer and back', (_name, schema, strategy) => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const topic = uniqueName('sr-roundtrip');
  let producer: SmartProducer<unknown>;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const options: SchemaSerializerOptions = {
      registry: sharedRegistry(),
      schema,
      subjectNameStrategy: strategy,
    };
    producer = new SmartProducer(kafka, { lingerMs: 2 }, { serializer: schemaSerializer(options) });
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin.disconnect();
  });

  it(`registers under the ${strategy} subject, writes the wire format, reads back the same values`, async () => {
    const values = [0, 1, 2].map((seq) => ({ tenant: 'acme', seq }));
    const sent = await producer
      .sendMany(
        [values[0], { tenant: 'acme', seq: 'not a number' }, values[1], values[2]].map((value) => ({
          topic,
          value,
        })),
      )
      .catch((e: unknown) => e);
    expect((sent as SendManyError).failed.map((f) => [f.index, f.error.code])).toEqual([
      [1, ErrorCode.SchemaValueInvalid],
    ]);
    const read = await collect(kafka, topic);
    try {
      await waitFor(() => read.seen.length >= 3, '3 records', 20_000);
    } finally {
      await read.stop();
    }
    const id = schemaIdOf(read.seen[0]!.bytes!);
    const subject = strategy === 'record' ? 'ktb.test.TenantEvent' : `${topic}-ktb.test.TenantEvent`;
    const latest = (await (
      await fetch(`${sharedRegistry().url}/subjects/${subject}/versions/latest`)
    ).json()) as {
      id: number;
    };
    expect(latest.id).toBe(id);
    const decode = schemaDeserializer({ registry: sharedRegistry() });
    const back = await Promise.all(read.seen.map((r) => decode(r.bytes!)));
    // protobufjs reads int64 as a Long: compare numbers
    const asNumbers = (back as { tenant: string; seq: unknown }[]).map((v) => ({
      tenant: v.tenant,
      seq: Number(v.seq),
    }));
    expect(asNumbers).toEqual(values);
  }, 60_000);
});
