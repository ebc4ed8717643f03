import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import type { LocalKafkaOptions } from './options.js';

/** The broker's key store, and (mutual TLS) the store of client certificates it trusts. */
export interface TlsStores {
  readonly file: string;
  readonly password: string;
  readonly clientTrust?: { readonly file: string; readonly password: string };
}

/**
 * A combined broker+controller (KRaft) node. Static voters keep formatting simple for both the
 * single node and the 3-node cluster. Single-node settings drop internal topics to replication 1
 * and remove the group rebalance delay so tests do not wait 3 s per consumer group.
 */
export function serverProperties(
  o: LocalKafkaOptions,
  nodeId: number,
  dataDir: string,
  keystore?: TlsStores,
): string {
  const i = nodeId - 1;
  const voters = Array.from(
    { length: o.brokers },
    (_, k) => `${k + 1}@127.0.0.1:${o.controllerPort + k}`,
  ).join(',');
  const rf = o.brokers === 3 ? 3 : 1;
  const lines: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.voters': voters,
    listeners: `PLAINTEXT://127.0.0.1:${o.port + i},CONTROLLER://127.0.0.1:${o.controllerPort + i}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${o.port + i}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': 1,
    'default.replication.factor': rf,
    'min.insync.replicas': o.brokers === 3 ? 2 : 1,
    'offsets.topic.replication.factor': rf,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': o.brokers === 3 ? 2 : 1,
    'share.coordinator.state.topic.replication.factor': rf,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': 'false',
    // Compaction must be observable within a test run.
    'log.cleaner.backoff.ms': 1000,
    'log.retention.check.interval.ms': 10_000,
  };
  if (o.saslUsers !== undefined) {
    const saslPort = o.port + 200 + i;
    const users = Object.entries(o.saslUsers)
      .map(([u, pw]) => `user_${u}="${pw}"`)
      .join(' ');
    lines['listeners'] = `${lines['listeners']},SASL_PLAINTEXT://127.0.0.1:${saslPort}`;
    lines['advertised.listeners'] = `${lines['advertised.listeners']},SASL_PLAINTEXT://127.0.0.1:${saslPort}`;
    lines['listener.security.protocol.map'] =
      `${lines['listener.security.protocol.map']},SASL_PLAINTEXT:SASL_PLAINTEXT`;
    lines['sasl.enabled.mechanisms'] = 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512';
    lines['listener.name.sasl_plaintext.plain.sasl.jaas.config'] =
      `org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`;
    lines['listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config'] =
      'org.apache.kafka.common.security.scram.ScramLoginModule required;';
    lines['listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config'] =
      'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  }
  if (o.aclSuperUsers !== undefined) {
    lines['authorizer.class.name'] = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
    lines['super.users'] = ['ANONYMOUS', ...o.aclSuperUsers].map((u) => `User:${u}`).join(';');
  }
  if (o.tls === true) {
    if (keystore === undefined)
      throw new TenantBalancerError(
        ErrorCode.ConfigInvalid,
        'serverProperties: tls is on but no keystore was passed; pass the broker keystore (file, password) or turn tls off',
      );
    const tlsPort = o.port + 300 + i;
    lines['listeners'] = `${lines['listeners']},SSL://127.0.0.1:${tlsPort}`;
    lines['advertised.listeners'] = `${lines['advertised.listeners']},SSL://127.0.0.1:${tlsPort}`;
    lines['listener.security.protocol.map'] = `${lines['listener.security.protocol.map']},SSL:SSL`;
    lines['ssl.keystore.type'] = 'PKCS12';
    lines['ssl.keystore.location'] = keystore.file;
    lines['ssl.keystore.password'] = keystore.password;
    lines['ssl.key.password'] = keystore.password;
    if (o.tlsClientAuth === true) {
      const trust = keystore.clientTrust;
      if (trust === undefined)
        throw new TenantBalancerError(
          ErrorCode.ConfigInvalid,
          'serverProperties: tlsClientAuth is on but the keystore has no client trust store; pass keystore.clientTrust or turn tlsClientAuth off',
        );
      const mtlsPort = o.port + 400 + i;
      lines['listeners'] = `${lines['listeners']},MTLS://127.0.0.1:${mtlsPort}`;
      lines['advertised.listeners'] = `${lines['advertised.listeners']},MTLS://127.0.0.1:${mtlsPort}`;
      lines['listener.security.protocol.map'] = `${lines['listener.security.protocol.map']},MTLS:SSL`;
      lines['listener.name.mtls.ssl.client.auth'] = 'required';
      lines['listener.name.mtls.ssl.truststore.type'] = 'PKCS12';
      lines['listener.name.mtls.ssl.truststore.location'] = trust.file;
      lines['listener.name.mtls.ssl.truststore.password'] = trust.password;
    }
  }
  return Object.entries(lines)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
    .concat('\n');
}

export const log4jConfig = (logFile: string): string =>
  [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = file',
    'logger.kafka.name = kafka',
    'logger.kafka.level = warn',
    'logger.kafkaserver.name = kafka.server.KafkaRaftServer',
    'logger.kafkaserver.level = info',
    'logger.apache.name = org.apache.kafka',
    'logger.apache.level = warn',
    '',
  ].join('\n');
