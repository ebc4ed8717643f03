import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { createSchemaRegistry, type SchemaRegistryConnection } from './registry-client.js';

/**
 * One registry client and its caches (schema by id, latest id by subject), shared by the
 * serializers and deserializers built from it; `url` names the registry in error messages.
 */
export interface RegistryHandle {
  readonly client: SchemaRegistry;
  readonly url: string;
}

export const connectSchemaRegistry = (c: SchemaRegistryConnection): RegistryHandle => ({
  client: createSchemaRegistry(c),
  url: c.url,
});

export const toHandle = (r: RegistryHandle | SchemaRegistryConnection): RegistryHandle =>
  'client' in r ? r : connectSchemaRegistry(r);
