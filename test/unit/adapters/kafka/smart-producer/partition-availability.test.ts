import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PartitionNotInMetadata,
  decidedPartitioner,
} from '../../../../../src/adapters/kafka/smart-producer/decided-partitioner.js';
import {
  MISSING_RECHECK_MS,
  PartitionAvailability,
  backoffMs,
  type RoutedRecord,
} from '../../../../../src/adapters/kafka/smart-producer/partition-availability.js';
import { ErrorCode, TenantBalancerError } from '../../../../../src/domain/errors.js';

interface Rec extends RoutedRecord {
  readonly id: string;
}

const rec = (id: string, tenant: string | undefined, partition: number, explicit = false): Rec => ({
  id,
  topic: 'events',
  tenant,
  gateKey: tenant === undefined ? undefined : `events/${tenant}`,
  routedPartition: partition,
  routeEpoch: 3,
  partition: explicit ? partition : undefined,
  enqueuedAt: Date.now(),
});

describe('backoffMs', () => {
  it('doubles from 50 ms and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffMs(n))).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(10, 50, 5000)).toBe(5000);
  });
});

describe('decidedPartitioner', () => {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
  }));
  const choose = decidedPartitioner();

  it('hands on a partition the metadata has', () => {
    expect(choose({ topic: 't', partitionMetadata, message: { value: 'x', partition: 2 } })).toBe(2);
  });

  it("throws kafkajs's stale-metadata error for one it lacks, so kafkajs refreshes and retries", () => {
    let thrown: unknown;
    try {
      choose({ topic: 't', partitionMetadata, message: { value: 'x', partition: 3 } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PartitionNotInMetadata);
    expect(thrown).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
    expect(String(thrown)).toMatch(/partition 3 of "t" .*3 partition\(s\) known/);
  });
});

describe('PartitionAvailability: records routed to a partition the topic does not have yet', () => {
  let count: number | Error;
  let fetches: number;
  let sent: string[];
  let failed: { id: string; err: TenantBalancerError }[];
  let pa: PartitionAvailability<Rec>;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    count = 3;
    fetches = 0;
    sent = [];
    failed = [];
    pa = new PartitionAvailability<Rec>({
      maxWaitMs: 5000,
      fetchCount: async () => {
        fetches++;
        if (count instanceof Error) throw count;
        return count;
      },
      ready: (r) => sent.push(r.id),
      fail: (r, err) => failed.push({ id: r.id, err }),
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** admit, as the producer does: straight to the batch (here: `sent`) when allowed */
  const admit = (r: Rec, known = 3): void => {
    if (pa.admit(r, known)) sent.push(r.id);
  };

  it('lets a record to a known partition through at once, with no metadata request', async () => {
    admit(rec('a1', 'a', 2));
    admit(rec('u1', undefined, 0));
    await vi.advanceTimersByTimeAsync(2000);
    expect(sent).toEqual(['a1', 'u1']);
    expect(fetches).toBe(0);
    expect(pa.size).toBe(0);
  });

  it('holds a tenant on a new partition until fresh metadata has it, keeps its order, and lets others pass', async () => {
    admit(rec('b1', 'b', 3));
    admit(rec('b2', 'b', 1)); // an existing partition, but behind b1
    admit(rec('a1', 'a', 0));
    expect(sent).toEqual(['a1']);
    expect(pa.size).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetches).toBe(1); // the first look is immediate

    await vi.advanceTimersByTimeAsync(160); // looks at +50 and +150 ms still see 3 partitions
    expect(fetches).toBe(3);
    count = 4; // the topic grew
    await vi.advanceTimersByTimeAsync(200);
    expect(sent).toEqual(['a1', 'b1', 'b2']);
    expect(failed).toEqual([]);
    expect(pa.size).toBe(0);
    const after = fetches;
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetches, 'the loop ends when nothing waits').toBe(after);
  });

  it('spaces its metadata requests with back-off (a few per second at most)', async () => {
    admit(rec('f1', 'f', 9));
    await vi.advanceTimersByTimeAsync(3000);
    // 0, 50, 150, 350, 750, 1550, 2550 ms
    expect(fetches).toBe(7);
  });

  it('fails a record after max.block.ms with the code, then every later one at once, and other tenants are untouched', async () => {
    admit(rec('f1', 'f', 999));
    await vi.advanceTimersByTimeAsync(2000);
    admit(rec('f2', 'f', 999));
    admit(rec('a1', 'a', 1));
    expect(sent).toEqual(['a1']);
    await vi.advanceTimersByTimeAsync(3000);
    // f1's wait is over: fresh metadata still has 3 partitions, so f2 fails with it (no 5 s of its own)
    expect(failed.map((f) => f.id)).toEqual(['f1', 'f2']);
    const err = failed[0]!.err;
    expect(err.code).toBe(ErrorCode.RoutePartitionMissing);
    expect(err.message).toContain(
      'partition 999 of topic "events" does not exist: the topic has 3 partition(s)',
    );
    expect(err.message).toContain('tenant "f"');
    expect(err.message).toContain('route (epoch 3)');
    expect(err.message).toMatch(/Grow the topic|pin/);
    expect(pa.size).toBe(0);

    const before = fetches;
    admit(rec('f3', 'f', 999));
    expect(failed.map((f) => f.id)).toEqual(['f1', 'f2', 'f3']);
    expect(fetches, 'failed without a metadata request').toBe(before);

    await vi.advanceTimersByTimeAsync(MISSING_RECHECK_MS);
    admit(rec('f4', 'f', 999));
    expect(failed).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetches, 'one fresh look').toBe(before + 1);
    expect(failed.map((f) => f.id)).toEqual(['f1', 'f2', 'f3', 'f4']);
  });

  it('sends to a partition that was missing once fresh metadata shows it', async () => {
    admit(rec('f1', 'f', 3));
    await vi.advanceTimersByTimeAsync(5000);
    expect(failed.map((f) => f.id)).toEqual(['f1']);
    count = 4;
    await vi.advanceTimersByTimeAsync(MISSING_RECHECK_MS);
    admit(rec('f2', 'f', 3));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['f2']);
    admit(rec('f3', 'f', 3), 4);
    expect(sent).toEqual(['f2', 'f3']);
  });

  it('keeps untenanted records in order per partition, and names an explicit partition in the error', async () => {
    admit(rec('u1', undefined, 7, true));
    admit(rec('u2', undefined, 0));
    expect(sent).toEqual(['u2']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(failed[0]!.err.message).toContain('a record without a tenant');
    expect(failed[0]!.err.message).toContain('names partition 7 explicitly');
  });

  it('on close, fails what is still missing after one fresh look, without waiting out max.block.ms', async () => {
    admit(rec('f1', 'f', 9));
    admit(rec('g1', 'g', 3));
    await vi.advanceTimersByTimeAsync(100);
    count = 4;
    pa.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['g1']);
    expect(failed.map((f) => f.id)).toEqual(['f1']);
    admit(rec('f2', 'f', 10), 4);
    await vi.advanceTimersByTimeAsync(0);
    expect(failed.map((f) => f.id)).toEqual(['f1', 'f2']);
  });

  it('fails the waiting records with KTB_TOPIC_MISSING when the topic is gone, and rides out other metadata errors', async () => {
    count = new Error('broker blip');
    admit(rec('f1', 'f', 3));
    await vi.advanceTimersByTimeAsync(500);
    expect(failed).toEqual([]);
    count = new TenantBalancerError(ErrorCode.TopicMissing, 'topic "events" does not exist');
    await vi.advanceTimersByTimeAsync(1000);
    expect(failed.map((f) => f.err.code)).toEqual([ErrorCode.TopicMissing]);
    expect(pa.size).toBe(0);
  });
});
