import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ConfluentSchema, Schema } from '@kafkajs/confluent-schema-registry/dist/@types.js';
import { encode as wireEncode } from '@kafkajs/confluent-schema-registry/dist/wireEncoder.js';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import type { Serializer } from '../kafka/smart-producer/serializers.js';
import { defaultRetryPolicy, retryWithBackoff, type RetryPolicy } from './backoff.js';
import type { SchemaRegistryConnection } from './registry-client.js';
import { isRegistryUnavailable, registryError } from './registry-errors.js';
import { toHandle, type RegistryHandle } from './registry-handle.js';
import { recordNameOf, subjectName, type SubjectNameStrategy } from './subject-name.js';

/** Which schema a record is written with: registered by us, the subject's latest, or a fixed id. */
export type SchemaChoice = 'auto-register' | 'latest' | { readonly id: number };

export interface SchemaSerializerOptions {
  readonly registry: RegistryHandle | SchemaRegistryConnection;
  /** the writer schema; needed to auto-register, and by the record name strategies */
  readonly schema?: ConfluentSchema;
  /** default 'topic' ("<topic>-value") */
  readonly subjectNameStrategy?: SubjectNameStrategy;
  /** default 'auto-register' */
  readonly use?: SchemaChoice;
  /** set on a subject when we register its first version; a subject at another level is refused (default BACKWARD) */
  readonly compatibility?: COMPATIBILITY;
  /** registry calls (never made per record: ids are cached per subject) */
  readonly retry?: Partial<RetryPolicy>;
}

interface Resolved {
  readonly id: number;
  readonly schema: Schema;
}

export interface SchemaSerializer<T> extends Serializer<T> {
  /** registry lookups made so far (one per subject while the cache holds) */
  registryLookups(): number;
}

const invalid = (why: string): TenantBalancerError =>
  new TenantBalancerError(ErrorCode.ConfigInvalid, `schema serializer: ${why}`);

/**
 * A SmartProducer value serializer in the Confluent wire format (magic byte 0, the schema id as 4
 * bytes big-endian, then the payload), with @kafkajs/confluent-schema-registry's Avro (avsc), JSON
 * Schema (ajv) and Protobuf (protobufjs) encoders. The schema id is looked up once per subject (the
 * concurrent records of a cold subject share one lookup); after that serialize() is synchronous and
 * calls no registry. A failed lookup is not cached: the next record tries again.
 */
export function schemaSerializer<T>(o: SchemaSerializerOptions): SchemaSerializer<T> {
  const { client, url } = toHandle(o.registry);
  const strategy = o.subjectNameStrategy ?? 'topic';
  const use = o.use ?? 'auto-register';
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...o.retry };
  if (use === 'auto-register' && o.schema === undefined) throw invalid('auto-register needs a schema');
  if (typeof use === 'object' && !(Number.isInteger(use.id) && use.id > 0))
    throw invalid(`schema id must be a positive integer, got ${use.id}`);
  if (strategy !== 'topic' && o.schema === undefined)
    throw invalid(`the "${strategy}" subject name strategy needs the schema (it names the subject)`);
  const recordName = o.schema !== undefined && strategy !== 'topic' ? recordNameOf(o.schema) : '';
  // Confluent's Protobuf format puts message indexes after the id; [0] (the first message) is one 0 byte.
  const protoIndex = o.schema?.type === SchemaType.PROTOBUF ? Buffer.alloc(1) : undefined;

  const ready = new Map<string, Resolved>();
  const inFlight = new Map<string, Promise<Resolved>>();
  let lookups = 0;

  const call = <R>(what: string, fn: () => Promise<R>): Promise<R> =>
    retryWithBackoff(fn, policy, isRegistryUnavailable).catch((e: unknown) => {
      throw registryError(e, what, url);
    });

  const lookUp = async (subject: string): Promise<Resolved> => {
    lookups++;
    const id =
      typeof use === 'object'
        ? use.id
        : use === 'latest'
          ? await call(`the latest schema of subject "${subject}"`, () => client.getLatestSchemaId(subject))
          : (
              await call(`registering the schema of subject "${subject}"`, () =>
                client.register(o.schema!, {
                  subject,
                  compatibility: o.compatibility ?? COMPATIBILITY.BACKWARD,
                }),
              )
            ).id;
    const schema = await call(`schema id ${id}`, () => client.getSchema(id));
    return { id, schema };
  };

  const resolve = (subject: string): Promise<Resolved> => {
    let p = inFlight.get(subject);
    if (p === undefined) {
      p = lookUp(subject);
      inFlight.set(subject, p);
      p.then(
        (r) => ready.set(subject, r),
        () => undefined,
      ).finally(() => inFlight.delete(subject));
    }
    return p;
  };

  const encode = (r: Resolved, value: T, topic: string, subject: string): Buffer => {
    let payload: Buffer;
    try {
      payload = r.schema.toBuffer(value as object);
    } catch (e) {
      const paths = fieldPaths(e, r.schema, value);
      throw new TenantBalancerError(
        ErrorCode.SchemaValueInvalid,
        `the value for "${topic}" does not match schema id ${r.id} (subject "${subject}")${paths}: ${e instanceof Error ? e.message : String(e)}; fix the value or the schema (the other records of the batch were not affected)`,
        { cause: e },
      );
    }
    return wireEncode(r.id, protoIndex !== undefined ? Buffer.concat([protoIndex, payload]) : payload);
  };

  return {
    name: `schema-registry(${o.schema?.type ?? 'by id'})`,
    serialize(value, ctx) {
      const subject = typeof use === 'object' ? `id:${use.id}` : subjectName(strategy, ctx.topic, recordName);
      const r = ready.get(subject);
      if (r !== undefined) return encode(r, value, ctx.topic, subject);
      return resolve(subject).then((x) => encode(x, value, ctx.topic, subject));
    },
    registryLookups: () => lookups,
  };
}

/** The fields that are wrong, as the library reports them (JSON Schema, Protobuf) or avsc finds them. */
function fieldPaths(e: unknown, schema: Schema, value: unknown): string {
  let paths: string[][] = [];
  if (typeof e === 'object' && e !== null && 'paths' in e && Array.isArray(e.paths))
    paths = e.paths as string[][];
  else schema.isValid(value as object, { errorHook: (path) => paths.push(path) });
  return paths.length > 0 ? ` at ${paths.map((p) => p.join('.') || '(root)').join(', ')}` : '';
}
