import { SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ConfluentSchema } from '@kafkajs/confluent-schema-registry/dist/@types.js';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';

/**
 * Confluent's subject name strategies: `topic` (TopicNameStrategy, "<topic>-value", the default),
 * `record` (RecordNameStrategy, the record's full name: one schema across topics) and `topic-record`
 * (TopicRecordNameStrategy, "<topic>-<record name>": several record types on one topic).
 */
export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record';

export const subjectName = (strategy: SubjectNameStrategy, topic: string, recordName: string): string =>
  strategy === 'topic' ? `${topic}-value` : strategy === 'record' ? recordName : `${topic}-${recordName}`;

const invalid = (why: string): TenantBalancerError =>
  new TenantBalancerError(ErrorCode.ConfigInvalid, `schema serializer: ${why}`);

/**
 * A schema's full record name, as Confluent's serializers name it: Avro namespace.name, the JSON
 * Schema's title, the Protobuf package and first message (or `messageName`).
 */
export function recordNameOf(s: ConfluentSchema, messageName?: string): string {
  if (s.type === SchemaType.PROTOBUF) {
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(s.schema)?.[1];
    const msg = messageName ?? /^\s*message\s+(\w+)/m.exec(s.schema)?.[1];
    if (msg === undefined) throw invalid('the Protobuf schema has no message');
    return pkg !== undefined ? `${pkg}.${msg}` : msg;
  }
  const raw: unknown = typeof s.schema === 'string' ? JSON.parse(s.schema) : s.schema;
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (s.type === SchemaType.JSON) {
    if (typeof o['title'] !== 'string')
      throw invalid('the record name strategies need a "title" in the JSON Schema');
    return o['title'];
  }
  if (typeof o['name'] !== 'string') throw invalid('the Avro schema has no "name"');
  const name = o['name'];
  return name.includes('.') || typeof o['namespace'] !== 'string' ? name : `${o['namespace']}.${name}`;
}
