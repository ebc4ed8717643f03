import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSmartProducerOptions } from '../../../../../src/adapters/kafka/smart-producer/options.js';
import { ErrorCode } from '../../../../../src/domain/errors.js';
import {
  boolField,
  enumField,
  expectNamesField,
  expectNamesUnknownKey,
  intField,
  itRejectsTheBadField,
  rejection,
  unknownKey,
  withField,
  withoutField,
  type FieldSpec,
} from '../../../app/one-bad-field.js';

const PREFIX = 'KTB_CONFIG_INVALID: invalid SmartProducer options: ';
const MiB = 1024 * 1024;

const stringField = (name: string, maxLength?: number): FieldSpec => ({
  path: [name],
  kind: 'string',
  valid: fc.string({ minLength: 1, maxLength: Math.min(maxLength ?? 40, 40) }),
  outOfRange:
    maxLength === undefined
      ? fc.constant('')
      : fc.oneof(fc.constant(''), fc.string({ minLength: maxLength + 1, maxLength: maxLength + 50 })),
});

/** Every option, with what is valid and what is out of range for it. */
const fields: FieldSpec[] = [
  stringField('clientId'),
  stringField('producerId', 256),
  stringField('routingTopic'),
  stringField('acksTopic'),
  stringField('trafficTopic'),
  {
    path: ['acks'],
    kind: 'number',
    valid: fc.constantFrom(-1, 0, 1),
    outOfRange: fc.oneof(
      fc.integer({ min: -1000, max: 1000 }).filter((n) => n < -1 || n > 1),
      fc.constantFrom(0.5, -0.5, Number.NaN),
    ),
  },
  intField(['retries'], 0, 1_000_000),
  enumField(['compression'], ['none', 'gzip', 'snappy', 'lz4', 'zstd']),
  intField(['batchBytes'], 1, 64 * MiB),
  intField(['releaseChunkBytes'], 1, 64 * MiB),
  intField(['lingerMs'], 0, 60_000),
  intField(['bufferMemory'], 1024, undefined, { validMax: 1024 * MiB }),
  intField(['maxBlockMs'], 0, 600_000),
  intField(['maxInFlight'], 1, 5),
  intField(['requestTimeoutMs'], 100, 600_000),
  intField(['maxRequestSize'], 1024, 100 * MiB),
  // idempotence requires acks=-1: a bad idempotent may also fail that check, which names acks
  { ...boolField(['idempotent']), dependents: ['acks'] },
  intField(['routeLeaseMs'], 500, 600_000),
  intField(['freshnessCheckMs'], 50, 60_000),
  intField(['trafficIntervalMs'], 50, 600_000),
  intField(['connectTimeoutMs'], 100, 600_000),
];
const NAMES = fields.map((f) => f.path[0]!);

/** Valid options: any subset, with acks 0 or 1 only when idempotence is off. */
const validOptions: fc.Arbitrary<Record<string, unknown>> = fc
  .record(Object.fromEntries(fields.map((f) => [f.path[0]!, f.valid])), { requiredKeys: [] })
  .map((o) => (o['acks'] !== undefined && o['acks'] !== -1 ? { ...o, idempotent: false } : o));

describe('SmartProducer options', () => {
  it('fills the documented defaults (acks=all, idempotent, 1 in flight)', () => {
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

  it('accepts the near-valid base the one-bad-field properties start from', () => {
    fc.assert(
      fc.property(validOptions, (o) => {
        parseSmartProducerOptions(o, 'p');
      }),
      { numRuns: 200 },
    );
  });

  describe.each(fields.map((f) => [f.path[0]!, f] as const))('with only %s bad', (_, field) => {
    itRejectsTheBadField(validOptions, field, (input) => parseSmartProducerOptions(input, 'p'), PREFIX);
  });

  it('rejects acks 0 or 1 while idempotence is on (the default), naming acks', () => {
    const acks = fields.find((f) => f.path[0] === 'acks')!;
    fc.assert(
      fc.property(validOptions, fc.constantFrom(0, 1), fc.constantFrom(true, undefined), (o, a, idem) => {
        const input = withField(withoutField(o, ['idempotent']), ['acks'], a);
        if (idem !== undefined) input['idempotent'] = idem;
        const message = rejection(() => parseSmartProducerOptions(input, 'p'));
        expectNamesField(message, PREFIX, acks);
        expect(message).toMatch(/idempotence requires acks=-1/);
      }),
      { numRuns: 40 },
    );
  });

  it('rejects one unknown option, naming it', () => {
    fc.assert(
      fc.property(validOptions, unknownKey(NAMES), fc.jsonValue(), (o, key, value) => {
        const input = withField(o, [key], value);
        expectNamesUnknownKey(
          rejection(() => parseSmartProducerOptions(input, 'p')),
          PREFIX,
          '(options)',
          key,
        );
      }),
      { numRuns: 100 },
    );
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
