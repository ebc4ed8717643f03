import { Writable } from 'node:stream';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagedTopic } from '../../../src/adapters/kafka/managed-topics.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import * as localKafka from '../../../src/adapters/local-kafka/index.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { ownBroker, uniqueTopics } from '../helpers/own-broker.js';
import { freePort } from '../../support/free-port.js';

const PASSWORD = 'sup3r-s3cret-pa55word';

/** A second local broker with a SASL listener (PLAIN and SCRAM), started and stopped by this file. */
describe('SASL (PLAIN, SCRAM-SHA-256/512) against a real broker', () => {
  const broker = ownBroker('KTB_TEST_SASL_PORT', 19692, { saslUsers: { app: PASSWORD } });
  const { names, topic } = uniqueTopics('sasl');
  let sasl: string[];
  let svc: RunningController | undefined;
  const logLines: string[] = [];

  beforeAll(() => {
    sasl = localKafka.saslBootstrapServers(broker.opts);
  });
  afterAll(async () => {
    await svc?.stop();
  }, 60_000);

  const kafkaWith = (mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', password = PASSWORD) =>
    new Kafka({
      clientId: 'sasl-test',
      brokers: sasl,
      sasl: { mechanism, username: 'app', password } as SASLOptions,
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
      connectionTimeout: 2000,
    });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'produces through the SmartProducer over SASL %s',
    async (mechanism) => {
      const kafka = kafkaWith(mechanism);
      const admin = kafka.admin();
      await admin.connect();
      if (!(await admin.listTopics()).includes(topic))
        await createManagedTopic(kafka, admin, names, { topic, shared: 2, dedicated: 1 });
      await admin.disconnect();
      const p = new SmartProducer(kafka, names);
      await p.connect();
      const md = await p.send({ topic, tenant: 'acme', value: mechanism });
      expect(Number(md.offset)).toBeGreaterThanOrEqual(0);
      await p.disconnect();
    },
  );

  it('fails clearly with a wrong password', async () => {
    const p = new SmartProducer(kafkaWith('scram-sha-256', 'wrong'), { ...names, connectTimeoutMs: 5000 });
    await expect(p.connect()).rejects.toMatchObject({
      code: ErrorCode.BrokerUnreachable,
      message: expect.stringMatching(/SASL|[Aa]uthentication/),
    });
  });

  it('runs the controller over SASL from config, and never shows the password in logs or /tenants', async () => {
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    });
    const logger = createLogger('sasl-controller', 'debug', sink);
    const config = parseControllerConfig({
      brokers: sasl,
      topics: [topic],
      ...names,
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: PASSWORD },
      http: { port: await freePort(), host: '127.0.0.1' },
      authToken: 'sasl-test-token-0123456',
    });
    logger.info({ config }, 'starting with this config');
    svc = await startControllerService(config, { logger });
    const tenants = await (await fetch(`${svc.url}/tenants`)).text();
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(tenants).not.toContain(PASSWORD);
    expect(metrics).not.toContain(PASSWORD);
    const all = logLines.join('');
    expect(all).toContain('starting with this config');
    // The check covers the product's own logs and kafkajs's (at debug, through the same logger),
    // including its SASL handshake, not only the line this test wrote.
    expect(all).toContain('controller HTTP listening');
    expect(logLines.some((l) => l.includes('"logger":"kafkajs"') && /sasl|scram/i.test(l))).toBe(true);
    expect(all).not.toContain(PASSWORD);
  });
});
