import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logger.js';

describe('logger redaction', () => {
  it('hides passwords and tokens at any depth and leaves the logged objects intact', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger('t', 'info', sink);
    const config = {
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'pw-123' },
      authToken: 'tok-456',
      http: { port: 1 },
    };
    logger.info({ config }, 'config');
    logger.info({ sasl: config.sasl, token: 'tok-789' }, 'nested');
    logger.info({ deep: { a: { sasl: { password: 'pw-000' } } } }, 'deeper');
    expect(lines.join('')).not.toMatch(/pw-123|tok-456|tok-789|pw-000/);
    expect(lines.join('')).toContain('[redacted]');
    // the regression: redaction must never change the live config
    expect(config.sasl.password).toBe('pw-123');
    expect(config.authToken).toBe('tok-456');
  });
});
