import type { SendOutcome } from './transport.js';

interface KafkajsErrorShape {
  readonly name?: unknown;
  readonly retriable?: unknown;
  readonly cause?: unknown;
}

const isBrokerRefusal = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as KafkajsErrorShape).name === 'KafkaJSProtocolError' &&
  (e as KafkajsErrorShape).retriable === false;

/**
 * Classifies what kafkajs's sendBatch rejected with. kafkajs's retrier wraps a non-retriable error
 * in KafkaJSNonRetriableError and gives up on retriable ones with KafkaJSNumberOfRetriesExceeded,
 * both with the original in `cause`. Only the broker's own refusal (a protocol error it marks
 * non-retriable, e.g. MESSAGE_TOO_LARGE) is known not to have been written; anything else, a lost
 * connection or a timeout above all, may have been.
 */
export function outcomeOfKafkajsError(e: unknown): SendOutcome {
  if (isBrokerRefusal(e)) return 'fatal';
  const err = (typeof e === 'object' && e !== null ? e : {}) as KafkajsErrorShape;
  if (err.name === 'KafkaJSNonRetriableError' && isBrokerRefusal(err.cause)) return 'fatal';
  return 'outcome-unknown';
}
