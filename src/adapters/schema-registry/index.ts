export {
  schemaSerializer,
  type SchemaSerializer,
  type SchemaSerializerOptions,
  type SchemaChoice,
} from './schema-serializer.js';
export {
  schemaDeserializer,
  schemaIdOf,
  type SchemaDeserializer,
  type SchemaDeserializerOptions,
} from './schema-deserializer.js';
export { registryConnectionFromEnv, type SchemaRegistryConnection } from './registry-client.js';
export { connectSchemaRegistry, type RegistryHandle } from './registry-handle.js';
export { subjectName, recordNameOf, type SubjectNameStrategy } from './subject-name.js';
export { defaultRetryPolicy, type RetryPolicy } from './backoff.js';
export type { RawAvroSchema, ConfluentSchema } from '@kafkajs/confluent-schema-registry/dist/@types.js';
