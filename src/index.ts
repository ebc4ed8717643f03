// Public API of the kafka-tenant-balancer package.
export {
  SmartProducer,
  SendManyError,
  jsonSerializer,
  stringSerializer,
  bytesSerializer,
  parseSmartProducerOptions,
} from './adapters/kafka/smart-producer/index.js';
export type {
  SmartRecord,
  RecordMetadata,
  SendCallback,
  DisconnectReport,
  FailedRecord,
  SmartProducerStats,
  SmartProducerOptionsInput,
  Serializer,
} from './adapters/kafka/smart-producer/index.js';
export { createRoutingPartitioner } from './adapters/kafka/routing-partitioner.js';
export { RoutingReader } from './adapters/kafka/routing-reader.js';
export { RouteWriter } from './adapters/kafka/route-writer.js';
export { createManagedTopic } from './adapters/kafka/managed-topics.js';
export {
  ensureInternalTopics,
  defaultInternalTopics,
  type InternalTopicNames,
} from './adapters/kafka/internal-topics.js';
export { Headers } from './adapters/kafka/headers.js';
export { CheckingConsumer } from './demo/checking-consumer.js';
export { OrderingChecker, type CheckerReport } from './domain/ordering-checker.js';
export { RoutingTable } from './domain/routing-table.js';
export { createPartitionChooser } from './domain/partition-choice.js';
export { murmur2, partitionForKey } from './domain/murmur2.js';
export { TenantBalancerError, ErrorCode, isTenantBalancerError } from './domain/errors.js';
export type { TenantRoute, PoolLayout, RouteState, Ordering } from './domain/route-record.js';
export { tenantMachine } from '../machines/tenant.machine.js';
export { parseControllerConfig, type ControllerConfig } from './app/controller-config.js';
export { startControllerService, type RunningController } from './compose/controller-service.js';
