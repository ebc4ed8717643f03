import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafka, kafkaLogLevel } from '../../../../src/adapters/kafka/client.js';
import { createLogger } from '../../../../src/adapters/logger.js';

/**
 * The kafkajs log bridge: ordinary group rebalances are not errors in our logs (kafkajs logs some at
 * error), retried connection attempts are warnings, real errors stay errors.
 */
const bridged = (logOptions?: Parameters<typeof createKafka>[2]) => {
  const lines: { level: number; msg: string; kafkajs?: string; stack?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l));
      cb();
    },
  });
  const kafka = createKafka({ brokers: ['127.0.0.1:1'] }, createLogger('t', 'debug', sink), logOptions);
  // kafkajs's own logger, namespaced as its consumer runner does
  return { log: kafka.logger().namespace('Runner'), lines };
};
const PINO = { error: 50, warn: 40, info: 30, debug: 20 } as const;

describe('kafkajs log bridge', () => {
  it('logs ordinary group rebalances at info, whatever level kafkajs gives them', () => {
    const { log, lines } = bridged();
    log.error('The coordinator is not aware of this member, re-joining the group', {
      groupId: 'g',
      memberId: 'm',
      error: 'The coordinator is not aware of this member',
    });
    log.warn('The group is rebalancing, re-joining', {
      groupId: 'g',
      error: 'The group is rebalancing, so a rejoin is needed',
    });
    log.warn('Consumer is not aware of all assigned partitions, refreshing metadata', { groupId: 'g' });
    log.warn('Topic t has new partitions, resync group', { groupId: 'g' });
    log.error('Failed to heartbeat', { error: 'Specified group generation id is not valid' });
    expect(lines.map((l) => l.level)).toEqual([PINO.info, PINO.info, PINO.info, PINO.info, PINO.info]);
    expect(lines[0]).toMatchObject({ kafkajs: 'Runner', msg: expect.stringContaining('re-joining') });
  });

  it('keeps real errors at error (a consumer crash too, whatever it mentions)', () => {
    const { log, lines } = bridged();
    log.error('Error when calling eachBatch', { topic: 't', partition: 0, stack: 'Error: boom\n    at x' });
    log.error('Crash: KafkaJSNumberOfRetriesExceeded: The group is rebalancing, so a rejoin is needed', {
      groupId: 'g',
    });
    log.error('Offset out of range, resetting to default offset', { topic: 't' });
    log.warn('Response without match', { clientId: 'c' });
    expect(lines.map((l) => l.level)).toEqual([PINO.error, PINO.error, PINO.error, PINO.warn]);
    expect(lines[0]!.stack).toContain('boom');
  });

  it('logs retried connection attempts at warn without a stack, or at the level a one-shot command asks', () => {
    const { log, lines } = bridged();
    log.error('Connection error: connect ECONNREFUSED 127.0.0.1:1', { stack: 'Error: connect\n    at y' });
    log.error('Failed to connect to seed broker, trying another broker from the list: Connection error', {
      retryCount: 1,
    });
    log.error('Restarting the consumer in 300ms', { retryCount: 1 });
    expect(lines.map((l) => l.level)).toEqual([PINO.warn, PINO.warn, PINO.warn]);
    expect(lines[0]!.stack).toBeUndefined();
    const quiet = bridged({ connectionRetries: 'debug' });
    quiet.log.error('Connection error: connect ECONNREFUSED 127.0.0.1:1', { stack: 'x' });
    expect(quiet.lines.map((l) => l.level)).toEqual([PINO.debug]);
  });

  it('maps levels as a pure function (kafkajs INFO chatter and its retries advice go to debug)', () => {
    const at = (level: logLevel, message: string, error?: string) =>
      kafkaLogLevel({ level, log: { message, ...(error !== undefined ? { error } : {}) } });
    expect(at(logLevel.INFO, 'Starting')).toBe('debug');
    expect(at(logLevel.WARN, 'Limiting retries for the idempotent producer to Number.MAX_SAFE_INTEGER')).toBe(
      'debug',
    );
    expect(at(logLevel.ERROR, 'Failed to commit', 'This is not the correct coordinator for this group')).toBe(
      'info',
    );
    // a retried protocol error while a new topic's metadata settles (seen in CI before `topics create` printed)
    expect(
      at(
        logLevel.ERROR,
        'Response Metadata(key: 3, version: 6)',
        'This server does not host this topic-partition',
      ),
    ).toBe('debug');
    expect(
      at(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', 'The request included a message larger'),
    ).toBe('error');
    expect(at(logLevel.ERROR, 'Something real')).toBe('error');
    expect(at(logLevel.WARN, 'Something odd')).toBe('warn');
  });
});
