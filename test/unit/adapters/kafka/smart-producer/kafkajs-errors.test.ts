import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { outcomeOfKafkajsError } from '../../../../../src/adapters/kafka/smart-producer/kafkajs-errors.js';

// kafkajs's typings leave out the second argument its retrier passes (see kafkajs/src/retry).
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, o: { cause: Error }) => Error;
const RetriesExceeded = KafkaJSNumberOfRetriesExceeded as unknown as new (
  e: Error,
  o: { retryCount: number; retryTime: number },
) => Error;
const refusal = (): Error =>
  new KafkaJSProtocolError(
    Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE', retriable: false }),
  );

describe('outcomeOfKafkajsError (how a failed kafkajs sendBatch is classified)', () => {
  it("is fatal when the broker refused the request (non-retriable protocol error), bare or wrapped by kafkajs's retrier", () => {
    expect(outcomeOfKafkajsError(refusal())).toBe('fatal');
    expect(outcomeOfKafkajsError(new NonRetriable(refusal(), { cause: refusal() }))).toBe('fatal');
  });

  it('is outcome-unknown when retries ran out on a lost connection or a timeout (the broker may have written it)', () => {
    const lost = new KafkaJSConnectionError('Connection closed');
    expect(outcomeOfKafkajsError(new RetriesExceeded(lost, { retryCount: 1, retryTime: 100 }))).toBe(
      'outcome-unknown',
    );
    expect(outcomeOfKafkajsError(new KafkaJSRequestTimeoutError('Request Produce timed out'))).toBe(
      'outcome-unknown',
    );
    expect(outcomeOfKafkajsError(new Error('anything else'))).toBe('outcome-unknown');
    expect(outcomeOfKafkajsError('a string')).toBe('outcome-unknown');
  });
});
