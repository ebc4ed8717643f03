import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cooldownOf,
  decide,
  withMoveStart,
  type Move,
  type Standing,
} from '../../../src/policy/shard-policy.js';
import { shardsFor } from '../../../src/policy/tenant-assessment.js';
import { parseThresholds, type Thresholds } from '../../../src/policy/thresholds.js';

const CAPACITY = 1000;
const HEADROOM = 0.8;
const PER_SHARD = CAPACITY * HEADROOM;
const STEP_MS = 1000;

const thresholdsArb = fc.record({
  cooldownMs: fc.integer({ min: 0, max: 120_000 }),
  growCooldownMs: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
  shrinkCooldownMs: fc.integer({ min: 0, max: 300_000 }),
  shrinkWindows: fc.integer({ min: 1, max: 20 }),
  reshardWindows: fc.integer({ min: 1, max: 3 }),
});

const build = (over: object): Thresholds =>
  parseThresholds({
    partitionCapacity: CAPACITY,
    headroom: HEADROOM,
    isolateRate: 250,
    releaseRate: 50,
    maxMovesPerTenantPerHour: 1000,
    maxMovesPerTopicPerMinute: 10_000,
    ...over,
  });

const windowAt = (rate: number) => ({
  topic: 'orders',
  tenant: 'acme',
  at: 0,
  recordsPerSec: rate,
  bytesPerSec: 0,
  share: 1,
  lag: 0,
  trend: 0,
});

interface Change {
  readonly at: number;
  readonly move: Move;
  readonly from: number;
  readonly to: number;
}

/**
 * A tenant fed one window per second, whose moves complete at once (the quickest a move can be:
 * cooldowns then run from the decision itself). Returns the shard-count changes it made.
 */
function simulate(rates: readonly number[], t: Thresholds, shards: number, startAt = 0): Change[] {
  let s: Standing = {
    shards,
    hot: 0,
    cold: 0,
    grow: 0,
    shrink: 0,
    manual: false,
    lastMoveAt: undefined,
    moveStarts: [],
  };
  const changes: Change[] = [];
  rates.forEach((rate, i) => {
    const now = startAt + i * STEP_MS;
    const v = decide(s, { window: windowAt(rate), now, migrationsInProgress: 0, topicMovesRecently: 0 }, t);
    if (v.kind === 'move') {
      const to = v.move === 'release' ? 0 : v.shards;
      changes.push({ at: now, move: v.move, from: s.shards, to });
      s = {
        ...s,
        shards: to,
        hot: 0,
        cold: 0,
        grow: 0,
        shrink: 0,
        lastMoveAt: now,
        moveStarts: withMoveStart(s.moveStarts, now, t.maxMovesPerTenantPerHour),
      };
    } else s = { ...s, ...v.streaks };
  });
  return changes;
}

/** A rate wandering +-15% around the boundary between k and k+1 shards (k x 800/s), as a walk or as noise. */
const wanderArb = (k: number, length: number) =>
  fc
    .oneof(
      fc.array(fc.double({ min: -0.15, max: 0.15, noNaN: true }), { minLength: length, maxLength: length }),
      // a slow random walk, clamped: it lingers on one side of the boundary for a while (the hard case
      // for shrinkWindows, which noise alone rarely satisfies)
      fc
        .array(fc.double({ min: -0.04, max: 0.04, noNaN: true }), { minLength: length, maxLength: length })
        .map((steps) => {
          let x = 0;
          return steps.map((d) => (x = Math.max(-0.15, Math.min(0.15, x + d))));
        }),
    )
    .map((us) => us.map((u) => k * PER_SHARD * (1 + u)));

describe('shard policy properties (fast-check)', { timeout: 60_000 }, () => {
  it('a rate wandering +-15% around any shard boundary changes the shard count at most once per cooldown', () => {
    let runsWithChange = 0;
    let runsWithSeveral = 0;
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 31 })
          .chain((k) =>
            fc.tuple(fc.constant(k), fc.constantFrom(k, k + 1), thresholdsArb, wanderArb(k, 400)),
          ),
        ([k, start, knobs, rates]) => {
          const t = build({ ...knobs, maxShards: 32 });
          const changes = simulate(rates, t, start);
          if (changes.length > 0) runsWithChange++;
          if (changes.length > 1) runsWithSeveral++;
          for (const c of changes) expect(['grow', 'shrink'], `k=${k}`).toContain(c.move);
          // consecutive changes are at least the later one's cooldown apart: no two in one cooldown
          for (let i = 1; i < changes.length; i++) {
            const gap = changes[i]!.at - changes[i - 1]!.at;
            expect(gap, JSON.stringify(changes)).toBeGreaterThanOrEqual(cooldownOf(changes[i]!.move, t));
          }
        },
      ),
      { numRuns: 300 },
    );
    // the generator reaches changes, and (for k >= 7, where +-15% also touches the next boundary) several
    expect(runsWithChange).toBeGreaterThanOrEqual(100);
    expect(runsWithSeveral).toBeGreaterThanOrEqual(1);
  });

  it('with the default maxShards (8), the dead band alone allows one change at most: no cooldown, shrinkWindows 1', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((k) => fc.tuple(fc.constant(k), fc.constantFrom(k, Math.min(8, k + 1)), wanderArb(k, 300))),
        ([k, start, rates]) => {
          const t = build({ cooldownMs: 0, shrinkCooldownMs: 0, shrinkWindows: 1 });
          const changes = simulate(rates, t, start);
          expect(changes.length, `k=${k} start=${start}: ${JSON.stringify(changes)}`).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('without the dead band (shrinkMargin 0) the same wander flaps: the margin is what the property above rests on', () => {
    const t = build({ cooldownMs: 0, shrinkCooldownMs: 0, shrinkWindows: 1, shrinkMargin: 0 });
    const rates = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 2406 : 2310));
    expect(simulate(rates, t, 3).length).toBeGreaterThanOrEqual(10);
    expect(simulate(rates, build({ cooldownMs: 0, shrinkCooldownMs: 0, shrinkWindows: 1 }), 3)).toHaveLength(
      1,
    );
  });

  it('a real step up is followed within one decision, the first one its grow cooldown allows', () => {
    let followedAtOnce = 0;
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 7 })
          .chain((k) =>
            fc.tuple(
              fc.constant(k),
              thresholdsArb,
              wanderArb(k, 200),
              fc.double({ min: 1.001, max: 3, noNaN: true }),
            ),
          ),
        ([k, knobs, wander, factor]) => {
          const t = build({ ...knobs, reshardWindows: 1, maxShards: 32 });
          // first wander around the boundary (it may grow or shrink), then step up for good
          const before = simulate(wander, t, k);
          const shards = before.at(-1)?.to ?? k;
          const rate = shards * PER_SHARD * factor;
          const needed = shardsFor(rate, t);
          const rates = [...wander, ...Array.from({ length: 130 }, () => rate)];
          const after = simulate(rates, t, k).filter((c) => c.at >= wander.length * STEP_MS);
          const stepAt = wander.length * STEP_MS;
          const lastAt = before.at(-1)?.at;
          const allowedAt = lastAt === undefined ? stepAt : Math.max(stepAt, lastAt + cooldownOf('grow', t));
          const firstDecision = Math.ceil(allowedAt / STEP_MS) * STEP_MS;
          if (firstDecision === stepAt) followedAtOnce++;
          expect(after[0], JSON.stringify({ before, after })).toEqual({
            at: firstDecision,
            move: 'grow',
            from: shards,
            to: needed,
          });
          // and it stays there: one grow, no shrink back, while the rate holds
          expect(after).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
    expect(followedAtOnce).toBeGreaterThanOrEqual(100);
  });

  it('a cold tenant is still released, in its coldWindows-th cold window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.double({ min: 0, max: 49.9, noNaN: true }), { minLength: 31, maxLength: 60 }),
        thresholdsArb,
        (shards, coldWindows, rates, knobs) => {
          const t = build({ ...knobs, coldWindows });
          const changes = simulate(rates, t, shards);
          expect(changes[0]).toEqual({
            at: (coldWindows - 1) * STEP_MS,
            move: 'release',
            from: shards,
            to: 0,
          });
          expect(changes).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
