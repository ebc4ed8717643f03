import { z } from 'zod';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';

/** SASL as configured (kafkajs mechanism names); the password is redacted from logs by path. */
export const saslConfigSchema = z
  .object({
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1),
    password: z.string().min(1),
  })
  .strict();
export type SaslConfig = z.output<typeof saslConfigSchema>;

/**
 * TLS as configured: `true` (system CAs), or files in PEM: `caFile` to trust a private CA,
 * `certFile` + `keyFile` for mutual TLS. `servername` overrides the name checked in the certificate.
 */
export const tlsConfigSchema = z.union([
  z.boolean(),
  z
    .object({
      caFile: z.string().min(1).optional(),
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
      rejectUnauthorized: z.boolean().default(true),
      servername: z.string().min(1).optional(),
    })
    .strict()
    .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
      message: 'certFile and keyFile go together (mutual TLS needs both)',
      path: ['keyFile'],
    }),
]);
export type TlsConfig = z.output<typeof tlsConfigSchema>;

const issues = (e: z.ZodError, prefix: string): string =>
  e.issues.map((i) => `${[prefix, ...i.path].join('.')}: ${i.message}`).join('; ');

/**
 * Connection security from the environment, for every command that talks to Kafka:
 * KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, and KAFKA_SSL=true or any of
 * KAFKA_SSL_CA_FILE / KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE / KAFKA_SSL_REJECT_UNAUTHORIZED=false.
 * Secrets stay out of flags (shell history, process lists).
 */
export function securityFromEnv(env: NodeJS.ProcessEnv): { sasl?: SaslConfig; ssl?: TlsConfig } {
  const out: { sasl?: SaslConfig; ssl?: TlsConfig } = {};
  const mech = env['KAFKA_SASL_MECHANISM'];
  if (mech) {
    const r = saslConfigSchema.safeParse({
      mechanism: mech.toLowerCase(),
      username: env['KAFKA_SASL_USERNAME'] ?? '',
      password: env['KAFKA_SASL_PASSWORD'] ?? '',
    });
    if (!r.success)
      throw new TenantBalancerError(
        ErrorCode.ConfigInvalid,
        `KAFKA_SASL_*: ${issues(r.error, 'sasl')} (set KAFKA_SASL_MECHANISM to plain, scram-sha-256 or scram-sha-512, with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD)`,
      );
    out.sasl = r.data;
  }
  const files = {
    caFile: env['KAFKA_SSL_CA_FILE'] || undefined,
    certFile: env['KAFKA_SSL_CERT_FILE'] || undefined,
    keyFile: env['KAFKA_SSL_KEY_FILE'] || undefined,
  };
  const reject = env['KAFKA_SSL_REJECT_UNAUTHORIZED'];
  const flag = env['KAFKA_SSL'];
  if (flag !== undefined && flag !== '' && !/^(true|false|1|0)$/i.test(flag))
    throw new TenantBalancerError(ErrorCode.ConfigInvalid, `KAFKA_SSL="${flag}": use true or false`);
  if (reject !== undefined && reject !== '' && !/^(true|false)$/i.test(reject))
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `KAFKA_SSL_REJECT_UNAUTHORIZED="${reject}": use true or false`,
    );
  const anyFile = Object.values(files).some((v) => v !== undefined);
  if (anyFile || (reject !== undefined && reject !== '')) {
    const r = tlsConfigSchema.safeParse({
      ...Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined)),
      ...(reject ? { rejectUnauthorized: reject.toLowerCase() === 'true' } : {}),
    });
    if (!r.success)
      throw new TenantBalancerError(ErrorCode.ConfigInvalid, `KAFKA_SSL_*: ${issues(r.error, 'ssl')}`);
    out.ssl = r.data;
  } else if (flag) {
    out.ssl = /^(true|1)$/i.test(flag);
  }
  return out;
}
