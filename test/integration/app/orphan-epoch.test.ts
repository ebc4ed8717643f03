import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { OrderedConsumer } from '../../../src/adapters/kafka/ordered-consumer/index.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { Headers } from '../../../src/domain/record-headers.js';
import { capturingLogger } from '../helpers/controller.js';
import { uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;

/**
 * A hostile or mistaken writer on a managed topic: records carrying a `route-epoch` header for a route
 * the routing topic never had (copied headers, a forged value, a deleted route). An ordered consumer
 * must not hold them forever (its partition would pause for good, starving every tenant there): once
 * its routing view has caught up past them, it processes them, counts them and says so.
 */
describe('an ordered consumer meets route-epoch headers no route backs', () => {
  let t: Topology;
  let producer: Producer;
  let consumer: OrderedConsumer;
  const captured = capturingLogger('warn');
  const processed: string[] = [];

  beforeAll(async () => {
    t = await createTopology('orphan', SHARED, 2);
    producer = t.kafka.producer();
    await producer.connect();
    consumer = new OrderedConsumer(t.kafka, {
      groupId: uniqueName('orphan-group'),
      topics: [t.topic],
      routingTopic: t.names.routingTopic,
      acksTopic: t.names.acksTopic,
      fromBeginning: true,
      logger: captured.logger,
      consumer: { maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 },
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        processed.push(message.value!.toString());
      },
    });
  });
  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await t?.close();
  });

  it('processes them after its view caught up, and the records behind them on their partition flow', async () => {
    // every record on one shared partition, so a stuck record would stall the ones behind it
    const partition = partitionForKey('stray', SHARED);
    const send = (value: string, headers: Record<string, string>) =>
      producer.send({ topic: t.topic, messages: [{ partition, value, headers }] });
    await send('plain-1', { [Headers.tenantId]: 'neighbour' });
    await send('stray-forged', { [Headers.tenantId]: 'stray', [Headers.routeEpoch]: '7' });
    await send('stray-huge', { [Headers.tenantId]: 'stray', [Headers.routeEpoch]: '9999999999' });
    await send('plain-2', { [Headers.tenantId]: 'neighbour' });
    await send('stray-forged-again', { [Headers.tenantId]: 'stray', [Headers.routeEpoch]: '7' });
    await send('plain-3', { [Headers.tenantId]: 'neighbour' });

    await waitFor(() => processed.length >= 6 || undefined, 'all six records processed', 20_000);
    // each tenant in its own order; the neighbour was not stopped behind the held stray records (on
    // a shared partition a held tenant's records wait aside while other tenants flow)
    expect(processed.filter((v) => v.startsWith('plain'))).toEqual(['plain-1', 'plain-2', 'plain-3']);
    // 9999999999 is above any route epoch, so that record carries none; it still waits behind the
    // tenant's earlier held record
    expect(processed.filter((v) => v.startsWith('stray'))).toEqual([
      'stray-forged',
      'stray-huge',
      'stray-forged-again',
    ]);
    const stats = consumer.stats();
    expect(stats.orphanEpochs).toBe(1);
    expect(stats.holds).toEqual([]);
    const warnings = captured.lines.filter((l) => l.includes('KTB_ORPHAN_EPOCH'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"tenant":"stray"');
    expect(warnings[0]).toContain('"epoch":7');
  });
});
