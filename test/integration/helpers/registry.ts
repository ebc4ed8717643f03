import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { inject } from 'vitest';
import type { RawAvroSchema, SchemaRegistryConnection } from '../../../src/adapters/schema-registry/index.js';

/** The suite's shared registry (global setup): schemas live in memory, so each test uses its own subjects. */
export const sharedRegistry = (): SchemaRegistryConnection => ({ url: inject('schemaRegistryUrl') });

/** The demo's event as Avro: version 1, and version 2 that adds a field with a default (a compatible change). */
export const eventV1: RawAvroSchema = {
  type: 'record',
  name: 'TenantEvent',
  namespace: 'ktb.test',
  fields: [
    { name: 'tenant', type: 'string' },
    { name: 'seq', type: 'long' },
  ],
};
export const eventV2: RawAvroSchema = {
  ...eventV1,
  fields: [...eventV1.fields, { name: 'region', type: 'string', default: 'eu' }],
};
export const avro = (schema: object) => ({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }) as const;

/** Sets a subject's compatibility level through the registry's own REST API. */
export async function setCompatibility(url: string, subject: string, level: string): Promise<void> {
  const r = await fetch(`${url}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
  });
  if (!r.ok) throw new Error(`PUT /config/${subject}: HTTP ${r.status} ${await r.text()}`);
}
