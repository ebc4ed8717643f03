export { SmartProducer, SendManyError } from './smart-producer.js';
export type {
  SmartRecord,
  RecordMetadata,
  SendCallback,
  DisconnectReport,
  FailedRecord,
  SmartProducerStats,
} from './smart-producer.js';
export {
  parseSmartProducerOptions,
  smartProducerOptionsSchema,
  type SmartProducerOptions,
  type SmartProducerOptionsInput,
} from './options.js';
export { stringSerializer, jsonSerializer, bytesSerializer, type Serializer } from './serializers.js';
export {
  ProducerChannel,
  type ProducerHooks,
  type HoldStarted,
  type HoldEnded,
  type ProducerClosed,
} from './producer-hooks.js';
