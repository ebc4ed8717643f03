import { readFileSync } from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import type { SaslConfig, TlsConfig } from '../../app/connection-security.js';

/** What kafkajs's `ssl` takes (the subset we produce). */
export type KafkaTls =
  boolean | { rejectUnauthorized: boolean; ca?: string[]; cert?: string; key?: string; servername?: string };

const pem = (what: string, file: string, marker: RegExp): string => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `ssl.${what}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); point it at a PEM file`,
    );
  }
  if (!marker.test(text))
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `ssl.${what}: ${file} holds no PEM block (expected "-----BEGIN ..."); convert it, e.g. openssl x509 -in cert.der -inform der -out cert.pem`,
    );
  return text;
};

/** Reads the PEM files a TLS config names, with an error that says which file and what to fix. */
export function loadTls(t: TlsConfig): KafkaTls {
  if (typeof t === 'boolean') return t;
  return {
    rejectUnauthorized: t.rejectUnauthorized,
    ...(t.caFile !== undefined ? { ca: [pem('caFile', t.caFile, /-----BEGIN CERTIFICATE-----/)] } : {}),
    ...(t.certFile !== undefined ? { cert: pem('certFile', t.certFile, /-----BEGIN CERTIFICATE-----/) } : {}),
    ...(t.keyFile !== undefined
      ? { key: pem('keyFile', t.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/) }
      : {}),
    ...(t.servername !== undefined ? { servername: t.servername } : {}),
  };
}

export const toKafkaSasl = (s: SaslConfig): SASLOptions => s as SASLOptions;
