import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../../../src/adapters/kafka/smart-producer/buffer-pool.js';
import { Completion } from '../../../../../src/adapters/kafka/smart-producer/completion.js';
import { Intake } from '../../../../../src/adapters/kafka/smart-producer/intake.js';
import { PartitionCounts } from '../../../../../src/adapters/kafka/smart-producer/partition-counts.js';
import type { Serializer } from '../../../../../src/adapters/kafka/smart-producer/serializers.js';
import { ErrorCode, type TenantBalancerError } from '../../../../../src/domain/errors.js';
import { RoutingTable } from '../../../../../src/domain/routing-table.js';
import { pools } from '../../../domain/fixtures.js';
import { settle } from './harness.js';

/** A serializer that holds values starting with "slow" until the test lets them go. */
function gatedSerializer() {
  const waiting: (() => void)[] = [];
  const serializer: Serializer<string> = {
    name: 'gated',
    serialize: (v) =>
      v.startsWith('slow')
        ? new Promise<Buffer>((resolve) => waiting.push(() => resolve(Buffer.from(v))))
        : Buffer.from(v),
  };
  return { serializer, releaseAll: () => waiting.splice(0).forEach((w) => w()) };
}

function intakeHarness(
  opts: { bufferMemory?: number; maxBlockMs?: number; serializer?: Serializer<string> } = {},
) {
  const pool = new BufferPool(opts.bufferMemory ?? 1024 * 1024);
  const table = new RoutingTable();
  table.apply(pools('orders', 2, 4));
  const view = { table, ageMs: 0, viewAgeMs: () => view.ageMs };
  let fetches = 0;
  const counts = new PartitionCounts(() => {
    fetches++;
    return Promise.resolve(4);
  });
  const routed: { value: string; count: number }[] = [];
  const outcomes: { value: string; err: TenantBalancerError | null }[] = [];
  const traffic: string[] = [];
  const intake = new Intake<string>({
    options: { maxBlockMs: opts.maxBlockMs ?? 60_000, maxRequestSize: 1024, routeLeaseMs: 1000 },
    serializer: opts.serializer ?? { name: 'utf8', serialize: (v) => Buffer.from(v) },
    pool,
    counts,
    view,
    countTraffic: (topic, tenant) => traffic.push(`${topic}/${tenant}`),
    route: (p, count) => routed.push({ value: (p.value as Buffer).toString(), count }),
    completion: new Completion(pool, () => undefined),
    onEmpty: () => undefined,
  });
  const send = (value: string, tenant: string | undefined = 'acme'): void =>
    intake.offer({ topic: 'orders', tenant, value }, (err) => outcomes.push({ value, err }));
  return { intake, pool, view, routed, outcomes, traffic, send, fetches: () => fetches };
}

const values = (xs: readonly { value: string }[]): string[] => xs.map((x) => x.value);

describe('Intake (ordered acceptance with back-pressure)', () => {
  it('accepts records strictly in send() order: one waiting for its serializer holds those behind it', async () => {
    const gated = gatedSerializer();
    const h = intakeHarness({ serializer: gated.serializer });
    h.send('slow-1');
    h.send('fast-2');
    h.send('fast-3', 'beta');
    await settle();
    expect(h.routed).toEqual([]);
    gated.releaseAll();
    await settle();
    expect(values(h.routed)).toEqual(['slow-1', 'fast-2', 'fast-3']);
  });

  it('fails a record whose async serializer rejects while an earlier one still waits, alone and handled', async () => {
    const gated = gatedSerializer();
    const serializer: Serializer<string> = {
      name: 'gated-or-failing',
      serialize: (v, ctx) =>
        v.startsWith('bad')
          ? Promise.reject(new Error(`${v} does not match`))
          : gated.serializer.serialize(v, ctx),
    };
    const h = intakeHarness({ serializer });
    h.send('slow-1');
    h.send('bad-2');
    h.send('fast-3');
    // bad-2 rejects while slow-1 holds the head: an unhandled rejection here would fail the run
    await new Promise((r) => setTimeout(r, 20));
    gated.releaseAll();
    await settle();
    expect(values(h.routed)).toEqual(['slow-1', 'fast-3']);
    expect(h.outcomes.map((o) => [o.value, o.err?.code])).toEqual([['bad-2', ErrorCode.SendFailed]]);
  });

  it("reads a topic's partition count once, before its first record, and routes with it", async () => {
    const h = intakeHarness();
    h.send('a');
    h.send('b');
    await settle();
    h.send('c');
    expect(h.routed).toEqual([
      { value: 'a', count: 4 },
      { value: 'b', count: 4 },
      { value: 'c', count: 4 },
    ]);
    expect(h.fetches()).toBe(1);
    expect(h.traffic, 'traffic is counted per record, at acceptance').toEqual([
      'orders/acme',
      'orders/acme',
      'orders/acme',
    ]);
  });

  it('blocks on a full buffer.memory, and goes on in order once memory is released', async () => {
    // Each record weighs its value + 64 bytes: 214 + 164 exceeds 300, 214 + 65 would fit.
    const h = intakeHarness({ bufferMemory: 300 });
    h.send('x'.repeat(150));
    h.send('y'.repeat(100));
    h.send('z');
    await settle();
    expect(values(h.routed).map((v) => v[0])).toEqual(['x']);
    expect(h.pool.used).toBe(214);

    h.pool.release(214);
    await settle();
    expect(values(h.routed).map((v) => v[0])).toEqual(['x', 'y', 'z']);
    expect(h.outcomes).toEqual([]);
  });

  it('fails a record that waited max.block.ms for memory with KTB_BUFFER_FULL; the ones behind it go on', async () => {
    const h = intakeHarness({ bufferMemory: 300, maxBlockMs: 40 });
    h.send('x'.repeat(150));
    h.send('y'.repeat(100));
    h.send('z');
    await new Promise((r) => setTimeout(r, 150));
    expect(h.outcomes.map((o) => [o.value[0], o.err?.code])).toEqual([['y', ErrorCode.BufferFull]]);
    expect(values(h.routed).map((v) => v[0])).toEqual(['x', 'z']);
    expect(h.pool.used, "the failed record's memory is not kept").toBe(214 + 65);
  });

  it("blocks a managed tenant's records while the routing view is older than the lease", async () => {
    const h = intakeHarness({ maxBlockMs: 40 });
    h.view.ageMs = 5000;
    h.send('a1');
    await new Promise((r) => setTimeout(r, 150));
    expect(h.routed).toEqual([]);
    expect(h.outcomes.map((o) => o.err?.code)).toEqual([ErrorCode.RouteLeaseExpired]);

    const fresh = intakeHarness({ maxBlockMs: 5000 });
    fresh.view.ageMs = 5000;
    fresh.send('a2');
    await new Promise((r) => setTimeout(r, 20));
    expect(fresh.routed).toEqual([]);
    fresh.view.ageMs = 0;
    await new Promise((r) => setTimeout(r, 120));
    expect(values(fresh.routed)).toEqual(['a2']);
  });

  it('refuses an invalid tenant and an oversize record alone, without holding the others', async () => {
    const h = intakeHarness();
    h.send('empty tenant', '');
    h.send('x'.repeat(2000));
    h.send('ok');
    await settle();
    expect(h.outcomes.map((o) => o.err?.code)).toEqual([ErrorCode.TenantInvalid, ErrorCode.RecordTooLarge]);
    expect(values(h.routed)).toEqual(['ok']);
    expect(h.pool.used).toBe(2 + 64);
  });
});
