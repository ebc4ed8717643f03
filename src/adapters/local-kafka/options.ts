import { join } from 'node:path';
import { packageRoot } from '../local-process/package-root.js';

export interface LocalKafkaOptions {
  /** First broker port; broker i listens on port + i. */
  readonly port: number;
  /** KRaft controller listener of node i is controllerPort + i. */
  readonly controllerPort: number;
  readonly brokers: 1 | 3;
  /** Holds classpath cache, data, logs and pids; git-ignored. */
  readonly home: string;
  readonly heapMb: number;
  readonly startTimeoutMs: number;
  /**
   * Adds a SASL_PLAINTEXT listener on port + 200 + i with PLAIN and SCRAM-SHA-256/512 for these
   * users (name -> password). For security tests; the PLAINTEXT listener stays for the tools.
   */
  readonly saslUsers?: Readonly<Record<string, string>>;
  /**
   * Adds an SSL listener on port + 300 + i with a self-signed certificate for 127.0.0.1/localhost,
   * generated once per cluster with the JDK's keytool; clients trust it with `tlsCaFile(o)`.
   */
  readonly tls?: boolean;
  /**
   * With `tls`: also an SSL listener on port + 400 + i that requires a client certificate (mutual
   * TLS). A client key pair is made once per cluster with openssl (`tlsClientCertFile(o)`,
   * `tlsClientKeyFile(o)`), and the broker trusts exactly that certificate.
   */
  readonly tlsClientAuth?: boolean;
  /**
   * Turns on Kafka's StandardAuthorizer (ACLs). The PLAINTEXT listener's ANONYMOUS principal (the
   * brokers themselves and local tools) and these SASL users are super users; every other
   * principal needs ACLs. For the test that proves docs/deploying-safely.md's ACLs.
   */
  readonly aclSuperUsers?: readonly string[];
}

export const defaultLocalKafkaOptions = (overrides: Partial<LocalKafkaOptions> = {}): LocalKafkaOptions => {
  const port = overrides.port ?? Number(process.env['KTB_KAFKA_PORT'] ?? 9092);
  return {
    port,
    controllerPort: overrides.controllerPort ?? port + 100,
    brokers: overrides.brokers ?? 1,
    home: overrides.home ?? process.env['KTB_KAFKA_HOME'] ?? join(packageRoot(), '.local-kafka'),
    heapMb: overrides.heapMb ?? 768,
    startTimeoutMs: overrides.startTimeoutMs ?? 90_000,
    ...(overrides.saslUsers !== undefined ? { saslUsers: overrides.saslUsers } : {}),
    ...(overrides.tls !== undefined ? { tls: overrides.tls } : {}),
    ...(overrides.tlsClientAuth !== undefined ? { tlsClientAuth: overrides.tlsClientAuth } : {}),
    ...(overrides.aclSuperUsers !== undefined ? { aclSuperUsers: overrides.aclSuperUsers } : {}),
  };
};

export const clusterDir = (o: LocalKafkaOptions): string => join(o.home, `cluster-${o.port}`);
export const nodeDir = (o: LocalKafkaOptions, nodeId: number): string =>
  join(clusterDir(o), `node-${nodeId}`);
export const saslBootstrapServers = (o: LocalKafkaOptions): string[] =>
  Array.from({ length: o.brokers }, (_, i) => `127.0.0.1:${o.port + 200 + i}`);
export const tlsBootstrapServers = (o: LocalKafkaOptions): string[] =>
  Array.from({ length: o.brokers }, (_, i) => `127.0.0.1:${o.port + 300 + i}`);
/** The local cluster's self-signed certificate (PEM), for clients' `ssl.ca`. */
export const tlsCaFile = (o: LocalKafkaOptions): string => join(clusterDir(o), 'tls', 'ca.pem');
/** The listener that requires a client certificate (`tlsClientAuth`). */
export const mtlsBootstrapServers = (o: LocalKafkaOptions): string[] =>
  Array.from({ length: o.brokers }, (_, i) => `127.0.0.1:${o.port + 400 + i}`);
/** The client certificate (PEM) the mutual-TLS listener trusts, for clients' `ssl.cert`. */
export const tlsClientCertFile = (o: LocalKafkaOptions): string =>
  join(clusterDir(o), 'tls', 'client.cert.pem');
/** Its private key (PEM, unencrypted), for clients' `ssl.key`. */
export const tlsClientKeyFile = (o: LocalKafkaOptions): string =>
  join(clusterDir(o), 'tls', 'client.key.pem');
/** Ports a node listens on besides its PLAINTEXT and controller ports. */
export const extraPorts = (o: LocalKafkaOptions, i: number): number[] => [
  ...(o.saslUsers ? [o.port + 200 + i] : []),
  ...(o.tls === true ? [o.port + 300 + i] : []),
  ...(o.tls === true && o.tlsClientAuth === true ? [o.port + 400 + i] : []),
];
export const bootstrapServers = (o: LocalKafkaOptions): string[] =>
  Array.from({ length: o.brokers }, (_, i) => `127.0.0.1:${o.port + i}`);
