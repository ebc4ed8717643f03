import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadControllerConfig } from '../../../src/cli/load-controller-config.js';

describe('controller config from file, environment and flags', () => {
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

  it('layers mode file < env (KTB_MODE) < --mode, and reads tenant overrides from the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktb-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({ topics: ['t'], mode: 'observe', tenants: { 't/acme': { neverMove: true } } }),
    );
    expect(loadControllerConfig({ config: file }, {})).toMatchObject({
      mode: 'observe',
      tenants: { 't/acme': { neverMove: true } },
    });
    expect(loadControllerConfig({ config: file }, { KTB_MODE: 'act' }).mode).toBe('act');
    expect(loadControllerConfig({ config: file, mode: 'observe' }, { KTB_MODE: 'act' }).mode).toBe('observe');
    expect(() => loadControllerConfig({ config: file }, { KTB_MODE: 'shadow' })).toThrow(/mode:/);
  });

  it('layers gating file < env (KTB_GATING) < --gating, with per-topic topicGating from the file; default auto', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktb-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({ topics: ['t', 'u'], gating: 'producer', topicGating: { u: 'consumer' } }),
    );
    expect(loadControllerConfig({ topic: ['t'] }, {}).gating).toBe('auto');
    expect(loadControllerConfig({ config: file }, {})).toMatchObject({
      gating: 'producer',
      topicGating: { u: 'consumer' },
    });
    expect(loadControllerConfig({ config: file }, { KTB_GATING: 'auto' }).gating).toBe('auto');
    expect(loadControllerConfig({ config: file, gating: 'consumer' }, { KTB_GATING: 'auto' }).gating).toBe(
      'consumer',
    );
    expect(() => loadControllerConfig({ config: file }, { KTB_GATING: 'sometimes' })).toThrow(/gating:/);
  });

  it('layers the advertised URL file < env (KTB_HTTP_ADVERTISED_URL) < --http-advertised-url, and names a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ktb-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ topics: ['t'], http: { advertisedUrl: 'http://from-file:1' } }));
    const env = { KTB_HTTP_ADVERTISED_URL: 'https://from-env:2' };
    expect(loadControllerConfig({ config: file }, {}).http.advertisedUrl).toBe('http://from-file:1');
    expect(loadControllerConfig({ config: file }, env).http.advertisedUrl).toBe('https://from-env:2');
    expect(
      loadControllerConfig({ config: file, httpAdvertisedUrl: 'http://from-flag:3' }, env).http.advertisedUrl,
    ).toBe('http://from-flag:3');
    expect(() =>
      loadControllerConfig({ topic: ['t'] }, { KTB_HTTP_ADVERTISED_URL: 'javascript:alert(1)' }),
    ).toThrow(/KTB_CONFIG_INVALID.*http\.advertisedUrl: advertisedUrl must be an http/);
  });
});
