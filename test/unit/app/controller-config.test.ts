import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import {
  boolField,
  enumField,
  expectNamesField,
  expectNamesUnknownKey,
  intField,
  itRejectsTheBadField,
  numField,
  rejection,
  unknownKey,
  withField,
  type FieldSpec,
} from './one-bad-field.js';

const PREFIX = 'KTB_CONFIG_INVALID: invalid controller config: ';

const topicName = fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/);
const badTopicName = fc.oneof(
  fc.constant(''),
  fc.constant('x'.repeat(250)),
  fc.tuple(topicName, fc.constantFrom(' ', '/', ':', '*', 'é', '\n'), topicName).map((p) => p.join('')),
);
const hostPort = fc
  .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/), fc.integer({ min: 1, max: 65_535 }))
  .map(([h, p]) => `${h}:${p}`);
const nonEmpty = fc.string({ minLength: 1, maxLength: 20 });

const topicField = (path: string[]): FieldSpec => ({
  path,
  kind: 'string',
  valid: topicName,
  outOfRange: badTopicName,
});
const stringField = (path: string[], minLength: number, valid = nonEmpty): FieldSpec => ({
  path,
  kind: 'string',
  valid,
  outOfRange: fc.string({ maxLength: minLength - 1 }),
});

/** Every field of the controller config, with what is valid and what is out of range for it. */
const fields: FieldSpec[] = [
  {
    path: ['brokers'],
    kind: 'array',
    valid: fc.array(hostPort, { minLength: 1, maxLength: 3 }),
    outOfRange: fc.oneof(
      fc.constant([]),
      fc.array(
        fc.oneof(
          fc.stringMatching(/^[a-z]{1,10}$/),
          hostPort.map((h) => `${h}000000`),
          hostPort.map((h) => h.replace(/:\d+$/, ':0')),
          hostPort.map((h) => h.replace(/:\d+$/, ':65536')),
          hostPort.map((h) => ` ${h}`),
          hostPort.map((h) => h.replace(':', '::')),
        ),
        { minLength: 1, maxLength: 2 },
      ),
    ),
  },
  {
    path: ['topics'],
    kind: 'array',
    valid: fc.array(topicName, { minLength: 1, maxLength: 3 }),
    outOfRange: fc.oneof(fc.constant([]), fc.array(badTopicName, { minLength: 1, maxLength: 2 })),
  },
  topicField(['routingTopic']),
  topicField(['acksTopic']),
  topicField(['trafficTopic']),
  {
    path: ['groups'],
    kind: 'auto|array',
    valid: fc.oneof(fc.constant('auto'), fc.array(nonEmpty, { minLength: 1, maxLength: 3 })),
    outOfRange: fc.oneof(
      fc.constant([]),
      fc.constant(['']),
      fc.constantFrom('Auto', 'all', 'none', 'my-group'),
    ),
  },
  // tickMs stays <= 5000 and windowMs >= 5000 when valid, so the two never clash by chance.
  intField(['tickMs'], 50, 60_000, { validMax: 5000, dependents: ['windowMs'] }),
  intField(['windowMs'], 50, 3_600_000, { validMin: 5000 }),
  intField(['routeLeaseMs'], 500, undefined),
  intField(['maxPartitions'], 1, 100_000),
  intField(['maxGrowthPerDecision'], 1, 1000),
  numField(['trafficClaimTolerance'], { min: 1, max: 100 }),
  intField(['retireAfterWindows'], 1, undefined),
  // isolateRate >= 500 and releaseRate < 500 when valid: a bad isolateRate may also fail releaseRate < isolateRate.
  numField(['thresholds', 'isolateRate'], { gt: 0, validMin: 500, validMax: 1e6 }, [
    'thresholds.releaseRate',
  ]),
  {
    ...numField(['thresholds', 'releaseRate'], { min: 0, validMax: 499 }),
    // ...or not below isolateRate (hysteresis)
    outOfRange: fc.oneof(
      numField(['thresholds', 'releaseRate'], { min: 0 }).outOfRange,
      fc.double({ min: 1e6, max: 1e9, noNaN: true }),
    ),
  },
  numField(['thresholds', 'isolateShare'], { min: 0, max: 1 }),
  intField(['thresholds', 'hotWindows'], 1, 1000),
  intField(['thresholds', 'coldWindows'], 1, 10_000),
  numField(['thresholds', 'partitionCapacity'], { gt: 0 }),
  numField(['thresholds', 'headroom'], { gt: 0, max: 1 }),
  intField(['thresholds', 'maxShards'], 1, 256),
  intField(['thresholds', 'reshardWindows'], 1, 1000),
  intField(['thresholds', 'cooldownMs'], 0, undefined),
  numField(['thresholds', 'shrinkMargin'], { min: 0, max: 0.9 }),
  numField(['thresholds', 'growMargin'], { min: 0, max: 1 }),
  intField(['thresholds', 'shrinkWindows'], 1, 10_000),
  intField(['thresholds', 'growCooldownMs'], 0, undefined),
  intField(['thresholds', 'shrinkCooldownMs'], 0, undefined),
  intField(['thresholds', 'maxMovesPerTenantPerHour'], 1, 1000),
  intField(['thresholds', 'maxMovesPerTopicPerMinute'], 1, 10_000),
  intField(['thresholds', 'maxConcurrentMigrations'], 1, 1000),
  intField(['thresholds', 'drainTimeoutMs'], 100, undefined),
  enumField(['thresholds', 'drainTimeoutPolicy'], ['wait', 'rollback', 'switch']),
  numField(['thresholds', 'actorFloorRate'], { min: 0 }),
  enumField(['mode'], ['act', 'observe']),
  {
    path: ['tenants'],
    kind: 'object',
    // overrides for tenants of the base's own topics are in tenant-overrides.test.ts
    valid: fc.constant({}),
    outOfRange: fc.oneof(
      topicName.map((t) => ({ [t]: {} })),
      topicName.map((t) => ({ [`${t}/acme`]: { neverMove: 'yes' } })),
      fc.constant({ 'no-such-topic-here/acme': {} }),
    ),
  },
  intField(['http', 'port'], 0, 65_535),
  stringField(['http', 'host'], 1),
  {
    path: ['http', 'advertisedUrl'],
    kind: 'string',
    valid: fc.constantFrom('http://ctl-1:8080', 'https://ops.example/ktb/', 'http://[::1]:9000'),
    outOfRange: fc.constantFrom(
      '',
      'ctl-1:8080',
      'javascript:alert(1)',
      'ftp://ctl-1/',
      'http://admin:secret@ctl-1:8080',
      `http://ctl-1/${'x'.repeat(10_000)}`,
    ),
  },
  stringField(['authToken'], 16, fc.string({ minLength: 16, maxLength: 40 })),
  boolField(['inspect']),
  boolField(['ha']),
  intField(['leaderSessionMs'], 1000, 300_000),
  enumField(['sasl', 'mechanism'], ['plain', 'scram-sha-256', 'scram-sha-512']),
  stringField(['sasl', 'username'], 1),
  stringField(['sasl', 'password'], 1),
  {
    path: ['ssl'],
    kind: 'boolean|object',
    valid: fc.boolean(),
    // mutual TLS needs both files
    outOfRange: fc.oneof(
      nonEmpty.map((certFile) => ({ certFile })),
      nonEmpty.map((keyFile) => ({ keyFile })),
    ),
  },
  // Known gap (src/app/connection-security.ts): ssl is z.union([z.boolean(), object]); a field of the
  // object with a value of the wrong type fails both members, and zod reports only "ssl: Invalid input".
  { ...stringField(['ssl', 'caFile'], 1) },
  { ...boolField(['ssl', 'rejectUnauthorized']) },
  { ...stringField(['ssl', 'servername'], 1) },
];

const spec = (path: string): FieldSpec => fields.find((f) => f.path.join('.') === path)!;
const sasl = fc.record({
  mechanism: spec('sasl.mechanism').valid,
  username: spec('sasl.username').valid,
  password: spec('sasl.password').valid,
});
const ssl = fc.oneof(
  fc.boolean(),
  fc
    .record(
      {
        caFile: nonEmpty,
        pair: fc.record({ certFile: nonEmpty, keyFile: nonEmpty }),
        rejectUnauthorized: fc.boolean(),
        servername: nonEmpty,
      },
      { requiredKeys: [] },
    )
    .map(({ pair, ...rest }) => ({ ...rest, ...pair })),
);
const group = (prefix: string) =>
  fc.record(
    Object.fromEntries(
      fields.filter((f) => f.path.length === 2 && f.path[0] === prefix).map((f) => [f.path[1]!, f.valid]),
    ),
    { requiredKeys: [] },
  );
const TOP_LEVEL = [...new Set(fields.map((f) => f.path[0]!))];

/** A valid config: brokers and topics, and any subset of the other fields with valid values. */
const topLevelArbs: Record<string, fc.Arbitrary<unknown>> = {
  ...Object.fromEntries(fields.filter((f) => f.path.length === 1).map((f) => [f.path[0]!, f.valid])),
  thresholds: group('thresholds'),
  http: group('http'),
  sasl,
  ssl,
};
const validConfig: fc.Arbitrary<Record<string, unknown>> = fc.record(topLevelArbs, {
  requiredKeys: ['brokers', 'topics'],
});

describe('controller config', () => {
  it('fills defaults and binds HTTP to loopback', () => {
    const c = parseControllerConfig({ brokers: ['k:9092'], topics: ['orders'] });
    expect(c).toMatchObject({
      groups: 'auto',
      tickMs: 1000,
      http: { host: '127.0.0.1', port: 8080 },
      routingTopic: 'ktb.routes',
    });
    expect(c.thresholds.releaseRate).toBeLessThan(c.thresholds.isolateRate);
    expect(c.http.advertisedUrl).toBeUndefined();
  });

  it('normalizes the advertised URL as standbys will read it back', () => {
    const c = parseControllerConfig({
      brokers: ['k:9092'],
      topics: ['orders'],
      http: { advertisedUrl: 'HTTP://Ctl-1.Example:8080/' },
    });
    expect(c.http.advertisedUrl).toBe('http://ctl-1.example:8080');
  });

  it.each([
    [{ brokers: [], topics: ['t'] }, /brokers/],
    [{ brokers: ['k:1'], topics: [] }, /topics: at least one managed topic/],
    [{ brokers: ['k:1'], topics: ['bad topic'] }, /topics\.0: a Kafka topic name/],
    [
      { brokers: ['k:1'], topics: ['t'], thresholds: { releaseRate: 900, isolateRate: 500 } },
      /thresholds\.releaseRate: releaseRate must be below isolateRate/,
    ],
    [{ brokers: ['k:1'], topics: ['t'], authToken: 'short' }, /authToken must be at least 16/],
    [{ brokers: ['k:1'], topics: ['t'], tickMs: 10 }, /tickMs/],
    [{ brokers: ['k:1'], topics: ['t'], surprise: 1 }, /surprise|Unrecognized/],
    [
      { brokers: ['k:1'], topics: ['t'], http: { advertisedUrl: 'javascript:alert(1)' } },
      /http\.advertisedUrl: advertisedUrl must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      { brokers: ['k:1'], topics: ['t'], http: { advertisedUrl: 'http://u:p@ctl:1' } },
      /http\.advertisedUrl: advertisedUrl must not carry credentials/,
    ],
  ])('rejects %j, naming the field', (input, msg) => {
    expect(() => parseControllerConfig(input)).toThrow(msg);
  });

  it('accepts the near-valid base the one-bad-field properties start from', () => {
    fc.assert(
      fc.property(validConfig, (c) => {
        parseControllerConfig(c);
      }),
      { numRuns: 200 },
    );
  });

  describe.each(fields.map((f) => [f.path.join('.'), f] as const))('with only %s bad', (_, field) => {
    // A field inside an object the base may lack (sasl needs all three of its fields): add it valid first.
    const base =
      field.path[0] === 'sasl'
        ? fc.tuple(validConfig, sasl).map(([c, s]) => ({ ...c, sasl: s }))
        : validConfig;
    itRejectsTheBadField(base, field, parseControllerConfig, PREFIX);
  });

  it('rejects a windowMs below tickMs, naming windowMs', () => {
    fc.assert(
      fc.property(
        validConfig,
        fc
          .integer({ min: 51, max: 60_000 })
          .chain((tick) => fc.tuple(fc.constant(tick), fc.integer({ min: 50, max: tick - 1 }))),
        (c, [tickMs, windowMs]) => {
          const message = rejection(() => parseControllerConfig({ ...c, tickMs, windowMs }));
          expectNamesField(message, PREFIX, spec('windowMs'));
          expect(message).toMatch(/windowMs must be >= tickMs/);
        },
      ),
      { numRuns: 40 },
    );
  });

  describe.each(['(config)', 'thresholds', 'http', 'sasl', 'ssl'])(
    'with one unknown key in %s',
    (holderName) => {
      const holder = holderName === '(config)' ? [] : [holderName];
      const known =
        holder.length === 0
          ? TOP_LEVEL
          : fields.filter((f) => f.path[0] === holder[0] && f.path.length === 2).map((f) => f.path[1]!);
      it('rejects it, naming the key', () => {
        fc.assert(
          fc.property(
            validConfig,
            sasl,
            ssl.filter((s) => typeof s === 'object'),
            // certFile and keyFile are ssl keys too (generated as a pair, not as fields of their own)
            unknownKey(holder.length === 0 ? TOP_LEVEL : [...known, 'certFile', 'keyFile']),
            fc.jsonValue(),
            (c, s, t, key, value) => {
              const base = {
                ...c,
                ...(holder[0] === 'sasl' ? { sasl: s } : holder[0] === 'ssl' ? { ssl: t } : {}),
              };
              const input = withField(base, [...holder, key], value);
              expectNamesUnknownKey(
                rejection(() => parseControllerConfig(input)),
                PREFIX,
                holderName,
                key,
              );
            },
          ),
          { numRuns: 40 },
        );
      });
    },
  );

  it('gives a config or a coded error for any input, never a crash', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          parseControllerConfig(input);
        } catch (e) {
          expect((e as { code?: string }).code).toBe(ErrorCode.ConfigInvalid);
        }
      }),
    );
  });
});
