import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchSender } from '../../../../../src/adapters/kafka/smart-producer/batch-sender.js';
import { BufferPool } from '../../../../../src/adapters/kafka/smart-producer/buffer-pool.js';
import { Completion } from '../../../../../src/adapters/kafka/smart-producer/completion.js';
import type { PendingRecord } from '../../../../../src/adapters/kafka/smart-producer/pending-record.js';
import { TransportError } from '../../../../../src/adapters/kafka/smart-producer/transport.js';
import type { TenantBalancerError } from '../../../../../src/domain/errors.js';
import type { RecordMetadata } from '../../../../../src/adapters/kafka/smart-producer/types.js';
import { FakeTransport } from './fake-transport.js';
import { settle } from './harness.js';

function senderHarness(options: { batchBytes?: number; lingerMs?: number; maxInFlight?: number } = {}) {
  const transport = new FakeTransport();
  const pool = new BufferPool(1024 * 1024);
  const outcomes: { value: string; err: TenantBalancerError | null; md: RecordMetadata | undefined }[] = [];
  let batchesDone = 0;
  const sender = new BatchSender({
    options: { batchBytes: 300, lingerMs: 60_000, maxInFlight: 1, ...options },
    transport,
    completion: new Completion(pool, () => undefined),
    onBatchDone: () => batchesDone++,
  });
  /** A routed record of 100 bytes (as the intake would have sized and reserved it). */
  const add = (value: string, partition = 0, routeEpoch = 0): void => {
    pool.reserve(100);
    const p: PendingRecord = {
      topic: 'orders',
      tenant: 'acme',
      gateKey: 'orders/acme',
      key: null,
      secondaryKey: undefined,
      value: Buffer.from(value),
      headers: {},
      partition: undefined,
      enqueuedAt: Date.now(),
      bytes: 100,
      reserved: true,
      countedInGate: false,
      routedPartition: partition,
      routeEpoch,
      done: (err, md) => outcomes.push({ value, err, md }),
    };
    sender.add(p);
  };
  return { sender, transport, pool, outcomes, add, batchesDone: () => batchesDone };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchSender (batching and in-flight control, over a fake transport)', () => {
  it('sends a batch as soon as it reaches batch.size, without waiting for linger.ms', () => {
    const h = senderHarness({ batchBytes: 300, lingerMs: 60_000 });
    h.add('r1');
    h.add('r2');
    expect(h.transport.sends).toEqual([]);
    h.add('r3');
    expect(h.transport.sends.map((s) => s.values)).toEqual([['r1', 'r2', 'r3']]);
    h.sender.close();
  });

  it('sends a partial batch once its oldest record waited linger.ms', async () => {
    vi.useFakeTimers();
    const h = senderHarness({ batchBytes: 1_000_000, lingerMs: 20 });
    h.add('r1');
    await vi.advanceTimersByTimeAsync(10);
    h.add('r2');
    expect(h.transport.sends).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(h.transport.sends.map((s) => s.values)).toEqual([['r1', 'r2']]);
  });

  it('keeps at most max.in.flight batches in flight, in order; the next goes when one settles', async () => {
    const one = senderHarness({ batchBytes: 100, maxInFlight: 1 });
    one.add('r1');
    one.add('r2');
    one.add('r3');
    expect(one.transport.sends.map((s) => s.values)).toEqual([['r1']]);
    expect(one.sender.inFlightBatches).toBe(1);
    expect(one.sender.hasWaitingBatch).toBe(true);
    one.transport.sends[0]!.ack();
    await settle();
    expect(one.transport.sends.map((s) => s.values)).toEqual([['r1'], ['r2']]);
    expect(one.batchesDone()).toBe(1);

    const two = senderHarness({ batchBytes: 100, maxInFlight: 2 });
    two.add('r1');
    two.add('r2');
    two.add('r3');
    expect(two.transport.open.map((s) => s.values)).toEqual([['r1'], ['r2']]);
    expect(two.sender.hasRoom).toBe(false);
  });

  it("completes each record with its own offset and epoch, failed ones with the transport's error", async () => {
    const h = senderHarness({ batchBytes: 400 });
    h.add('r1', 0, 3);
    h.add('r2', 1, 3);
    h.add('r3', 0, 3);
    h.add('r4', 1, 3);
    const [batch] = h.transport.sends;
    const lost = new TransportError('outcome-unknown', 'no answer for partition 1');
    batch!.ack([0, 2]);
    expect(
      h.outcomes.map((o) => o.value),
      'answered records complete before the rest',
    ).toEqual(['r1', 'r3']);
    expect(h.pool.used).toBe(200);
    batch!.fail(lost);
    await settle();
    expect(h.outcomes.map((o) => [o.value, o.md?.partition, o.md?.offset, o.md?.routeEpoch, o.err])).toEqual([
      ['r1', 0, '0', 3, null],
      ['r3', 0, '1', 3, null],
      ['r2', undefined, undefined, undefined, lost],
      ['r4', undefined, undefined, undefined, lost],
    ]);
    expect(h.pool.used).toBe(0);
    expect(h.sender.isIdle).toBe(true);
  });
});
