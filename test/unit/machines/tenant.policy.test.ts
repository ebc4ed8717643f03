import { describe, expect, it } from 'vitest';
import type { TenantEvent } from '../../../machines/tenant.machine.js';
import type { ThresholdsInput } from '../../../src/policy/thresholds.js';
import { closed, finishMove, input, start, stateOf, step, thresholds, type Snap } from './tenant-harness.js';

// The demo's knobs: a partition carries 1000/s planned at 80% (k = ceil(rate / 800)).
const demo = (over: ThresholdsInput = {}) =>
  thresholds({
    isolateRate: 250,
    releaseRate: 50,
    hotWindows: 1,
    coldWindows: 3,
    partitionCapacity: 1000,
    headroom: 0.8,
    cooldownMs: 3000,
    reshardWindows: 1,
    ...over,
  });

const STABLE = new Set(['shared', 'dedicated', 'sharded']);
const withTopicMoves = (e: TenantEvent, n: number): TenantEvent =>
  e.type === 'window.closed' ? { ...e, topicMovesRecently: n } : e;

/** Feeds windows (one a second from `t0`), finishing every move at once; counts moves and decisions logged. */
function feed(snap: Snap, rates: readonly number[], t0: number) {
  let s = snap;
  const moves: string[] = [];
  let logged = 0;
  rates.forEach((rate, i) => {
    const now = t0 + i * 1000;
    const from = stateOf(s);
    const r = step(s, closed(rate, now));
    if (r.effects.includes('recordDecision')) logged++;
    s = r.snap;
    if (!STABLE.has(stateOf(s))) {
      moves.push(`${from}(${snap.context.partitions.length}) -> ${s.context.wantShards}`);
      s = finishMove(s, now).snap;
    }
  });
  return { snap: s, moves, logged };
}

describe('tenant machine: no flapping on a shard boundary (issue #17)', () => {
  it("the demo's whale at 2,400/s on 3 x 800/s grows once to 4 and stays, logging the dead band once", () => {
    const wander = Array.from({ length: 45 }, (_, i) => (i % 2 === 0 ? 2406 : 2310));
    const r = feed(start(input({ partitions: [6, 7, 8], thresholds: demo() })), wander, 10_000);
    expect(r.moves).toHaveLength(1);
    expect(stateOf(r.snap)).toBe('sharded');
    expect(r.snap.context.partitions).toEqual([10, 11, 12, 13]);
    // the grow, then the dead band (once, not every other window)
    expect(r.logged).toBe(2);
    expect(r.snap.context.decision).toMatchObject({
      shadow: true,
      from: 'sharded',
      reason:
        'held back by the dead band: rate 2310/s fits 3 partitions; it shrinks after 10 windows at <= 1920/s (shrinkMargin 20%)',
    });
  });

  it('records a held-back shrink once, with the cooldown left, and shrinks when the cooldown is over', () => {
    const t = demo({ shrinkWindows: 3, shrinkCooldownMs: 20_000 });
    const grown = feed(start(input({ partitions: [6, 7, 8], thresholds: t })), [2406], 10_000);
    expect(grown.snap.context).toMatchObject({ partitions: [10, 11, 12, 13], lastMoveAt: 10_000 });
    let s = grown.snap;
    const logged: string[] = [];
    for (let now = 11_000; now < 30_000; now += 1000) {
      const r = step(s, closed(1800, now));
      expect(stateOf(r.snap)).toBe('sharded');
      if (r.effects.includes('recordDecision')) logged.push(r.snap.context.decision?.reason ?? '');
      s = r.snap;
    }
    expect(logged).toEqual([
      'held back by the dead band: rate 1800/s fits 3 partitions; it shrinks after 3 windows at <= 1920/s (shrinkMargin 20%)',
      'held back by the shrink cooldown (17 s left): rate 1800/s fits 3 partitions with a 20% margin for 3 windows',
    ]);
    expect(s.context.decision).toMatchObject({ shadow: true, at: 13_000 });
    const shrunk = step(s, closed(1800, 30_000));
    expect(stateOf(shrunk.snap)).toBe('isolating');
    expect(shrunk.snap.context.wantShards).toBe(3);
    expect(shrunk.snap.context.decision?.shadow).toBeUndefined();
  });

  it('holds a move back on the topic budget and the tenant budget, and gives a start back when no capacity came', () => {
    const t = demo({ cooldownMs: 0, maxMovesPerTenantPerHour: 2, maxMovesPerTopicPerMinute: 3 });
    const topic = step(start(input({ thresholds: t })), withTopicMoves(closed(900, 10_000), 3));
    expect(stateOf(topic.snap)).toBe('shared');
    expect(topic.snap.context.decision?.reason).toMatch(/^held back by the topic's move budget \(3 moves/);
    // nothing moved: the reservation that failed does not count against the tenant's budget
    const failed = step(step(start(input({ thresholds: t })), closed(900, 10_000)).snap, {
      type: 'capacity.unavailable',
      reason: 'maxPartitions 8 reached',
      now: 10_001,
    });
    expect(failed.snap.context.moveStarts).toEqual([]);
    // isolate, release, and the third move within the hour is held
    const r = feed(start(input({ thresholds: t })), [900, 10, 10, 10, 900], 10_000);
    expect(r.moves).toHaveLength(2);
    expect(stateOf(r.snap)).toBe('shared');
    expect(r.snap.context.decision?.reason).toMatch(
      /^held back by the tenant's move budget \(2 moves in the last hour, maxMovesPerTenantPerHour 2\)/,
    );
  });
});

describe('tenant machine: shadow mode (observe) and never-move', () => {
  const changed = (mode: 'act' | 'observe', neverMove: boolean): TenantEvent => ({
    type: 'config.changed',
    thresholds: thresholds(),
    ordering: 'strict',
    mode,
    neverMove,
  });

  it('in observe mode a hot tenant stays shared and records `would isolate` once', () => {
    const r = feed(
      start(input({ mode: 'observe' })),
      Array.from({ length: 12 }, (_, i) => (i < 6 ? 1500 : 4500)),
      10_000,
    );
    expect(r.moves).toEqual([]);
    expect(stateOf(r.snap)).toBe('shared');
    expect(r.logged).toBe(1);
    expect(r.snap.context.decision).toMatchObject({
      shadow: true,
      from: 'shared',
      to: 'isolating',
      reason: 'would isolate whale on 1 partition: rate 1500/s >= 1000/s with 90% of its partition',
    });
    // back to act: the next window moves
    const acting = step(step(r.snap, changed('act', false)).snap, closed(4500, 30_000));
    expect(stateOf(acting.snap)).toBe('isolating');
    expect(acting.snap.context.wantShards).toBe(3);
  });

  it('a never-move tenant records `never-move: would release` and `would reshard`, and moves for an operator', () => {
    const cold = feed(start(input({ partitions: [6], neverMove: true })), [10, 10, 10, 10, 10, 10], 10_000);
    expect(cold.moves).toEqual([]);
    expect(cold.logged).toBe(1);
    expect(cold.snap.context.decision?.reason).toBe(
      'never-move: would release whale to shared: cold: rate 10/s < release 100/s',
    );
    const big = feed(start(input({ partitions: [6, 7], neverMove: true })), [5000, 5000, 5000], 10_000);
    expect(stateOf(big.snap)).toBe('sharded');
    expect(big.snap.context.decision?.reason).toBe(
      'never-move: would reshard whale from 2 to 3 partitions: rate 5000/s needs 3 partitions of 2000/s',
    );
    const pinned = step(big.snap, { type: 'operator.pinned', shards: 4, now: 20_000 });
    expect(stateOf(pinned.snap)).toBe('isolating');
    expect(pinned.snap.context.wantShards).toBe(4);
  });

  it('a move in progress when the mode switches to observe finishes normally, then only shadows', () => {
    let s = feed(start(input()), [1500, 1500], 10_000).snap;
    s = step(s, closed(1500, 12_000)).snap;
    expect(stateOf(s)).toBe('isolating');
    s = step(s, changed('observe', false)).snap;
    const done = finishMove(s, 13_000);
    expect(done.effects.flat()).toEqual(
      expect.arrayContaining(['announceDraining', 'takeFence', 'awaitConsumers', 'commitRoute']),
    );
    expect(stateOf(done.snap)).toBe('dedicated');
    expect(done.snap.context).toMatchObject({ partitions: [10], mode: 'observe' });
    const after = feed(done.snap, [10, 10, 10, 10, 10], 14_000);
    expect(after.moves).toEqual([]);
    expect(after.snap.context.decision?.reason).toMatch(/^would release whale to shared: cold:/);
  });
});
