import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tenantMachine, type TenantEvent } from '../../../machines/tenant.machine.js';
import type { ControllerMode } from '../../../machines/tenant.types.js';
import { closed, finishMove, input, start, stateOf, step, thresholds, type Snap } from './tenant-harness.js';

const STABLE = new Set(['shared', 'dedicated', 'sharded']);

/** The same tenant, acting: what the policy would have done with this window. */
const actingTwin = (s: Snap): Snap =>
  tenantMachine.resolveState({
    value: s.value,
    context: { ...s.context, mode: 'act', neverMove: false },
  });

const quietModes: readonly { mode: ControllerMode; neverMove: boolean }[] = [
  { mode: 'observe', neverMove: false },
  { mode: 'act', neverMove: true },
  { mode: 'observe', neverMove: true },
];

type Op = { kind: 'window'; rate: number; share: number; dt: number } | { kind: 'config'; which: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('window' as const),
      rate: fc.constantFrom(0, 50, 500, 1500, 3000, 5000, 9000),
      share: fc.constantFrom(0.1, 0.9),
      dt: fc.integer({ min: 100, max: 5000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('config' as const), which: fc.nat(2) }) },
);

describe('tenant machine properties: observe mode and never-move', { timeout: 60_000 }, () => {
  it('never moves on a window, records the would-decision whenever acting would have moved, and logs it only when it changes', () => {
    const would = { isolate: 0, reshard: 0, release: 0 };
    let unchangedRepeats = 0;
    fc.assert(
      fc.property(
        fc.constantFrom([], [6], [6, 7], [6, 7, 8]),
        fc.nat(2),
        fc.record({
          hotWindows: fc.integer({ min: 1, max: 3 }),
          coldWindows: fc.integer({ min: 1, max: 4 }),
          cooldownMs: fc.integer({ min: 0, max: 5000 }),
          shrinkWindows: fc.integer({ min: 1, max: 3 }),
          shrinkCooldownMs: fc.integer({ min: 0, max: 5000 }),
        }),
        fc.array(opArb, { minLength: 20, maxLength: 80, size: 'max' }),
        (partitions, modeIx, knobs, ops) => {
          const th = thresholds(knobs);
          let s = start(input({ partitions, thresholds: th, ...quietModes[modeIx]! }));
          let now = 10_000;
          for (const op of ops) {
            if (op.kind === 'config') {
              const e: TenantEvent = {
                type: 'config.changed',
                thresholds: th,
                ordering: 'strict',
                ...quietModes[op.which]!,
              };
              s = step(s, e).snap;
              continue;
            }
            now += op.dt;
            const e = closed(op.rate, now, 0, op.share);
            const twin = step(actingTwin(s), e).snap;
            const r = step(s, e);
            // no transition, no step started
            expect(stateOf(r.snap)).toBe(stateOf(s));
            expect(r.effects.filter((x) => x !== 'recordDecision')).toEqual([]);
            // what acting would have done is on record, as a shadow decision
            if (!STABLE.has(stateOf(twin))) {
              const kind =
                twin.context.target?.length === 0
                  ? 'release'
                  : s.context.partitions.length === 0
                    ? 'isolate'
                    : 'reshard';
              const prefix = r.snap.context.neverMove ? 'never-move: ' : '';
              expect(r.snap.context.decision?.shadow).toBe(true);
              expect(r.snap.context.decision?.reason).toMatch(new RegExp(`^${prefix}would ${kind} whale`));
              would[kind]++;
              if (!r.effects.includes('recordDecision')) unchangedRepeats++;
            }
            // logged exactly when what the decision is about changes: no churn per window
            expect(r.effects.includes('recordDecision')).toBe(r.snap.context.heldKey !== s.context.heldKey);
            s = r.snap;
          }
        },
      ),
      { numRuns: 300 },
    );
    // every kind of would-decision was reached, and repeats of one were not logged again
    expect(would.isolate).toBeGreaterThanOrEqual(200);
    expect(would.reshard).toBeGreaterThanOrEqual(200);
    expect(would.release).toBeGreaterThanOrEqual(200);
    expect(unchangedRepeats).toBeGreaterThanOrEqual(500);
  });
});

describe('tenant machine properties: no flapping on a shard boundary', { timeout: 60_000 }, () => {
  it('a rate wandering +-15% around k x 800/s (k <= maxShards 8) moves the tenant at most once, whatever the cooldowns', () => {
    let moved = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        fc.record({
          cooldownMs: fc.integer({ min: 0, max: 10_000 }),
          growCooldownMs: fc.integer({ min: 0, max: 10_000 }),
          shrinkCooldownMs: fc.integer({ min: 0, max: 10_000 }),
          shrinkWindows: fc.integer({ min: 1, max: 5 }),
        }),
        fc.array(fc.double({ min: -0.15, max: 0.15, noNaN: true }), { minLength: 60, maxLength: 120 }),
        (k, above, knobs, wander) => {
          const th = thresholds({
            ...knobs,
            isolateRate: 250,
            releaseRate: 50,
            partitionCapacity: 1000,
            headroom: 0.8,
            reshardWindows: 1,
            maxShards: 8,
          });
          const n = Math.min(8, above ? k + 1 : k);
          let s = start(input({ partitions: Array.from({ length: n }, (_, i) => 20 + i), thresholds: th }));
          let moves = 0;
          wander.forEach((u, i) => {
            const now = 10_000 + i * 1000;
            s = step(s, closed(k * 800 * (1 + u), now)).snap;
            if (!STABLE.has(stateOf(s))) {
              moves++;
              s = finishMove(s, now).snap;
            }
          });
          if (moves > 0) moved++;
          expect(moves, `k=${k} from ${n}`).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
    expect(moved).toBeGreaterThanOrEqual(50);
  });
});
