import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer, type Serializer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { collect } from '../helpers/collect.js';
import { waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;

/** buffer.memory with max.block.ms, and an async serializer, on the real broker. */
describe('SmartProducer limits and async serializers', () => {
  let t: Topology;
  const producers: SmartProducer[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    t = await createTopology('limits', SHARED, 2);
  }, 60_000);
  afterAll(async () => {
    for (const s of stops) await s();
    for (const p of producers) await p.disconnect().catch(() => undefined);
    await t?.close();
  });

  it('blocks a send when buffer.memory is full, then fails it with KTB_BUFFER_FULL after max.block.ms', async () => {
    const p = new SmartProducer(t.kafka, { ...t.names, bufferMemory: 4096, maxBlockMs: 500, lingerMs: 1 });
    producers.push(p);
    await p.connect();
    // A drain holds the tenant's records in producer memory, so they fill the buffer for sure.
    const hash = partitionForKey('full', SHARED);
    await t.writer.write(
      t.route('full', { state: 'draining', from: [hash], partitions: [SHARED], epoch: 1 }),
    );
    await waitFor(() => p.routes.table.route(t.topic, 'full')?.state === 'draining', 'drain seen');
    const held = Array.from({ length: 3 }, (_, i) =>
      p.send({ topic: t.topic, tenant: 'full', value: 'x'.repeat(1000) + i }),
    );
    await waitFor(() => p.stats().held === 3, 'three records held');
    const startedAt = Date.now();
    await expect(p.send({ topic: t.topic, tenant: 'full', value: 'y'.repeat(1500) })).rejects.toMatchObject({
      code: ErrorCode.BufferFull,
    });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(450);
    // The held records were not lost: they go out when the move settles.
    await t.writer.write(t.route('full', { partitions: [SHARED], epoch: 1 }));
    expect((await Promise.all(held)).map((m) => m.partition)).toEqual([SHARED, SHARED, SHARED]);
  });

  it('keeps send() order per tenant with an async serializer whose calls finish out of order', async () => {
    // Each value takes a different time to serialize: later records often finish first.
    const slow: Serializer<string> = {
      name: 'slow',
      serialize: (v) =>
        new Promise((resolve) =>
          setTimeout(() => resolve(Buffer.from(v)), (Number(v.split('-')[1]) * 7) % 23),
        ),
    };
    const p = new SmartProducer<string>(t.kafka, { ...t.names, lingerMs: 2 }, { serializer: slow });
    producers.push(p);
    await p.connect();
    const sends = Array.from({ length: 200 }, (_, i) =>
      p.send({ topic: t.topic, tenant: 'async', value: `a-${i}` }),
    );
    const mds = await Promise.all(sends);
    const offsets = mds.map((m) => BigInt(m.offset));
    expect([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(offsets);
    const c = await collect(t.kafka, t.topic);
    stops.push(c.stop);
    const got = await waitFor(() => {
      const mine = c.seen.filter((r) => r.value?.startsWith('a-'));
      return mine.length >= 200 ? mine : undefined;
    }, 'the 200 records consumed');
    expect(got.map((r) => r.value)).toEqual(Array.from({ length: 200 }, (_, i) => `a-${i}`));
  });
});
