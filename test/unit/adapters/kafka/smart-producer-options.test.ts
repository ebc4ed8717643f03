import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSmartProducerOptions } from '../../../../src/adapters/kafka/smart-producer/options.js';
import { ErrorCode } from '../../../../src/domain/errors.js';

describe('SmartProducer options', () => {
  it('fills defaults from the brief (acks=all, idempotent, 1 in flight)', () => {
    const o = parseSmartProducerOptions({}, 'pid');
    expect(o).toMatchObject({
      acks: -1,
      idempotent: true,
      maxInFlight: 1,
      lingerMs: 5,
      producerId: 'pid',
      routeLeaseMs: 30_000,
      freshnessCheckMs: 1000,
    });
  });

  it.each([
    [{ lingerMs: -5 }, /lingerMs/],
    [{ acks: 2 }, /acks/],
    [{ bufferMemory: 10 }, /bufferMemory/],
    [{ compression: 'brotli' }, /compression/],
    [{ batchSize: 5 }, /batchSize|Unrecognized/],
    [{ acks: 0 }, /idempotence requires acks=-1/],
  ])('rejects %j naming the field', (input, msg) => {
    expect(() => parseSmartProducerOptions(input, 'p')).toThrow(msg);
  });

  it('gives a value or a coded error for any input, never a crash', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          parseSmartProducerOptions(input, 'p');
        } catch (e) {
          expect((e as { code?: string }).code).toBe(ErrorCode.ConfigInvalid);
        }
      }),
    );
  });
});
