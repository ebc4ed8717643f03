import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig } from 'kafkajs';
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

const levelName: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** kafkajs with its logs routed to our logger (kafkajs INFO chatter demoted to debug). */
export function createKafka(c: KafkaConnection, logger: Logger): Kafka {
  const config: KafkaConfig = {
    clientId: c.clientId ?? 'tenant-balancer',
    brokers: c.brokers,
    connectionTimeout: c.connectionTimeoutMs ?? 3000,
    retry: { retries: c.retries ?? 8, initialRetryTime: 100, maxRetryTime: 5000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => (entry) => {
      // INFO chatter and the idempotent-retries advice (we bound retries on purpose: a send must
      // fail clearly rather than retry forever) go to debug.
      const quiet = entry.level === KafkaLogLevel.INFO || entry.log.message.startsWith('Limiting retries');
      const lvl = quiet ? 'debug' : (levelName[entry.level] ?? 'debug');
      const { message, ...rest } = entry.log;
      logger[lvl]({ kafkajs: entry.namespace, ...rest }, message);
    },
    ...(c.ssl !== undefined ? { ssl: loadTls(c.ssl) } : {}),
    ...(c.sasl !== undefined ? { sasl: toKafkaSasl(c.sasl) } : {}),
  };
  return new Kafka(config);
}

export const brokersFromEnv = (fallback = '127.0.0.1:9092'): string[] =>
  (process.env['KAFKA_BROKERS'] ?? fallback)
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
