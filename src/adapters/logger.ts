import { pino, destination, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger (pino, JSON to stderr). LOG_LEVEL sets the level; secrets are redacted by
 * path so a config or SASL block logged by mistake never prints a password.
 */
export const createLogger = (name: string, level: string = process.env['LOG_LEVEL'] ?? 'info'): Logger =>
  pino(
    {
      name,
      level,
      redact: {
        paths: [
          'password',
          '*.password',
          '*.*.password',
          'sasl',
          '*.sasl',
          'token',
          '*.token',
          'authToken',
          '*.authToken',
        ],
        censor: '[redacted]',
      },
    },
    destination(2),
  );

export const silentLogger = (): Logger => pino({ level: 'silent' });
