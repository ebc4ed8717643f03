import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { AvroSchema, RawAvroSchema } from '@kafkajs/confluent-schema-registry/dist/@types.js';
import { schemaFromConfluentSchema } from '@kafkajs/confluent-schema-registry/dist/schemaTypeResolver.js';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { defaultRetryPolicy, retryWithBackoff, type RetryPolicy } from './backoff.js';
import type { SchemaRegistryConnection } from './registry-client.js';
import { isRegistryUnavailable, registryError } from './registry-errors.js';
import { toHandle, type RegistryHandle } from './registry-handle.js';

export interface SchemaDeserializerOptions {
  readonly registry: RegistryHandle | SchemaRegistryConnection;
  /**
   * Avro only: the schema this reader expects. Records written with another (compatible) version are
   * resolved into it, so a reader goes on unchanged while writers evolve their schema.
   */
  readonly readerSchema?: RawAvroSchema;
  readonly retry?: Partial<RetryPolicy>;
}

/** A record value in the Confluent wire format, decoded by the schema its id names. */
export type SchemaDeserializer = (value: Buffer) => Promise<unknown>;

/** The schema id of a Confluent wire-format value; throws KTB_SCHEMA_DECODE_FAILED when it is not one. */
export function schemaIdOf(value: Buffer): number {
  if (value.length < 5 || value[0] !== 0)
    throw new TenantBalancerError(
      ErrorCode.SchemaDecodeFailed,
      `value of ${value.length} bytes is not in the Confluent wire format (magic byte 0 and a 4-byte schema id first); was it written without a schema registry serializer?`,
    );
  return value.readInt32BE(1);
}

/**
 * Decodes values whatever schema id they carry, fetching each writer schema once (cached by the
 * library, one request per id); for consumers, the ordered-consumer helper and `tenant-balancer check`.
 */
export function schemaDeserializer(o: SchemaDeserializerOptions): SchemaDeserializer {
  const { client, url } = toHandle(o.registry);
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...o.retry };
  const reader =
    o.readerSchema !== undefined
      ? (schemaFromConfluentSchema({ type: SchemaType.AVRO, schema: o.readerSchema }) as AvroSchema)
      : undefined;
  const resolvers = new Map<number, (payload: Buffer) => unknown>();

  const decoderFor = async (id: number): Promise<(payload: Buffer) => unknown> => {
    const known = resolvers.get(id);
    if (known !== undefined) return known;
    const writer = await retryWithBackoff(() => client.getSchema(id), policy, isRegistryUnavailable).catch(
      (e: unknown) => {
        throw registryError(e, `schema id ${id}`, url);
      },
    );
    let decode: (payload: Buffer) => unknown;
    if (reader !== undefined && 'createResolver' in writer) {
      // the library's AvroSchema is avsc's Type underneath
      const resolver = reader.createResolver(
        writer as unknown as Parameters<AvroSchema['createResolver']>[0],
      );
      decode = (p) => reader.fromBuffer(p, resolver);
    } else decode = (p) => writer.fromBuffer(p);
    resolvers.set(id, decode);
    return decode;
  };

  return async (value) => {
    const id = schemaIdOf(value);
    const decode = await decoderFor(id);
    try {
      return decode(value.subarray(5));
    } catch (e) {
      throw new TenantBalancerError(
        ErrorCode.SchemaDecodeFailed,
        `the payload does not decode with schema id ${id}${reader !== undefined ? ' into the reader schema' : ''}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  };
}
