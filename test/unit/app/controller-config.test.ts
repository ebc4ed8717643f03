import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { loadControllerConfig } from '../../../src/cli/load-controller-config.js';
import { ErrorCode } from '../../../src/domain/errors.js';

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
  ])('rejects %j, naming the field', (input, msg) => {
    expect(() => parseControllerConfig(input)).toThrow(msg);
  });

  it('layers file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktb-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ topics: ['from-file'], tickMs: 500, http: { port: 9000 } }));
    const c = loadControllerConfig(
      { config: file, httpPort: 9100 },
      { KAFKA_BROKERS: 'a:1,b:2', KTB_TOPICS: 'from-env' },
    );
    expect(c).toMatchObject({
      brokers: ['a:1', 'b:2'],
      topics: ['from-env'],
      tickMs: 500,
      http: { port: 9100, host: '127.0.0.1' },
    });
    expect(loadControllerConfig({ config: file, topic: ['from-flag'] }, {}).topics).toEqual(['from-flag']);
  });

  it('takes SASL and TLS from the file, and from the environment over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktb-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({
        topics: ['t'],
        sasl: { mechanism: 'plain', username: 'file-user', password: 'file-pw' },
        ssl: { caFile: '/file/ca.pem' },
      }),
    );
    expect(loadControllerConfig({ config: file }, {})).toMatchObject({
      sasl: { username: 'file-user' },
      ssl: { caFile: '/file/ca.pem', rejectUnauthorized: true },
    });
    const c = loadControllerConfig(
      { config: file },
      {
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'env-user',
        KAFKA_SASL_PASSWORD: 'env-pw',
        KAFKA_SSL_CA_FILE: '/env/ca.pem',
      },
    );
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'env-user', password: 'env-pw' });
    expect(c.ssl).toEqual({ caFile: '/env/ca.pem', rejectUnauthorized: true });
  });

  it('says what to fix for an unreadable config file', () => {
    expect(() => loadControllerConfig({ config: '/nonexistent/c.json' }, {})).toThrow(
      /cannot read --config \/nonexistent\/c.json/,
    );
  });

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
