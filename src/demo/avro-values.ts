import { SchemaType } from '@kafkajs/confluent-schema-registry';
import * as localRegistry from '../adapters/local-registry/index.js';
import {
  connectSchemaRegistry,
  registryConnectionFromEnv,
  schemaDeserializer,
  schemaSerializer,
  type SchemaDeserializer,
  type SchemaSerializer,
} from '../adapters/schema-registry/index.js';

/** The demo's record as Avro: what the string value `tenant:seq` says, plus the shard key. */
export interface DemoEvent {
  tenant: string;
  seq: number;
  shardKey: string | null;
}

export const demoEventSchema = {
  type: 'record',
  name: 'DemoEvent',
  namespace: 'ktb.demo',
  fields: [
    { name: 'tenant', type: 'string' },
    { name: 'seq', type: 'long' },
    { name: 'shardKey', type: ['null', 'string'], default: null },
  ],
};

export interface DemoAvro {
  readonly url: string;
  /** false when a registry already answered (SCHEMA_REGISTRY_URL, or the local one was running) */
  readonly started: boolean;
  readonly serializer: SchemaSerializer<DemoEvent>;
  readonly deserializer: SchemaDeserializer;
  stop(): Promise<void>;
}

/**
 * `demo --avro`: the registry at SCHEMA_REGISTRY_URL, else the local Apicurio Registry (started, or
 * reused when it answers), and the serializer and deserializer the demo's producer and consumer use.
 */
export async function startDemoAvro(say: (line: string) => void): Promise<DemoAvro> {
  const external = registryConnectionFromEnv(process.env);
  const opts = localRegistry.defaultLocalRegistryOptions();
  const r =
    external !== undefined
      ? { url: external.url, started: false }
      : await localRegistry.startRegistry(opts, say);
  say(
    `schema registry: ${external !== undefined ? 'SCHEMA_REGISTRY_URL' : r.started ? 'started' : 'reusing'} ${r.url}`,
  );
  const registry = connectSchemaRegistry(external ?? { url: r.url });
  return {
    url: r.url,
    started: r.started,
    serializer: schemaSerializer<DemoEvent>({
      registry,
      schema: { type: SchemaType.AVRO, schema: JSON.stringify(demoEventSchema) },
    }),
    deserializer: schemaDeserializer({ registry }),
    stop: async () => {
      if (r.started) await localRegistry.stopRegistry(opts);
    },
  };
}

export interface AvroSummary {
  readonly registry: string;
  readonly decoded: number;
  readonly decodeFailures: number;
  readonly firstDecodeError?: string;
}

/** The summary's `avro` part: what the consumer decoded by schema id, or failed to. */
export const avroSummary = (
  a: DemoAvro | undefined,
  c: { decoded: number; decodeFailures: number; firstDecodeError: string | undefined },
): { avro?: AvroSummary } =>
  a === undefined
    ? {}
    : {
        avro: {
          registry: a.url,
          decoded: c.decoded,
          decodeFailures: c.decodeFailures,
          ...(c.firstDecodeError !== undefined ? { firstDecodeError: c.firstDecodeError } : {}),
        },
      };
