import { describe, expect, it } from 'vitest';
import { tenantMachine, type TenantEvent } from '../../../machines/tenant.machine.js';
import { MAX_FENCES } from '../../../src/domain/route-record.js';
import { closed, input, run, stateOf, step, thresholds } from './tenant-harness.js';

const hot = (n: number, rate = 1500): TenantEvent[] => Array.from({ length: n }, () => closed(rate));
const drain: TenantEvent[] = [
  { type: 'producers.acked' },
  { type: 'fence.taken' },
  { type: 'drain.completed' },
  { type: 'route.committed', now: 1000 },
];
const isolate = (partitions: number[]): TenantEvent[] => [
  ...hot(3),
  { type: 'capacity.reserved', partitions },
  ...drain,
];

describe('tenant machine: shared -> isolating -> draining -> dedicated', () => {
  it('starts in the stable state matching its committed route', () => {
    expect(stateOf(run([]).snap)).toBe('shared');
    expect(stateOf(run([], input({ partitions: [5] })).snap)).toBe('dedicated');
    expect(stateOf(run([], input({ partitions: [5, 6] })).snap)).toBe('sharded');
  });

  it('isolates only after N consecutive hot windows, asking for capacity', () => {
    const two = run(hot(2));
    expect(stateOf(two.snap)).toBe('shared');
    expect(two.snap.context.hot).toBe(2);
    const broken = run([...hot(2), closed(50), ...hot(2)]);
    expect(stateOf(broken.snap)).toBe('shared');
    const three = run(hot(3));
    expect(stateOf(three.snap)).toBe('isolating');
    expect(three.effects.at(-1)).toEqual(expect.arrayContaining(['recordDecision', 'reserveCapacity']));
    expect(three.snap.context.decision?.reason).toMatch(/rate 1500\/s >= 1000\/s/);
  });

  it('does not count a hot rate with a small share of its partition', () => {
    expect(stateOf(run(Array.from({ length: 5 }, () => closed(1500, 0, 0, 0.1))).snap)).toBe('shared');
  });

  it('walks a strict tenant through announce, fence, wait, commit (epoch + 1)', () => {
    const steps = run([...hot(3), { type: 'capacity.reserved', partitions: [6] }]);
    expect(steps.snap.value).toEqual({ draining: 'announcing' });
    expect(steps.snap.context).toMatchObject({ epoch: 1, target: [6], from: [2], previous: [] });
    expect(steps.effects.at(-1)).toContain('announceDraining');
    const r = run([...hot(3), { type: 'capacity.reserved', partitions: [6] }, ...drain]);
    expect(r.effects.slice(-4)).toEqual([['takeFence'], ['awaitConsumers'], ['commitRoute'], []]);
    expect(stateOf(r.snap)).toBe('dedicated');
    expect(r.snap.context).toMatchObject({ partitions: [6], epoch: 1, lastMoveAt: 1000, target: undefined });
  });

  it('switches a relaxed tenant without draining', () => {
    const r = run(
      [...hot(3), { type: 'capacity.reserved', partitions: [6] }],
      input({ ordering: 'relaxed' }),
    );
    expect(stateOf(r.snap)).toBe('committing');
    expect(r.effects.flat()).not.toContain('announceDraining');
    expect(r.snap.context.epoch).toBe(1);
  });

  it('stays shared, saying why, when no capacity can be had', () => {
    const r = run([...hot(3), { type: 'capacity.unavailable', reason: 'maxPartitions 8 reached', now: 5 }]);
    expect(stateOf(r.snap)).toBe('shared');
    expect(r.snap.context.decision?.reason).toMatch(/maxPartitions 8 reached/);
  });
});

describe('tenant machine: sharding and release', () => {
  it('shards a dedicated tenant that outgrows one partition (k = ceil(rate / capacity))', () => {
    const r = run([...isolate([6]), closed(5000), closed(5000)]);
    expect(stateOf(r.snap)).toBe('isolating');
    expect(r.snap.context.wantShards).toBe(3);
    const done = run([
      ...isolate([6]),
      closed(5000),
      closed(5000),
      { type: 'capacity.reserved', partitions: [6, 7, 8] },
      ...drain,
    ]);
    expect(stateOf(done.snap)).toBe('sharded');
    expect(done.snap.context).toMatchObject({ partitions: [6, 7, 8], epoch: 2 });
  });

  it('isolates straight to k shards when a shared tenant is already too big for one partition', () => {
    const r = run(hot(3, 4500));
    expect(r.snap.context.wantShards).toBe(3);
  });

  it('releases a cold tenant back to shared through a drain (hysteresis: between thresholds is neither)', () => {
    const between = run([...isolate([6]), ...Array.from({ length: 6 }, () => closed(500))]);
    expect(stateOf(between.snap)).toBe('dedicated');
    const cold = run([...isolate([6]), ...Array.from({ length: 4 }, () => closed(10))]);
    expect(cold.snap.value).toEqual({ draining: 'announcing' });
    expect(cold.snap.context).toMatchObject({ target: [], from: [6], epoch: 2 });
    const back = run([...isolate([6]), ...Array.from({ length: 4 }, () => closed(10)), ...drain]);
    expect(stateOf(back.snap)).toBe('shared');
    expect(back.snap.context.partitions).toEqual([]);
  });

  it('respects the cooldown and the cap on concurrent migrations', () => {
    const i = input({ thresholds: thresholds({ cooldownMs: 10_000 }) });
    const cooling = run([...isolate([6]), ...Array.from({ length: 6 }, (_, k) => closed(10, 2000 + k))], i);
    expect(stateOf(cooling.snap)).toBe('dedicated');
    const cooled = run([...isolate([6]), ...Array.from({ length: 4 }, (_, k) => closed(10, 20_000 + k))], i);
    expect(cooled.snap.value).toEqual({ draining: 'announcing' });
    const capped = run(Array.from({ length: 5 }, () => closed(1500, 10_000, 2)));
    expect(stateOf(capped.snap)).toBe('shared');
  });
});

describe('tenant machine: drain timeout policy', () => {
  const stuck: TenantEvent[] = [
    ...hot(3),
    { type: 'capacity.reserved', partitions: [6] },
    { type: 'producers.acked' },
    { type: 'fence.taken' },
  ];

  it('rolls back to the previous route (same epoch) under the rollback policy', () => {
    const r = run(
      [...stuck, { type: 'drain.timedOut', now: 9 }],
      input({ thresholds: thresholds({ drainTimeoutPolicy: 'rollback' }) }),
    );
    expect(stateOf(r.snap)).toBe('committing');
    expect(r.snap.context).toMatchObject({ target: [], epoch: 1 });
    expect(r.snap.context.decision?.reason).toMatch(/rolling back/);
  });

  it('keeps waiting and raises an alert under the wait policy', () => {
    const r = run(
      [...stuck, { type: 'drain.timedOut', now: 9 }],
      input({ thresholds: thresholds({ drainTimeoutPolicy: 'wait' }) }),
    );
    expect(r.snap.value).toEqual({ draining: 'waiting' });
    expect(r.snap.context.drainAlert).toBe(true);
    expect(r.effects.at(-1)).toContain('raiseDrainAlert');
  });

  it('never switches a strict tenant anyway, even under the switch policy', () => {
    const r = run(
      [...stuck, { type: 'drain.timedOut', now: 9 }],
      input({ thresholds: thresholds({ drainTimeoutPolicy: 'switch' }) }),
    );
    expect(r.snap.value).toEqual({ draining: 'waiting' });
    expect(r.effects.flat()).not.toContain('commitRoute');
  });
});

describe('tenant machine: operator events (reason manual)', () => {
  it('pins a shared tenant to k partitions and never auto-releases it', () => {
    const r = run([
      { type: 'operator.pinned', shards: 2, now: 1 },
      { type: 'capacity.reserved', partitions: [6, 7] },
      ...drain,
      ...Array.from({ length: 10 }, () => closed(0)),
    ]);
    expect(stateOf(r.snap)).toBe('sharded');
    expect(r.snap.context.manual).toBe(true);
  });

  it('unpins back to shared through a drain, and moves to explicit partitions', () => {
    const unpinned = run([
      { type: 'operator.pinned', now: 1 },
      { type: 'capacity.reserved', partitions: [6] },
      ...drain,
      { type: 'operator.unpinned', now: 2 },
    ]);
    expect(unpinned.snap.value).toEqual({ draining: 'announcing' });
    expect(unpinned.snap.context.decision?.reason).toBe('manual: unpinned');
    const moved = run([{ type: 'operator.moved', partitions: [7], now: 1 }]);
    expect(moved.snap.context.requested).toEqual([7]);
    expect(moved.snap.context.decision?.reason).toMatch(/^manual: move to 7/);
  });
});

describe('tenant machine: a reloaded config', () => {
  const changed = (ordering: 'strict' | 'relaxed') =>
    ({
      type: 'config.changed',
      thresholds: thresholds({ isolateRate: 4242 }),
      ordering,
      mode: 'observe',
      neverMove: true,
    }) as const;

  it('applies thresholds, mode, never-move and ordering to a stable tenant', () => {
    const r = run([changed('relaxed')]);
    expect(stateOf(r.snap)).toBe('shared');
    expect(r.snap.context.thresholds.isolateRate).toBe(4242);
    expect(r.snap.context.mode).toBe('observe');
    expect(r.snap.context.neverMove).toBe(true);
    expect(r.snap.context.ordering).toBe('relaxed');
  });

  it('keeps the ordering a move started with, and takes the rest', () => {
    const r = run([{ type: 'operator.pinned', now: 1 }, changed('relaxed')]);
    expect(stateOf(r.snap)).toBe('isolating');
    expect(r.snap.context.thresholds.isolateRate).toBe(4242);
    expect(r.snap.context.mode).toBe('observe');
    expect(r.snap.context.ordering).toBe('strict');
  });
});

describe('tenant machine: fence history (consumer-gated moves)', () => {
  /** a strict drain whose fence step took `fence` */
  const drainWith = (fence: Record<string, number>, now = 1000): TenantEvent[] => [
    { type: 'producers.acked' },
    { type: 'fence.taken', fence },
    { type: 'drain.completed' },
    { type: 'route.committed', now },
  ];

  it('"The fence is taken once and persisted with the settled route": settleRoute adds {epoch, offsets: drain.fence}', () => {
    const r = run([...hot(3), { type: 'capacity.reserved', partitions: [6] }, ...drainWith({ 2: 40 })]);
    expect(stateOf(r.snap)).toBe('dedicated');
    expect(r.snap.context.epoch).toBe(1);
    expect(r.snap.context.fences).toEqual([{ epoch: 1, offsets: { 2: 40 } }]);
    expect(r.snap.context.drain).toBeUndefined();
  });

  it('a later move keeps every earlier fence and appends its own', () => {
    const r = run([
      ...hot(3),
      { type: 'capacity.reserved', partitions: [6] },
      ...drainWith({ 2: 40 }),
      { type: 'operator.unpinned', now: 2000 },
      ...drainWith({ 6: 90 }, 3000),
    ]);
    expect(stateOf(r.snap)).toBe('shared');
    expect(r.snap.context.epoch).toBe(2);
    expect(r.snap.context.fences).toEqual([
      { epoch: 1, offsets: { 2: 40 } },
      { epoch: 2, offsets: { 6: 90 } },
    ]);
  });

  it('a move without a fence adds none: a relaxed switch, or a drain that took no fence', () => {
    const earlier = [{ epoch: 1, offsets: { 2: 40 } }];
    const relaxed = run(
      [...hot(3), { type: 'capacity.reserved', partitions: [6] }, { type: 'route.committed', now: 1000 }],
      input({ ordering: 'relaxed', fences: earlier, epoch: 1 }),
    );
    expect(stateOf(relaxed.snap)).toBe('dedicated');
    expect(relaxed.snap.context.epoch).toBe(2);
    expect(relaxed.snap.context.fences).toEqual(earlier);
    const noFence = run([...hot(3), { type: 'capacity.reserved', partitions: [6] }, ...drain]);
    expect(noFence.snap.context.fences).toEqual([]);
  });

  it('re-settling the same epoch does not duplicate its fence (a restored context that already has it)', () => {
    const r = run([
      ...hot(3),
      { type: 'capacity.reserved', partitions: [6] },
      { type: 'producers.acked' },
      { type: 'fence.taken', fence: { 2: 40 } },
      { type: 'drain.completed' },
    ]);
    expect(stateOf(r.snap)).toBe('committing');
    const restored = tenantMachine.resolveState({
      value: 'committing',
      context: { ...r.snap.context, fences: [{ epoch: 1, offsets: { 2: 40 } }] },
    });
    const settled = step(restored, { type: 'route.committed', now: 1000 }).snap;
    expect(settled.context.fences).toEqual([{ epoch: 1, offsets: { 2: 40 } }]);
  });

  it('a wait resumed with a fence taken again settles with that fence', () => {
    const r = run([
      ...hot(3),
      { type: 'capacity.reserved', partitions: [6] },
      { type: 'producers.acked' },
      { type: 'fence.taken' },
      { type: 'controller.resumed' },
      { type: 'fence.taken', fence: { 2: 55 } },
      { type: 'drain.completed' },
      { type: 'route.committed', now: 1000 },
    ]);
    expect(r.snap.context.fences).toEqual([{ epoch: 1, offsets: { 2: 55 } }]);
  });

  it(`keeps at most MAX_FENCES (${MAX_FENCES}) fences, dropping the oldest`, () => {
    const full = Array.from({ length: MAX_FENCES }, (_, i) => ({ epoch: i + 1, offsets: { 6: i } }));
    const r = run(
      [{ type: 'operator.unpinned', now: 1 }, ...drainWith({ 6: 999 })],
      input({ partitions: [6], epoch: MAX_FENCES, fences: full }),
    );
    expect(r.snap.context.epoch).toBe(MAX_FENCES + 1);
    expect(r.snap.context.fences).toHaveLength(MAX_FENCES);
    expect(r.snap.context.fences?.[0]?.epoch).toBe(2);
    expect(r.snap.context.fences?.at(-1)).toEqual({ epoch: MAX_FENCES + 1, offsets: { 6: 999 } });
  });
});
