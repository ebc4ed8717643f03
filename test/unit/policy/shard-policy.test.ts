import { describe, expect, it } from 'vitest';
import {
  HOUR_MS,
  cooldownOf,
  decide,
  shardsToShrinkTo,
  withMoveStart,
  wouldDo,
  type Standing,
  type Verdict,
} from '../../../src/policy/shard-policy.js';
import { defaultThresholds, parseThresholds, type ThresholdsInput } from '../../../src/policy/thresholds.js';
import type { TenantWindow } from '../../../src/policy/window-summary.js';

// The demo's numbers: a partition carries 1000/s, planned at 80%, so k = ceil(rate / 800).
const t = (over: ThresholdsInput = {}) =>
  parseThresholds({ partitionCapacity: 1000, headroom: 0.8, isolateRate: 250, releaseRate: 50, ...over });

const windowAt = (rate: number, share = 1): TenantWindow => ({
  topic: 'orders',
  tenant: 'acme',
  at: 0,
  recordsPerSec: rate,
  bytesPerSec: 0,
  share,
  lag: 0,
  trend: 0,
});

const standing = (over: Partial<Standing> = {}): Standing => ({
  shards: 3,
  hot: 0,
  cold: 0,
  grow: 0,
  shrink: 0,
  manual: false,
  lastMoveAt: undefined,
  moveStarts: [],
  ...over,
});

const NOW = 1_000_000;
const judge = (
  rate: number,
  s: Partial<Standing> = {},
  th = t(),
  facts: { topic?: number; inProgress?: number } = {},
) =>
  decide(
    standing(s),
    {
      window: windowAt(rate),
      now: NOW,
      migrationsInProgress: facts.inProgress ?? 0,
      topicMovesRecently: facts.topic ?? 0,
    },
    th,
  );

const moveOf = (v: Verdict) => (v.kind === 'stay' ? 'stay' : `${v.kind} ${v.move} ${v.shards}`);

describe('thresholds: the anti-flap knobs', () => {
  it('have defaults: grow at once, shrink below a 20% dead band for 10 windows, cooldowns and budgets', () => {
    const d = defaultThresholds();
    expect(d).toMatchObject({
      reshardWindows: 1,
      shrinkMargin: 0.2,
      shrinkWindows: 10,
      cooldownMs: 30_000,
      shrinkCooldownMs: 120_000,
      maxMovesPerTenantPerHour: 12,
      maxMovesPerTopicPerMinute: 10,
    });
    expect(d.growCooldownMs).toBeUndefined();
    // the grow cooldown is cooldownMs unless set; isolation and release keep cooldownMs
    expect([cooldownOf('grow', d), cooldownOf('shrink', d), cooldownOf('isolate', d)]).toEqual([
      30_000, 120_000, 30_000,
    ]);
    expect(cooldownOf('grow', parseThresholds({ growCooldownMs: 5000 }))).toBe(5000);
    expect(() => parseThresholds({ shrinkMargin: 1 })).toThrow(/thresholds.shrinkMargin/);
  });
});

describe('shard policy: growing', () => {
  it('grows in the first window whose rate needs more partitions (2406/s on 3 x 800/s)', () => {
    const v = judge(2406);
    expect(moveOf(v)).toBe('move grow 4');
    expect(v.kind === 'move' && v.reason).toBe('rate 2406/s needs 4 partitions of 800/s');
  });

  it('is held back by the grow cooldown, which is cooldownMs unless growCooldownMs is set', () => {
    const v = judge(2406, { lastMoveAt: NOW - 25_000 });
    expect(moveOf(v)).toBe('held grow 4');
    expect(v.kind === 'held' && v.reason).toBe(
      'held back by the grow cooldown (5 s left): rate 2406/s needs 4 partitions of 800/s',
    );
    expect(moveOf(judge(2406, { lastMoveAt: NOW - 25_000 }, t({ growCooldownMs: 20_000 })))).toBe(
      'move grow 4',
    );
  });

  it('with a grow margin, noise just above k x 800/s holds (once, as the dead band) and a real step grows', () => {
    const th = t({ growMargin: 0.1 });
    // 3 x 800 x 1.1 = 2640/s: 2406/s and 2640/s stay on 3, 2641/s grows (to the shards it needs at the headroom)
    const held = judge(2406, {}, th);
    expect(moveOf(held)).toBe('held grow 4');
    expect(held.kind === 'held' && held.cause).toBe('dead-band');
    expect(held.kind === 'held' && held.reason).toBe(
      'held back by the dead band: rate 2406/s is within the 10% grow margin of 3 partitions; it grows above 2640/s',
    );
    expect(held.streaks.grow).toBe(0);
    expect(moveOf(judge(2640, {}, th))).toBe('held grow 4');
    expect(moveOf(judge(2641, {}, th))).toBe('move grow 4');
    expect(moveOf(judge(4000, {}, th))).toBe('move grow 5');
    // the default keeps growing at once
    expect(defaultThresholds().growMargin).toBe(0);
    expect(() => parseThresholds({ growMargin: 1.5 })).toThrow(/thresholds.growMargin/);
  });

  it('isolates a hot shared tenant after hotWindows, straight to the shards it needs', () => {
    expect(moveOf(judge(2000, { shards: 0, hot: 1 }))).toBe('stay');
    const v = judge(2000, { shards: 0, hot: 2 });
    expect(moveOf(v)).toBe('move isolate 3');
    expect(v.kind === 'move' && v.reason).toBe('rate 2000/s >= 250/s with 100% of its partition');
  });
});

describe('shard policy: shrinking behind a dead band', () => {
  it('holds a rate that fits fewer partitions but not with the margin, however long it stays', () => {
    // 2310/s fits 3 x 800/s, but shrinks to 3 only at <= 3 x 800 x 0.8 = 1920/s
    let s = standing({ shards: 4 });
    for (let i = 0; i < 50; i++) {
      const v = judge(2310, s);
      expect(moveOf(v)).toBe('held shrink 3');
      s = { ...s, ...v.streaks };
    }
    const v = judge(2310, s);
    expect(v.kind === 'held' && v.cause).toBe('dead-band');
    expect(v.kind === 'held' && v.reason).toBe(
      'held back by the dead band: rate 2310/s fits 3 partitions; it shrinks after 10 windows at <= 1920/s (shrinkMargin 20%)',
    );
  });

  it('shrinks after shrinkWindows consecutive windows below the band, to the count the rate fits with the margin', () => {
    expect(shardsToShrinkTo(1800, t())).toBe(3);
    let s = standing({ shards: 5 });
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const v = judge(1800, s);
      seen.push(moveOf(v));
      s = { ...s, ...v.streaks };
    }
    expect(seen.slice(0, 9).every((m) => m.startsWith('held shrink'))).toBe(true);
    expect(seen[9]).toBe('move shrink 3');
    // one window above the band restarts the count
    const broken = judge(2600, { shards: 5, shrink: 9 });
    expect(broken.streaks.shrink).toBe(0);
  });

  it('is held back by the shrink cooldown, with the seconds left', () => {
    const v = judge(1800, { shards: 4, shrink: 9, lastMoveAt: NOW - 108_000 });
    expect(v.kind === 'held' && v.reason).toBe(
      'held back by the shrink cooldown (12 s left): rate 1800/s fits 3 partitions with a 20% margin for 10 windows',
    );
    expect(v.kind === 'held' && v.numbers['leftMs']).toBe(12_000);
  });

  it('shrinks a tenant spread over more than maxShards down to maxShards (a lowered per-tenant cap)', () => {
    expect(moveOf(judge(9000, { shards: 6, shrink: 9 }, t({ maxShards: 4 })))).toBe('move shrink 4');
  });
});

describe('shard policy: release, manual, budgets', () => {
  it('releases a cold tenant after coldWindows, ahead of any shrink', () => {
    expect(moveOf(judge(10, { shards: 3, cold: 8 }))).toBe('stay');
    const v = judge(10, { shards: 3, cold: 9 });
    expect(moveOf(v)).toBe('move release 0');
    expect(v.kind === 'move' && v.reason).toBe('cold: rate 10/s < release 50/s');
  });

  it('never resizes or releases a pinned tenant', () => {
    expect(moveOf(judge(9000, { manual: true }))).toBe('stay');
    expect(moveOf(judge(0, { manual: true, cold: 50 }))).toBe('stay');
  });

  it("holds a move back once the tenant's hourly budget is spent; starts older than an hour do not count", () => {
    const spent = Array.from({ length: 12 }, (_, i) => NOW - 1000 * (i + 1));
    const v = judge(2406, { moveStarts: spent });
    expect(v.kind === 'held' && v.cause).toBe('tenant-budget');
    expect(v.kind === 'held' && v.reason).toMatch(
      /^held back by the tenant's move budget \(12 moves in the last hour, maxMovesPerTenantPerHour 12\)/,
    );
    const old = spent.map((at) => at - HOUR_MS);
    expect(moveOf(judge(2406, { moveStarts: old }))).toBe('move grow 4');
  });

  it("holds a move back once the topic's per-minute budget is spent, and under maxConcurrentMigrations", () => {
    const v = judge(2406, {}, t(), { topic: 10 });
    expect(v.kind === 'held' && v.cause).toBe('topic-budget');
    expect(moveOf(judge(2406, {}, t(), { topic: 9 }))).toBe('move grow 4');
    const c = judge(2406, {}, t(), { inProgress: 2 });
    expect(c.kind === 'held' && c.reason).toMatch(/^held back by maxConcurrentMigrations \(2 in progress/);
  });

  it('keeps the move starts of the last hour only, at most as many as the budget', () => {
    expect(withMoveStart([NOW - HOUR_MS - 1, NOW - 5], NOW, 12)).toEqual([NOW - 5, NOW]);
    // only the newest maxMovesPerTenantPerHour are kept: the budget needs no more, and they are persisted
    expect(withMoveStart([NOW - 3, NOW - 2, NOW - 1], NOW, 2)).toEqual([NOW - 1, NOW]);
  });

  it('says what a shadow decision would do', () => {
    expect(wouldDo('acme', 'isolate', 0, 2)).toBe('would isolate acme on 2 partitions');
    expect(wouldDo('acme', 'grow', 3, 4)).toBe('would reshard acme from 3 to 4 partitions');
    expect(wouldDo('acme', 'release', 3, 0)).toBe('would release acme to shared');
  });
});
