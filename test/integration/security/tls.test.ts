import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../../src/adapters/kafka/client.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import * as localKafka from '../../../src/adapters/local-kafka/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { ownBroker, uniqueTopics } from '../helpers/own-broker.js';
import { freePort } from '../../support/free-port.js';
import { runCli, type CliProcess } from '../helpers/processes.js';

/**
 * A second local broker with an SSL listener (self-signed certificate) and a mutual-TLS listener (it
 * requires a client certificate), started and stopped here.
 */
describe('TLS against a real broker', () => {
  const broker = ownBroker('KTB_TEST_TLS_PORT', 18592, { tls: true, tlsClientAuth: true });
  const { names, topic } = uniqueTopics('tls');
  let opts: localKafka.LocalKafkaOptions;
  let tls: string[];
  let caFile: string;
  let svc: RunningController | undefined;
  let producer: SmartProducer | undefined;
  let mtlsProducer: SmartProducer | undefined;
  const clis: CliProcess[] = [];

  /** `topics create` through the CLI, which takes TLS from the environment. */
  const createTopicWithCli = async (brokers: string[], name: string, env: Record<string, string>) => {
    const create = runCli(
      [
        'topics',
        'create',
        '--brokers',
        brokers.join(','),
        '--topic',
        name,
        '--shared',
        '2',
        '--dedicated',
        '1',
        '--routing-topic',
        names.routingTopic,
        '--acks-topic',
        names.acksTopic,
        '--traffic-topic',
        names.trafficTopic,
      ],
      env,
    );
    clis.push(create);
    expect(await create.exited, create.output.join('\n')).toBe(0);
  };

  /** The controller service, which takes TLS from its config's ssl section. */
  const startController = async (brokers: string[], name: string, ssl: unknown) =>
    startControllerService(
      parseControllerConfig({
        brokers,
        topics: [name],
        ...names,
        ssl,
        tickMs: 200,
        windowMs: 1000,
        http: { port: await freePort(), host: '127.0.0.1' },
      }),
      { logger: silentLogger() },
    );

  beforeAll(() => {
    opts = broker.opts;
    tls = localKafka.tlsBootstrapServers(opts);
    caFile = localKafka.tlsCaFile(opts);
  });
  afterAll(async () => {
    for (const c of clis) await c.kill('SIGKILL');
    await producer?.disconnect();
    await mtlsProducer?.disconnect();
    await svc?.stop();
  }, 60_000);

  it('creates the topic with the CLI, runs the controller and produces, all over TLS with a private CA', async () => {
    // The CLI takes TLS from the environment, like SASL.
    await createTopicWithCli(tls, topic, { KAFKA_SSL_CA_FILE: caFile });

    svc = await startController(tls, topic, { caFile });
    const kafka = createKafka(
      { brokers: tls, clientId: 'tls-test', ssl: { caFile, rejectUnauthorized: true } },
      silentLogger(),
    );
    producer = new SmartProducer(kafka, { ...names, trafficIntervalMs: 200 });
    await producer.connect();
    const md = await producer.send({ topic, tenant: 'acme', value: 'over tls' });
    expect(Number(md.offset)).toBeGreaterThanOrEqual(0);
    // A whole migration over TLS: the controller announces, the producer acks, the route settles.
    svc.controller.command({ op: 'pin', topic, tenant: 'acme' });
    const route = await waitFor(
      () => {
        const r = producer!.routes.table.route(topic, 'acme');
        return r?.state === 'dedicated' ? r : undefined;
      },
      'acme dedicated, seen by the producer over TLS',
      30_000,
      50,
    );
    const after = await producer.send({ topic, tenant: 'acme', value: 'after the move' });
    expect(after.partition).toBe(route.partitions[0]);
  });

  it('refuses a broker whose certificate it cannot verify, with a clear error', async () => {
    const kafka = new Kafka({
      clientId: 'tls-untrusted',
      brokers: tls,
      ssl: true,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 3000,
    });
    const p = new SmartProducer(kafka, { ...names, connectTimeoutMs: 5000 });
    await expect(p.connect()).rejects.toMatchObject({
      code: ErrorCode.BrokerUnreachable,
      message: expect.stringMatching(/certificate/i),
    });
  });

  it('says which TLS file is missing before connecting', async () => {
    await expect(
      startControllerService(
        parseControllerConfig({
          brokers: tls,
          topics: [topic],
          ...names,
          ssl: { caFile: `${caFile}.missing` },
        }),
        { logger: silentLogger() },
      ),
    ).rejects.toMatchObject({
      code: ErrorCode.ConfigInvalid,
      message: expect.stringMatching(/ssl\.caFile: cannot read .*ca\.pem\.missing \(ENOENT\)/),
    });
  });

  it('mutual TLS: refuses a client without a certificate; the CLI (env) and the controller (config) get in with one', async () => {
    const mtls = localKafka.mtlsBootstrapServers(opts);
    const certFile = localKafka.tlsClientCertFile(opts);
    const keyFile = localKafka.tlsClientKeyFile(opts);

    // Trusts the broker, but shows no certificate: the broker ends the handshake.
    const anonymous = new Kafka({
      clientId: 'mtls-anonymous',
      brokers: mtls,
      ssl: { ca: [readFileSync(caFile, 'utf8')] },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 3000,
    });
    const refused = new SmartProducer(anonymous, { ...names, connectTimeoutMs: 5000 });
    await expect(refused.connect()).rejects.toMatchObject({
      code: ErrorCode.BrokerUnreachable,
      message: expect.stringMatching(/bad certificate/i),
    });

    // The CLI takes the client certificate from the environment.
    const mtlsTopic = uniqueName('mtls');
    await createTopicWithCli(mtls, mtlsTopic, {
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SSL_CERT_FILE: certFile,
      KAFKA_SSL_KEY_FILE: keyFile,
    });

    // The controller takes it from its config file's ssl section, and becomes ready over mTLS. It
    // shares the routing topic with the first test's controller, which must stop first (one
    // controller per routing topic; a second one refuses to start).
    await svc?.stop();
    svc = undefined;
    const ssl = { caFile, certFile, keyFile, rejectUnauthorized: true };
    // The controller CLI reads the TLS file paths from its --config file, as an operator would run it.
    const port = await freePort();
    const configFile = join(mkdtempSync(join(tmpdir(), 'ktb-mtls-')), 'controller.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        brokers: mtls,
        topics: [mtlsTopic],
        ...names,
        ssl,
        tickMs: 200,
        windowMs: 1000,
        http: { port },
      }),
    );
    const ctl = runCli(['controller', '--config', configFile]);
    clis.push(ctl);
    await ctl.waitForOutput(/controller ready/, 'controller ready over mutual TLS (CLI, config file)');
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 || undefined,
      'controller ready over mutual TLS',
      30_000,
    );
    mtlsProducer = new SmartProducer(
      createKafka({ brokers: mtls, clientId: 'mtls-test', ssl }, silentLogger()),
      names,
    );
    await mtlsProducer.connect();
    const md = await mtlsProducer.send({ topic: mtlsTopic, tenant: 'acme', value: 'over mutual tls' });
    expect(Number(md.offset)).toBeGreaterThanOrEqual(0);
  });
});
