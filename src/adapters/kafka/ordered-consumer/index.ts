export { OrderedConsumer } from './ordered-consumer.js';
export type {
  OrderedConsumerOptions,
  OrderedConsumerStats,
  OrderedMessage,
  OrderedRunConfig,
} from './types.js';
