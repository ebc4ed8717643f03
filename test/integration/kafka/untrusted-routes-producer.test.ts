import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmartProducer } from '../../../src/adapters/kafka/smart-producer/index.js';
import { partitionForKey } from '../../../src/domain/murmur2.js';
import { brokers, waitFor } from '../helpers/kafka.js';
import { createTopology, type Topology } from '../helpers/topology.js';

const SHARED = 2;
const DEDICATED = 3;

/** What a SmartProducer does with routing records a controller would never write. */
describe('the SmartProducer applies only routes that keep the pools, ownership and epochs', () => {
  let t: Topology;
  let p: SmartProducer;
  const D = SHARED; // first dedicated partition
  const hash = (tenant: string) => partitionForKey(tenant, SHARED);
  const partitionOf = async (tenant: string) =>
    (await p.send({ topic: t.topic, tenant, value: 'probe' })).partition;
  /** A route for `marker` on `partition`: once the producer uses it, it has read everything before. */
  const barrier = async (partition: number, epoch: number) => {
    await t.writer.write(t.route('marker', { partitions: [partition], epoch }));
    await waitFor(async () => (await partitionOf('marker')) === partition, 'producer read past the barrier');
  };

  beforeAll(async () => {
    expect(brokers().length).toBeGreaterThan(0);
    t = await createTopology('untrusted-p', SHARED, DEDICATED);
    p = new SmartProducer(t.kafka, { ...t.names, lingerMs: 2, routeLeaseMs: 10_000 });
    await p.connect();
  }, 60_000);
  afterAll(async () => {
    await p?.disconnect();
    await t?.close();
  });

  it('keeps a tenant on its hash partition when a route names the shared pool or another tenant', async () => {
    await t.writer.write(t.route('owner', { partitions: [D + 1] }));
    await t.writer.write(t.route('squatter', { partitions: [hash('squatter') === 0 ? 1 : 0] }));
    await t.writer.write(t.route('thief', { partitions: [D + 1] }));
    await barrier(D + 2, 1);
    expect(await partitionOf('owner')).toBe(D + 1);
    expect(await partitionOf('squatter')).toBe(hash('squatter'));
    expect(await partitionOf('thief')).toBe(hash('thief'));
  });

  it('does not hold a tenant for a draining record whose epoch is out of range', async () => {
    await t.writer.write(
      t.route('stuck', { state: 'draining', from: [hash('stuck')], partitions: [D], epoch: 2 ** 53 - 1 }),
    );
    await barrier(D + 2, 1);
    expect(p.stats().malformedRouteRecords).toBeGreaterThanOrEqual(1);
    expect(await partitionOf('stuck')).toBe(hash('stuck'));
  });

  it('keeps holding a moving tenant when its route is deleted mid-move, and releases it in order when the move settles', async () => {
    const h = hash('mover');
    await t.writer.write(t.route('mover', { state: 'draining', from: [h], partitions: [D], epoch: 1 }));
    await barrier(D + 2, 1);
    const held = Array.from({ length: 5 }, (_, i) =>
      p.send({ topic: t.topic, tenant: 'mover', value: `m${i}` }),
    );
    await waitFor(() => p.stats().held >= 5, 'the five records held by the drain');
    await t.writer.remove(t.topic, 'mover');
    await barrier(D + 2, 1);
    // The tombstone was read (the barrier is behind it) and refused: nothing was released.
    expect(p.stats().held).toBe(5);
    await t.writer.write(t.route('mover', { partitions: [D], epoch: 1 }));
    const md = await Promise.all(held);
    expect(md.map((m) => m.partition)).toEqual([D, D, D, D, D]);
    const offsets = md.map((m) => BigInt(m.offset));
    expect([...offsets].sort((a, b) => (a < b ? -1 : 1))).toEqual(offsets);
  });
});
