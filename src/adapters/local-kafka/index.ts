export { start, stop, status, startNode, stopNode, type ClusterStatus, type StartResult } from './cluster.js';
export {
  defaultLocalKafkaOptions,
  bootstrapServers,
  saslBootstrapServers,
  tlsBootstrapServers,
  tlsCaFile,
  mtlsBootstrapServers,
  tlsClientCertFile,
  tlsClientKeyFile,
  type LocalKafkaOptions,
} from './options.js';
export { resolveClasspath, checkJava } from './classpath.js';
