import { Command, InvalidArgumentError } from 'commander';
import * as localKafka from '../adapters/local-kafka/index.js';
import { parsePort } from './common.js';

const parseBrokers = (v: string): 1 | 3 => {
  if (v === '1' || v === '3') return Number(v) as 1 | 3;
  throw new InvalidArgumentError('expected 1 or 3');
};

interface KafkaFlags {
  port?: number;
  brokers?: 1 | 3;
  clean?: boolean;
  tls?: boolean;
  tlsClientAuth?: boolean;
}

const opts = (f: KafkaFlags): localKafka.LocalKafkaOptions =>
  localKafka.defaultLocalKafkaOptions({
    ...(f.port !== undefined ? { port: f.port } : {}),
    ...(f.brokers !== undefined ? { brokers: f.brokers } : {}),
    ...(f.tls === true || f.tlsClientAuth === true ? { tls: true } : {}),
    ...(f.tlsClientAuth === true ? { tlsClientAuth: true } : {}),
  });

const withCommon = (c: Command): Command =>
  c
    .option('--port <port>', 'first broker port (env KTB_KAFKA_PORT)', parsePort)
    .option('--brokers <n>', 'number of brokers: 1, or 3 for fault tests (replication 3)', parseBrokers);

export function kafkaCommand(): Command {
  const cmd = new Command('kafka').description(
    'run a real local Apache Kafka (KRaft) broker from Maven Central jars, no Docker',
  );
  withCommon(cmd.command('start').description('start the local broker, or reuse a healthy one'))
    .option('--tls', 'also an SSL listener on port + 300, with a self-signed certificate (created once)')
    .option(
      '--tls-client-auth',
      'with --tls (implied): also an SSL listener on port + 400 that requires a client certificate (a client key pair is made once with openssl)',
    )
    .action(async (f: KafkaFlags) => {
      const o = opts(f);
      const r = await localKafka.start(o, (l) => console.error(l));
      console.log(`${r.started ? 'started' : 'already running'}: ${r.bootstrap.join(',')}`);
      if (o.tls === true)
        console.log(
          `TLS: ${localKafka.tlsBootstrapServers(o).join(',')} (trust it with KAFKA_SSL_CA_FILE=${localKafka.tlsCaFile(o)})`,
        );
      if (o.tlsClientAuth === true)
        console.log(
          `mutual TLS: ${localKafka.mtlsBootstrapServers(o).join(',')} (also KAFKA_SSL_CERT_FILE=${localKafka.tlsClientCertFile(o)} KAFKA_SSL_KEY_FILE=${localKafka.tlsClientKeyFile(o)})`,
        );
    });
  withCommon(cmd.command('stop').description('stop the local broker (data is kept unless --clean)'))
    .option('--clean', 'also delete its data and logs')
    .action(async (f: KafkaFlags) => {
      await localKafka.stop(opts(f), { clean: f.clean === true });
      console.log('stopped');
    });
  withCommon(
    cmd
      .command('status')
      .description('report whether the local broker runs and answers metadata (exit 3 when not)'),
  ).action(async (f: KafkaFlags) => {
    const s = await localKafka.status(opts(f));
    console.log(`${s.running ? 'running' : 'not running'}: ${s.bootstrap.join(',')}`);
    for (const n of s.nodes)
      console.log(`  node ${n.nodeId}: pid ${n.pid ?? '-'} ${n.alive ? 'alive' : 'dead'}  log ${n.log}`);
    if (!s.running) process.exitCode = 3;
  });
  return cmd;
}
