import type { Producer } from 'kafkajs';
import type { Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignalConsumer } from '../../../src/adapters/kafka/signal-consumer.js';
import { silentLogger } from '../../../src/adapters/logger.js';
import type { DrainAck } from '../../../src/domain/wire-records.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const ack = (producerId: string, epoch: number): DrainAck => ({
  v: 1,
  kind: 'drain-ack',
  producerId,
  topic: 'events',
  tenant: 'vip',
  epoch,
  at: Date.now(),
});

/**
 * A controller process follows the acks topic once; a Controller built when the process leads again
 * (after losing its election group) subscribes later and must still see the acks read before it.
 */
describe('SignalConsumer: acks read before a subscriber came are replayed to it', () => {
  let t: Topology;
  let signals: SignalConsumer;
  let writer: Producer;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    t = await createTopology('ackreplay', 1, 0);
    writer = t.kafka.producer();
    await writer.connect();
    signals = new SignalConsumer(t.kafka, t.names, silentLogger());
    await signals.start();
  });
  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    await writer?.disconnect();
    await signals?.stop();
    await t?.close();
  });

  it('a late subscriber first gets every ack read so far, then the live ones, each once', async () => {
    const first: DrainAck[] = [];
    subs.push(signals.acks$.subscribe((a) => first.push(a)));
    const send = (a: DrainAck) =>
      writer.send({
        topic: t.names.acksTopic,
        messages: [{ key: `${a.topic}/${a.tenant}`, value: JSON.stringify(a) }],
      });
    await send(ack('p1', 1));
    await send(ack('p2', 1));
    await waitFor(() => first.length === 2, 'the first subscriber read both acks');

    const late: DrainAck[] = [];
    subs.push(signals.acks$.subscribe((a) => late.push(a)));
    // replayed at once, on subscription: nothing more was written yet
    expect(late.map((a) => a.producerId)).toEqual(['p1', 'p2']);

    await send(ack('p3', 2));
    await waitFor(() => late.length === 3 && first.length === 3, 'both subscribers read the live ack');
    expect(late.map((a) => `${a.producerId}@${a.epoch}`)).toEqual(['p1@1', 'p2@1', 'p3@2']);
    expect(first.map((a) => `${a.producerId}@${a.epoch}`)).toEqual(['p1@1', 'p2@1', 'p3@2']);
  });
});
