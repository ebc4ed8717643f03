import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTls } from '../../../../src/adapters/kafka/security.js';

describe('loadTls reads the PEM files a config names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ktb-tls-'));
  const cert = join(dir, 'ca.pem');
  writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const key = join(dir, 'key.pem');
  writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
  const der = join(dir, 'ca.der');
  writeFileSync(der, Buffer.from([0x30, 0x82, 0x01, 0x0a]));

  it('passes true through and reads ca, cert and key', () => {
    expect(loadTls(true)).toBe(true);
    expect(
      loadTls({ caFile: cert, certFile: cert, keyFile: key, rejectUnauthorized: true, servername: 'kafka' }),
    ).toEqual({
      rejectUnauthorized: true,
      ca: [expect.stringContaining('BEGIN CERTIFICATE')],
      cert: expect.stringContaining('BEGIN CERTIFICATE'),
      key: expect.stringContaining('BEGIN PRIVATE KEY'),
      servername: 'kafka',
    });
  });

  it('names the missing file', () => {
    expect(() => loadTls({ caFile: join(dir, 'nope.pem'), rejectUnauthorized: true })).toThrow(
      /ssl\.caFile: cannot read .*nope\.pem \(ENOENT\); point it at a PEM file/,
    );
  });

  it('refuses a file that is not PEM and says how to convert it', () => {
    expect(() => loadTls({ caFile: der, rejectUnauthorized: true })).toThrow(
      /holds no PEM block.*openssl x509/,
    );
    expect(() => loadTls({ certFile: cert, keyFile: cert, rejectUnauthorized: true })).toThrow(
      /ssl\.keyFile/,
    );
  });
});
