import { describe, expect, it } from 'vitest';
import { securityFromEnv } from '../../../src/app/connection-security.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { ErrorCode } from '../../../src/domain/errors.js';

const base = { brokers: ['127.0.0.1:9092'], topics: ['t'] };

describe('connection security from the environment', () => {
  it('is empty when nothing is set', () => {
    expect(securityFromEnv({})).toEqual({});
  });

  it('reads SASL (mechanism case-insensitive) and TLS files', () => {
    expect(
      securityFromEnv({
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'app',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_SSL_CA_FILE: '/etc/ca.pem',
      }),
    ).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'pw' },
      ssl: { caFile: '/etc/ca.pem', rejectUnauthorized: true },
    });
    expect(securityFromEnv({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    expect(securityFromEnv({ KAFKA_SSL: '0' })).toEqual({ ssl: false });
    expect(securityFromEnv({ KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' })).toEqual({
      ssl: { rejectUnauthorized: false },
    });
  });

  it.each([
    [
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' },
      /sasl\.mechanism/,
    ],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'a' }, /sasl\.password/],
    [{ KAFKA_SSL: 'yes' }, /KAFKA_SSL="yes": use true or false/],
    [{ KAFKA_SSL_REJECT_UNAUTHORIZED: 'no' }, /use true or false/],
    [{ KAFKA_SSL_CERT_FILE: '/c.pem' }, /certFile and keyFile go together/],
  ])('rejects %j with a message that says what to fix', (env, message) => {
    let thrown: unknown;
    try {
      securityFromEnv(env);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: ErrorCode.ConfigInvalid, message: expect.stringMatching(message) });
  });
});

describe('TLS in the controller config', () => {
  it('accepts true and PEM file paths, rejects a cert without its key and unknown keys', () => {
    expect(parseControllerConfig({ ...base, ssl: true }).ssl).toBe(true);
    expect(parseControllerConfig({ ...base, ssl: { caFile: '/ca.pem' } }).ssl).toEqual({
      caFile: '/ca.pem',
      rejectUnauthorized: true,
    });
    expect(() => parseControllerConfig({ ...base, ssl: { certFile: '/c.pem' } })).toThrow(
      /certFile and keyFile go together/,
    );
    expect(() => parseControllerConfig({ ...base, ssl: { ca: 'inline' } })).toThrow(/ssl/);
  });
});
