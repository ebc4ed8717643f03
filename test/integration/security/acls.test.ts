import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aclEntries,
  controllerGrants,
  orderedConsumerGrants,
  producerGrants,
} from '../../../src/adapters/kafka/deployment-acls.js';
import { OrderedConsumer } from '../../../src/adapters/kafka/ordered-consumer/index.js';
import { createManagedTopic } from '../../../src/adapters/kafka/managed-topics.js';
import { controllerTransactionalId } from '../../../src/adapters/kafka/route-writer.js';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import * as localKafka from '../../../src/adapters/local-kafka/index.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import { parseControllerConfig } from '../../../src/app/controller-config.js';
import { startControllerService, type RunningController } from '../../../src/compose/controller-service.js';
import { waitFor } from '../helpers/kafka.js';
import { ownBroker, uniqueTopics } from '../helpers/own-broker.js';

const PW = {
  admin: 'admin-pa55word-xyz',
  ctl: 'controller-pa55word',
  app: 'producer-pa55word',
  eve: 'eve-pa55word-123',
  sink: 'sink-pa55word-456',
};
const SINK_GROUP = 'acl-sink';

/**
 * A broker with ACLs on (StandardAuthorizer), set up as docs/architecture.md, "Deploying safely" says: the
 * controller principal alone may write the routing topic; producers write data and signals and
 * read routes. Proves both that the listed ACLs are enough and that they keep the others out.
 */
describe('a deployment with ACLs (docs/architecture.md, "Deploying safely")', () => {
  const broker = ownBroker('KTB_TEST_ACL_PORT', 18692, { saslUsers: PW, aclSuperUsers: ['admin'] });
  const { names, topic } = uniqueTopics('acl');
  let sasl: string[];
  let svc: RunningController | undefined;
  let producer: SmartProducer | undefined;
  let sink: OrderedConsumer | undefined;

  const as = (user: keyof typeof PW) =>
    new Kafka({
      clientId: `acl-${user}`,
      brokers: sasl,
      sasl: { mechanism: 'plain', username: user, password: PW[user] } as SASLOptions,
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 100 },
    });

  beforeAll(async () => {
    sasl = localKafka.saslBootstrapServers(broker.opts);
    // The operator (a super user) creates the topics and grants the two roles.
    const operator = new Kafka({
      clientId: 'acl-operator',
      brokers: broker.plain,
      logLevel: logLevel.NOTHING,
    });
    const admin = operator.admin();
    await admin.connect();
    await createManagedTopic(operator, admin, names, { topic, shared: 2, dedicated: 2 });
    await admin.createTopics({ topics: [{ topic: `${names.routingTopic}.leader`, numPartitions: 1 }] });
    const deployment = { ...names, topics: [topic] };
    await admin.createAcls({
      acl: [
        ...aclEntries('User:ctl', controllerGrants(deployment)),
        ...aclEntries('User:app', producerGrants(deployment)),
        ...aclEntries('User:sink', orderedConsumerGrants(deployment, SINK_GROUP)),
      ],
    });
    await admin.disconnect();
  }, 120_000);
  afterAll(async () => {
    await sink?.stop();
    await producer?.disconnect();
    await svc?.stop();
  }, 60_000);

  it('the controller and a producer work with exactly the documented ACLs', async () => {
    svc = await startControllerService(
      parseControllerConfig({
        brokers: sasl,
        topics: [topic],
        ...names,
        tickMs: 200,
        windowMs: 1000,
        routeLeaseMs: 4000,
        http: { port: 0, host: '127.0.0.1' },
        sasl: { mechanism: 'plain', username: 'ctl', password: PW.ctl },
        groups: [SINK_GROUP],
      }),
      { logger: silentLogger() },
    );
    // an ordered consumer with its documented grants: it reads, commits and announces itself
    sink = new OrderedConsumer(as('sink'), {
      groupId: SINK_GROUP,
      topics: [topic],
      ...names,
      fromBeginning: true,
    });
    let sunk = 0;
    await sink.run({ eachMessage: async () => void sunk++ });
    producer = new SmartProducer(as('app'), {
      ...names,
      lingerMs: 5,
      trafficIntervalMs: 200,
      routeLeaseMs: 4000,
    });
    await producer.connect();
    svc.controller.command({ op: 'pin', topic, tenant: 'acme' });
    const pinned = await waitFor(
      () => svc!.controller.tenants().find((x) => x.tenant === 'acme' && x.state === 'dedicated'),
      'acme dedicated',
      30_000,
    );
    const target = pinned.partitions[0]!;
    await waitFor(
      async () => (await producer!.send({ topic, tenant: 'acme', value: 'x' })).partition === target,
      'the producer routes acme to its dedicated partition',
    );
    await waitFor(() => (sunk > 0 ? true : undefined), 'the ordered consumer to process a record');
    await waitFor(
      async () => ((await svc!.gates.gated(topic, [SINK_GROUP])).has(SINK_GROUP) ? true : undefined),
      'the controller to see the sink group gated',
    );
  }, 60_000);

  it('a producer principal cannot write routes, nor take the controller transactional id', async () => {
    const raw = as('app').producer();
    await raw.connect();
    try {
      await expect(
        raw.send({ topic: names.routingTopic, messages: [{ key: `${topic}/evil`, value: '{}' }] }),
      ).rejects.toThrow(/authoriz/i);
    } finally {
      await raw.disconnect();
    }
    const usurper = as('app').producer({
      transactionalId: controllerTransactionalId(names.routingTopic),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await usurper.connect();
    try {
      // Without Describe on the transactional id the broker will not even name its coordinator
      // (kafkajs reports TRANSACTIONAL_ID_AUTHORIZATION_FAILED as "Failed to find group coordinator").
      await expect(usurper.transaction()).rejects.toThrow();
    } finally {
      await usurper.disconnect();
    }
    // ... so the controller was not fenced: it still writes routes.
    svc!.controller.command({ op: 'pin', topic, tenant: 'bolt' });
    await waitFor(
      () => svc!.controller.tenants().find((x) => x.tenant === 'bolt' && x.state === 'dedicated'),
      'bolt dedicated',
      30_000,
    );
    expect(svc!.controller.fenced).toBe(false);
  }, 60_000);

  it('a principal without grants cannot forge traffic reports or acks', async () => {
    const raw = as('eve').producer();
    await raw.connect();
    try {
      for (const t of [names.trafficTopic, names.acksTopic])
        await expect(raw.send({ topic: t, messages: [{ value: '{}' }] })).rejects.toThrow(/authoriz/i);
    } finally {
      await raw.disconnect();
    }
  }, 60_000);
});
