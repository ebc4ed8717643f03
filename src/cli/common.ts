import { InvalidArgumentError, type Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { brokersFromEnv, brokerUnreachable, createKafka } from '../adapters/kafka/client.js';
import { defaultInternalTopics, type InternalTopicNames } from '../adapters/kafka/internal-topics.js';
import { createLogger, type Logger } from '../adapters/logger.js';
import { securityFromEnv } from '../app/connection-security.js';

export interface ConnectionFlags {
  brokers?: string;
  routingTopic?: string;
  acksTopic?: string;
  trafficTopic?: string;
}

export const withConnection = (c: Command): Command =>
  c
    .option(
      '--brokers <list>',
      'comma-separated bootstrap servers (env KAFKA_BROKERS)',
      process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    )
    .option(
      '--routing-topic <name>',
      'compacted routing topic (env KTB_ROUTING_TOPIC)',
      process.env['KTB_ROUTING_TOPIC'] ?? defaultInternalTopics.routingTopic,
    )
    .option(
      '--acks-topic <name>',
      'drain acks topic (env KTB_ACKS_TOPIC)',
      process.env['KTB_ACKS_TOPIC'] ?? defaultInternalTopics.acksTopic,
    )
    .option(
      '--traffic-topic <name>',
      'traffic reports topic (env KTB_TRAFFIC_TOPIC)',
      process.env['KTB_TRAFFIC_TOPIC'] ?? defaultInternalTopics.trafficTopic,
    );

export const internalTopics = (f: ConnectionFlags): InternalTopicNames => ({
  routingTopic: f.routingTopic ?? defaultInternalTopics.routingTopic,
  acksTopic: f.acksTopic ?? defaultInternalTopics.acksTopic,
  trafficTopic: f.trafficTopic ?? defaultInternalTopics.trafficTopic,
});

export const connect = (
  f: ConnectionFlags,
  name: string,
): { kafka: Kafka; logger: Logger; brokers: string[] } => {
  const logger = createLogger(name, process.env['LOG_LEVEL'] || 'warn');
  const brokers = f.brokers === undefined ? brokersFromEnv() : f.brokers.split(',').map((b) => b.trim());
  // SASL/TLS from KAFKA_SASL_* / KAFKA_SSL_* (see src/app/connection-security.ts).
  const security = securityFromEnv(process.env);
  // A one-shot command reports a broker it cannot reach itself (reportingUnreachable): kafkajs's
  // retries of the connection stay at debug.
  const kafka = createKafka({ brokers, clientId: name, retries: 3, ...security }, logger, {
    connectionRetries: 'debug',
  });
  return { kafka, logger, brokers };
};

/**
 * Runs fn; a kafkajs failure to reach any broker becomes one line, KTB_BROKER_UNREACHABLE with what
 * to do, instead of kafkajs's error and stack trace.
 */
export async function reportingUnreachable<T>(brokers: readonly string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw brokerUnreachable(e, brokers) ?? e;
  }
}

export const positiveInt =
  (what: string, min = 0) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${what} must be an integer >= ${min}`);
    return n;
  };

/** A local service's port (broker, registry): unprivileged, with room above it for extra listeners. */
export const parsePort = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 65_000)
    throw new InvalidArgumentError('expected a port between 1024 and 65000');
  return n;
};
