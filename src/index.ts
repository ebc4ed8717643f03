// Public API of the kafka-tenant-balancer package: the producer side (SmartProducer, routing partitioner,
// routing reader and writer, managed topics), the consumer side (header names, order checkers), errors and
// types. The controller runs as the `tenant-balancer` binary; its wiring (src/compose), the CLI and the demo
// are not part of the API (lint: eslint.config.js, "src/index.ts").
// The producer's public surface (SmartProducer, options, serializers, hooks) is defined once, by its folder.
export * from './adapters/kafka/smart-producer/index.js';
export { createRoutingPartitioner } from './adapters/kafka/routing-partitioner.js';
export { RoutingReader } from './adapters/kafka/routing-reader.js';
export * from './adapters/kafka/ordered-consumer/index.js';
export { RouteWriter } from './adapters/kafka/route-writer.js';
export { createManagedTopic } from './adapters/kafka/managed-topics.js';
export {
  ensureInternalTopics,
  defaultInternalTopics,
  type InternalTopicNames,
} from './adapters/kafka/internal-topics.js';
export { Headers } from './domain/record-headers.js';
export { OrderingChecker, type CheckerReport } from './domain/ordering-checker.js';
export { LogOrderChecker, type LoggedRecord, type LogOrderReport } from './domain/log-order-checker.js';
export { RoutingTable } from './domain/routing-table.js';
export { createPartitionChooser } from './domain/partition-choice.js';
export { murmur2, partitionForKey } from './domain/murmur2.js';
export { TenantBalancerError, ErrorCode, isTenantBalancerError } from './domain/errors.js';
export type { TenantRoute, PoolLayout, RouteState, Ordering } from './domain/route-record.js';
// Schema registry serializers for the SmartProducer and matching deserializers (Confluent wire format).
export * from './adapters/schema-registry/index.js';
export { SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
