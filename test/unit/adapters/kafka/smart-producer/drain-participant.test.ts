import { describe, expect, it } from 'vitest';
import { Headers } from '../../../../../src/domain/record-headers.js';
import { TransportError } from '../../../../../src/adapters/kafka/smart-producer/transport.js';
import { partitionForKey } from '../../../../../src/domain/murmur2.js';
import { pools, route } from '../../../domain/fixtures.js';
import { pipelineHarness, settle } from './harness.js';

const acmeHome = partitionForKey('acme', 2);
const layout = pools('orders', 2, 4);
const draining = route('orders', 'acme', { state: 'draining', partitions: [2], from: [acmeHome], epoch: 1 });
const settled = route('orders', 'acme', { state: 'dedicated', partitions: [2], epoch: 1 });

function drainHarness(options: Parameters<typeof pipelineHarness>[0] = {}) {
  const h = pipelineHarness(options);
  h.transport.partitionCounts.set('orders', 4);
  h.apply(layout);
  return h;
}

describe('DrainParticipant (producer side of the drain, over a fake transport)', () => {
  it("holds a draining tenant's new records while other tenants' records go on", async () => {
    const h = drainHarness();
    h.send({ topic: 'orders', tenant: 'acme', value: 'a1' });
    await settle();
    expect(h.transport.sends.map((s) => s.values)).toEqual([['a1']]);

    h.apply(draining);
    h.send({ topic: 'orders', tenant: 'acme', value: 'a2' });
    h.send({ topic: 'orders', tenant: 'acme', value: 'a3' });
    h.send({ topic: 'orders', tenant: 'beta', value: 'b1' });
    await settle();
    expect(h.pipeline.stats().held).toBe(2);

    h.transport.sends[0]!.ack();
    await settle();
    expect(h.transport.sends.map((s) => s.values)).toEqual([['a1'], ['b1']]);
    expect(h.pipeline.stats().held).toBe(2);
  });

  it("acks the drain only once the tenant's records accepted before it are acknowledged", async () => {
    const h = drainHarness();
    h.send({ topic: 'orders', tenant: 'acme', value: 'a1' });
    h.send({ topic: 'orders', tenant: 'acme', value: 'a2' });
    await settle();
    h.apply(draining);
    expect(h.acks).toEqual([]);

    h.transport.sends[0]!.ack([0]);
    await settle();
    expect(h.acks, 'a2 is still in flight').toEqual([]);

    h.transport.sends[0]!.ack([1]);
    await settle();
    expect(h.acks).toEqual([{ key: 'orders/acme', epoch: 1 }]);
  });

  it('acks at once when none of its records is in flight, and a failed pre-drain record counts as done', async () => {
    const idle = drainHarness();
    idle.apply(draining);
    expect(idle.acks).toEqual([{ key: 'orders/acme', epoch: 1 }]);

    const failing = drainHarness();
    failing.send({ topic: 'orders', tenant: 'acme', value: 'a1' });
    await settle();
    failing.apply(draining);
    failing.transport.sends[0]!.fail(new TransportError('outcome-unknown', 'answer lost'));
    await settle();
    expect(failing.acks).toEqual([{ key: 'orders/acme', epoch: 1 }]);
    expect(failing.outcomes.map((o) => o.err?.message)).toEqual(['KTB_SEND_FAILED: answer lost']);
  });

  it('releases held records in order onto the settled route, ahead of what the tenant sends after it', async () => {
    // 2-byte values weigh 66 bytes each: a 100-byte chunk releases two records per send cycle.
    const h = drainHarness({ releaseChunkBytes: 100 });
    h.apply(draining);
    for (const v of ['a1', 'a2', 'a3']) h.send({ topic: 'orders', tenant: 'acme', value: v });
    await settle();
    expect(h.transport.sends).toEqual([]);

    h.apply(settled);
    h.send({ topic: 'orders', tenant: 'acme', value: 'a4' });
    await settle();
    expect(h.transport.sends.map((s) => s.values)).toEqual([['a1', 'a2']]);
    expect(h.pipeline.stats().releasing, 'a3 and a4 wait for the next cycle').toBe(2);

    h.transport.autoAck = true;
    h.transport.sends[0]!.ack();
    await settle(10);
    expect(h.transport.sends.flatMap((s) => s.values)).toEqual(['a1', 'a2', 'a3', 'a4']);
    const records = h.transport.sends.flatMap((s) => s.batch.records);
    expect(records.map((r) => r.partition)).toEqual([2, 2, 2, 2]);
    expect(records.map((r) => r.headers[Headers.routeEpoch])).toEqual(['1', '1', '1', '1']);
    expect(h.outcomes.map((o) => [o.value, o.md?.partition, o.md?.offset, o.md?.routeEpoch])).toEqual([
      ['a1', 2, '0', 1],
      ['a2', 2, '1', 1],
      ['a3', 2, '2', 1],
      ['a4', 2, '3', 1],
    ]);
  });

  it('reports a live hold through the hooks (with its trace context), and none for a replayed drain', async () => {
    const h = drainHarness();
    h.apply(draining);
    h.send({ topic: 'orders', tenant: 'acme', value: 'a1' });
    await settle();
    h.apply(settled);
    expect(h.holds).toEqual([
      {
        producerId: 'test-producer',
        topic: 'orders',
        tenant: 'acme',
        epoch: 1,
        traceContext: { traceparent: 'tp' },
      },
      { producerId: 'test-producer', topic: 'orders', tenant: 'acme', heldRecords: 1 },
    ]);

    const replayed = drainHarness();
    replayed.apply(draining, true);
    expect(replayed.holds).toEqual([]);
    expect(replayed.acks, 'a replayed drain is acked once the view caught up').toEqual([]);
    replayed.pipeline.drain.publishReplayedAcks();
    expect(replayed.acks).toEqual([{ key: 'orders/acme', epoch: 1 }]);
  });
});
