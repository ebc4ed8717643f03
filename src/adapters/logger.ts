import { pino, destination, type DestinationStream, type Logger } from 'pino';

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

/** One structured logger (pino, JSON to stderr by default). LOG_LEVEL sets the level. */
export const createLogger = (
  name: string,
  level: string = process.env['LOG_LEVEL'] ?? 'info',
  dest: DestinationStream = destination(2),
): Logger => pino({ name, level, redact: redaction }, dest);

export const silentLogger = (): Logger => pino({ level: 'silent' });
