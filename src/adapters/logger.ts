import { pino, destination, type DestinationStream, type Logger } from 'pino';
import { ErrorCode, TenantBalancerError } from '../domain/errors.js';

export type { Logger };

/**
 * Secrets are redacted by path so a config or SASL block logged by mistake never prints a password.
 * One path per depth, none nested in another: overlapping paths (say `*.sasl` and `*.*.password`)
 * made pino's redaction leave the censor in the live object, which broke SASL logins after a
 * config was logged (test/unit/adapters/logger.test.ts).
 */
export const redaction = {
  paths: [
    'password',
    '*.password',
    '*.*.password',
    '*.*.*.password',
    'authToken',
    '*.authToken',
    '*.*.authToken',
    'token',
    '*.token',
    '*.*.token',
  ],
  censor: '[redacted]',
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * One structured logger (pino, JSON to stderr by default). LOG_LEVEL sets the level; an unknown
 * level fails with KTB_CONFIG_INVALID naming the valid ones (pino's own error is a stack trace).
 */
export const createLogger = (
  name: string,
  level: string = process.env['LOG_LEVEL'] || 'info',
  dest: DestinationStream = destination(2),
): Logger => {
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `log level "${level}" (LOG_LEVEL) is not one of ${LOG_LEVELS.join(', ')}; set LOG_LEVEL to one of them or unset it`,
    );
  return pino({ name, level, redact: redaction }, dest);
};

export const silentLogger = (): Logger => pino({ level: 'silent' });
