import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import * as localKafka from '../../../src/adapters/local-kafka/index.js';
import { uniqueName } from './kafka.js';

export interface OwnBroker {
  /** valid inside the tests (after beforeAll) */
  readonly opts: localKafka.LocalKafkaOptions;
  /** the plain listener's bootstrap servers */
  readonly plain: string[];
}

/**
 * A local broker of the calling test file's own (the SASL, TLS and ACL tests need listeners the shared
 * broker does not have): registers a beforeAll that starts it from a clean data dir on port `env[portEnv]`
 * (else `defaultPort`) and an afterAll that stops it and deletes its data. Register the file's own
 * afterAll after calling this: after hooks run in reverse order, so clients stop before the broker.
 */
export function ownBroker(
  portEnv: string,
  defaultPort: number,
  options: Partial<localKafka.LocalKafkaOptions>,
): OwnBroker {
  let opts: localKafka.LocalKafkaOptions | undefined;
  let plain: string[] = [];
  beforeAll(async () => {
    const port = Number(process.env[portEnv] ?? defaultPort);
    opts = localKafka.defaultLocalKafkaOptions({ ...options, port });
    await localKafka.stop(opts, { clean: true });
    plain = (await localKafka.start(opts)).bootstrap;
    await warmGroupCoordinator(plain);
  }, 120_000);
  afterAll(async () => {
    if (opts) await localKafka.stop(opts, { clean: true });
  }, 60_000);
  return {
    get opts() {
      return opts!;
    },
    get plain() {
      return plain;
    },
  };
}

/** Internal topic names and a managed topic, unique to one test file (prefix: what the file tests). */
export const uniqueTopics = (
  prefix: string,
): { names: { routingTopic: string; acksTopic: string; trafficTopic: string }; topic: string } => ({
  names: {
    routingTopic: uniqueName(`${prefix}-routes`),
    acksTopic: uniqueName(`${prefix}-acks`),
    trafficTopic: uniqueName(`${prefix}-traffic`),
  },
  topic: uniqueName(prefix),
});

/**
 * The first consumer group on a new broker waits for __consumer_offsets to be created and loaded. A
 * test's first client (a routing reader joins a group) paid for that inside its own deadline, and
 * once, on a loaded CI machine, ran out of it (SASL: "could not read routing topic ... within 30000
 * ms"). Asking for a group's coordinator here, patiently, creates and loads it first. A broker whose
 * plain listener may not describe groups (ACLs) answers with an authorization error: nothing to warm.
 */
async function warmGroupCoordinator(bootstrap: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'own-broker-warmup',
    brokers: bootstrap,
    logLevel: logLevel.NOTHING,
    retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 5000 },
  }).admin();
  await admin.connect();
  try {
    await admin.describeGroups([uniqueName('warmup')]);
  } catch (e) {
    if (!/AUTHORIZATION/.test(String((e as { type?: string }).type ?? e))) throw e;
  } finally {
    await admin.disconnect();
  }
}
