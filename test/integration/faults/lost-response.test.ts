import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { brokers, uniqueName, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

/**
 * A TCP proxy between the producer and the real broker that can swallow the broker's answers:
 * a produce request reaches the broker and is written, but the producer never hears back.
 */
class AnswerSwallowingProxy {
  swallow = false;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = tcpConnect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (this.swallow) {
          client.destroy();
          upstream.destroy();
        } else client.write(d);
      });
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('a produce request written by the broker whose answer is lost', () => {
  let topo: Topology;
  let proxy: AnswerSwallowingProxy;
  let producer: SmartProducer | undefined;

  beforeAll(async () => {
    topo = await createTopology('lost-answer', 1, 1);
    const [host, port] = brokers()[0]!.split(':');
    proxy = new AnswerSwallowingProxy({ host: host!, port: Number(port) });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await proxy.close();
    await topo.close();
  });

  it('fails that send, then writes the next record instead of having it taken for a retry', async () => {
    const proxyPort = await proxy.listen();
    // Every connection (bootstrap and the advertised broker address) goes through the proxy.
    const kafka = new Kafka({
      clientId: uniqueName('lost-answer'),
      brokers: [`127.0.0.1:${proxyPort}`],
      socketFactory: ({ onConnect }) => tcpConnect({ host: '127.0.0.1', port: proxyPort }, onConnect),
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
      connectionTimeout: 1000,
    });
    producer = new SmartProducer(kafka, {
      ...topo.names,
      retries: 1,
      lingerMs: 0,
      trafficIntervalMs: 60_000,
    });
    await producer.connect();
    const send = (value: string) => producer!.send({ topic: topo.topic, tenant: 'acme', value });

    const first = await send('r1');
    // The broker writes r2, its answer is lost: kafkajs fails the send (and rolls its sequence back).
    proxy.swallow = true;
    await expect(send('r2')).rejects.toMatchObject({ code: ErrorCode.SendFailed });
    proxy.swallow = false;
    // r3 is one record like r2. Reusing r2's sequence number, the broker would answer "written"
    // for it (a duplicate of r2) without writing it.
    const third = await send('r3');
    expect(producer.stats().producerRenewals).toBe(1);

    const consumer = topo.kafka.consumer({ groupId: uniqueName('lost-answer-check') });
    const seen: { value: string; offset: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topo.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (partition === first.partition)
          seen.push({ value: String(message.value), offset: message.offset });
      },
    });
    try {
      await waitFor(() => seen.some((s) => s.value === 'r3'), 'r3 in the log', 20_000);
    } finally {
      await consumer.disconnect();
    }
    // r2 was written although its send failed: the caller was told, and may send it again.
    expect(seen.map((s) => s.value)).toEqual(['r1', 'r2', 'r3']);
    expect(seen.find((s) => s.value === 'r3')!.offset).toBe(third.offset);
  });
});
