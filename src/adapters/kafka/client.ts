import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import type { Logger } from '../logger.js';
import type { SaslConfig, TlsConfig } from '../../app/connection-security.js';
import { loadTls, toKafkaSasl } from './security.js';

export interface KafkaConnection {
  readonly brokers: string[];
  readonly clientId?: string;
  /** TLS: true, or PEM files (read here, with a coded error naming a missing or wrong file) */
  readonly ssl?: TlsConfig;
  readonly sasl?: SaslConfig;
  readonly connectionTimeoutMs?: number;
  readonly retries?: number;
}

export interface KafkaLogOptions {
  /**
   * Level of a failed connection attempt that kafkajs retries (default `warn`). A one-shot command
   * reports a broker it could not reach itself (KTB_BROKER_UNREACHABLE), so it passes `debug`.
   */
  readonly connectionRetries?: 'warn' | 'info' | 'debug';
}

type Level = 'error' | 'warn' | 'info' | 'debug';

const levelName: Record<number, Level> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * What kafkajs says, at error or warn, about ordinary consumer-group membership changes: a member
 * joining or leaving, a session that expired, a coordinator that moved. kafkajs re-joins by itself
 * (the group is fine a moment later), yet logs some of these at error ("The coordinator is not
 * aware of this member, re-joining the group"). The texts are kafkajs 2.2.4's own log messages and
 * the protocol error messages it puts into them. A consumer crash ("Crash: ...", retries spent)
 * keeps its level whatever it mentions: kafkajs gave up there.
 */
const GROUP_CHURN = [
  'The group is rebalancing', // "..., re-joining" and REBALANCE_IN_PROGRESS "..., so a rejoin is needed"
  'The coordinator is not aware of this member', // UNKNOWN_MEMBER_ID
  'Specified group generation id is not valid', // ILLEGAL_GENERATION
  'This is not the correct coordinator for this group', // NOT_COORDINATOR (it moved)
  'Consumer is not aware of all assigned partitions, refreshing metadata',
  'Consumer group received unsubscribed topics',
  'resync group', // KafkaJSStaleTopicMetadataAssignment: "..., resync group"
];

/**
 * Protocol errors a broker answers while topics or leaders are settling, which kafkajs logs at error
 * on the connection ("Response Metadata(key: 3, version: 6)") and then retries after refreshing its
 * metadata: right after a topic is created, or during a leader election. If the retries run out,
 * the call throws and the caller reports it; the per-response line is noise (a `topics create`
 * printed one before its result). kafkajs 2.2.4's own protocol error messages.
 */
const RETRIED_RESPONSE = [
  'This server does not host this topic-partition', // UNKNOWN_TOPIC_OR_PARTITION
  'There is no leader for this topic-partition as we are in the middle of a leadership election', // LEADER_NOT_AVAILABLE
  'This server is not the leader for that topic-partition', // NOT_LEADER_FOR_PARTITION
];

/** A connection attempt kafkajs retries (it throws once its retries are spent, and we report that). */
const CONNECTION_RETRY = [
  'Connection error:',
  'Connection timeout',
  'Failed to connect to seed broker',
  'Failed to connect to broker, reconnecting',
];

const text = (f: unknown): string | undefined =>
  typeof f === 'string' ? f : f instanceof Error ? f.message : undefined;
const mentions = (texts: readonly string[], ...fields: unknown[]): boolean =>
  fields.some((f) => {
    const s = text(f);
    return s !== undefined && texts.some((t) => s.includes(t));
  });

/**
 * The level of one kafkajs log entry in our log. kafkajs INFO chatter goes to debug, and so does
 * its idempotent-retries advice (we bound retries on purpose: a send must fail clearly rather than
 * retry forever). Ordinary group rebalances go to info, whatever level kafkajs gave them, and a
 * failed connection attempt that kafkajs retries to `connectionRetries` (warn), and the restart that
 * follows a consumer crash to warn (the crash's own line keeps its level and says why); every other
 * error and warning keeps its level.
 */
export function kafkaLogLevel(
  entry: Pick<LogEntry, 'level'> & { log: { message?: unknown; error?: unknown } },
  opts: KafkaLogOptions = {},
): Level {
  const { message, error } = entry.log;
  if (entry.level >= KafkaLogLevel.INFO) return 'debug';
  if (text(message)?.startsWith('Limiting retries')) return 'debug';
  const crash = text(message)?.startsWith('Crash:') ?? false;
  if (!crash && mentions(GROUP_CHURN, message, error)) return 'info';
  if (mentions(CONNECTION_RETRY, message)) return opts.connectionRetries ?? 'warn';
  if (text(message)?.startsWith('Response ') && mentions(RETRIED_RESPONSE, error)) return 'debug';
  // follows every consumer crash, whose own line (at its level) says why; kafkajs recovers
  if (text(message)?.startsWith('Restarting the consumer in')) return 'warn';
  return levelName[entry.level] ?? 'debug';
}

/** kafkajs with its logs routed to our logger, at the levels of kafkaLogLevel. */
export function createKafka(c: KafkaConnection, logger: Logger, logOptions: KafkaLogOptions = {}): Kafka {
  const config: KafkaConfig = {
    clientId: c.clientId ?? 'tenant-balancer',
    brokers: c.brokers,
    connectionTimeout: c.connectionTimeoutMs ?? 3000,
    retry: { retries: c.retries ?? 8, initialRetryTime: 100, maxRetryTime: 5000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => (entry) => {
      const lvl = kafkaLogLevel(entry, logOptions);
      const { message, ...rest } = entry.log;
      // A demoted entry is expected and retried: its stack trace (kafkajs adds one to connection
      // errors) says nothing an operator needs.
      if (lvl !== levelName[entry.level] && lvl !== 'debug') delete (rest as { stack?: unknown }).stack;
      logger[lvl]({ kafkajs: entry.namespace, ...rest }, text(message) ?? String(message));
    },
    ...(c.ssl !== undefined ? { ssl: loadTls(c.ssl) } : {}),
    ...(c.sasl !== undefined ? { sasl: toKafkaSasl(c.sasl) } : {}),
  };
  return new Kafka(config);
}

const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNoBrokerAvailableError',
]);

/**
 * A kafkajs error that means no broker could be reached (anywhere in its cause chain), as
 * KTB_BROKER_UNREACHABLE saying what to do; undefined for any other error.
 */
export function brokerUnreachable(e: unknown, brokers: readonly string[]): TenantBalancerError | undefined {
  let c: unknown = e;
  for (let depth = 0; c instanceof Error && depth < 10; depth++) {
    if (UNREACHABLE.has(c.name))
      return new TenantBalancerError(
        ErrorCode.BrokerUnreachable,
        `cannot reach a Kafka broker at ${brokers.join(',')} (${c.message}); start Kafka (npm run kafka:start) or point --brokers / KAFKA_BROKERS at a running cluster`,
        { cause: e },
      );
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

export const brokersFromEnv = (fallback = '127.0.0.1:9092'): string[] =>
  (process.env['KAFKA_BROKERS'] ?? fallback)
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
