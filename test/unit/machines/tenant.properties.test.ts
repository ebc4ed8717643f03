import fc from 'fast-check';
import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { tenantMachine, type TenantEvent } from '../../../machines/tenant.machine.js';
import { place } from '../../../src/policy/placement.js';
import { closed, input, stateOf, thresholds, type Snap } from './tenant-harness.js';

const SHARED = 2;
const MAX_PARTITIONS = 8;
const STABLE = new Set(['shared', 'dedicated', 'sharded']);

type Op =
  | { kind: 'window'; t: number; rate: number }
  | { kind: 'progress'; t: number }
  | { kind: 'timeout'; t: number }
  | { kind: 'pin'; t: number; shards: number }
  | { kind: 'unpin'; t: number };

const opArb = (tenants: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('window' as const),
      t: fc.nat(tenants - 1),
      rate: fc.constantFrom(0, 50, 500, 1500, 3000, 9000),
    }),
    fc.record({ kind: fc.constant('progress' as const), t: fc.nat(tenants - 1) }),
    fc.record({ kind: fc.constant('timeout' as const), t: fc.nat(tenants - 1) }),
    fc.record({
      kind: fc.constant('pin' as const),
      t: fc.nat(tenants - 1),
      shards: fc.integer({ min: 1, max: 3 }),
    }),
    fc.record({ kind: fc.constant('unpin' as const), t: fc.nat(tenants - 1) }),
  );

/** A pure stand-in for the controller: carries out effects with the real placement policy. */
class World {
  snaps: Snap[];
  total = 4;
  now = 10_000;
  drained: boolean[];
  violations: string[] = [];

  constructor(readonly ordering: ('strict' | 'relaxed')[]) {
    this.snaps = ordering.map((o, i) => {
      const [s] = initialTransition(
        tenantMachine,
        input({
          tenant: `t${i}`,
          ordering: o,
          hashPartition: i % SHARED,
          thresholds: thresholds({
            hotWindows: 2,
            coldWindows: 2,
            drainTimeoutPolicy: i % 2 ? 'rollback' : 'wait',
          }),
        }),
      );
      return s;
    });
    this.drained = ordering.map(() => false);
  }

  owners(except?: number): Map<number, string> {
    const m = new Map<number, string>();
    this.snaps.forEach((s, i) => {
      if (i === except) return;
      for (const p of [...s.context.partitions, ...(s.context.target ?? [])]) m.set(p, `t${i}`);
    });
    return m;
  }

  send(i: number, e: TenantEvent): void {
    this.now += 100;
    const [next, actions] = transition(tenantMachine, this.snaps[i]!, e);
    const types = actions.map((a) => a.type);
    if (types.includes('announceDraining')) this.drained[i] = false;
    if (e.type === 'drain.completed') this.drained[i] = true;
    if (types.includes('commitRoute')) {
      const c = next.context;
      const movesAway = JSON.stringify(c.target) !== JSON.stringify(c.previous ?? c.partitions);
      if (c.ordering === 'strict' && c.previous !== undefined && movesAway && !this.drained[i]) {
        this.violations.push(`t${i} committed ${JSON.stringify(c.target)} before drained`);
      }
    }
    this.snaps[i] = next;
  }

  migrations(): number {
    return this.snaps.filter((s) => !STABLE.has(stateOf(s))).length;
  }

  /** The completion event the controller would deliver next for tenant i's current state. */
  progress(i: number): void {
    const s = this.snaps[i]!;
    const v = stateOf(s);
    if (v === 'isolating') {
      const k = s.context.wantShards;
      const p = place({
        shared: SHARED,
        total: this.total,
        maxPartitions: MAX_PARTITIONS,
        owners: this.owners(i),
        load: new Map(),
        tenant: `t${i}`,
        k,
      });
      if (p.kind === 'none') this.send(i, { type: 'capacity.unavailable', reason: p.reason, now: this.now });
      else {
        if (p.kind === 'grow') this.total = p.newTotal;
        this.send(i, { type: 'capacity.reserved', partitions: p.partitions });
      }
    } else if (v === '{"draining":"announcing"}') this.send(i, { type: 'producers.acked' });
    else if (v === '{"draining":"fencing"}') this.send(i, { type: 'fence.taken' });
    else if (v === '{"draining":"waiting"}') this.send(i, { type: 'drain.completed' });
    else if (v === 'committing') this.send(i, { type: 'route.committed', now: this.now });
  }

  apply(op: Op): void {
    if (op.kind === 'window') this.send(op.t, closed(op.rate, this.now, this.migrations()));
    else if (op.kind === 'progress') this.progress(op.t);
    else if (op.kind === 'timeout') this.send(op.t, { type: 'drain.timedOut', now: this.now });
    else if (op.kind === 'pin')
      this.send(op.t, { type: 'operator.pinned', shards: op.shards, now: this.now });
    else this.send(op.t, { type: 'operator.unpinned', now: this.now });
  }

  checkExclusive(): void {
    const seen = new Map<number, number>();
    this.snaps.forEach((s, i) => {
      for (const p of new Set([...s.context.partitions, ...(s.context.target ?? [])])) {
        if (p < SHARED) this.violations.push(`t${i} owns shared partition ${p}`);
        const other = seen.get(p);
        if (other !== undefined && other !== i)
          this.violations.push(`partition ${p} dedicated to t${other} and t${i}`);
        seen.set(p, i);
      }
    });
  }
}

describe('tenant machine properties (random event sequences, real placement policy)', () => {
  const orderings = fc.array(fc.constantFrom<'strict' | 'relaxed'>('strict', 'relaxed'), {
    minLength: 2,
    maxLength: 4,
  });

  it('never dedicates a partition to two tenants, and never commits a strict move before drained', () => {
    fc.assert(
      fc.property(
        orderings.chain((o) => fc.tuple(fc.constant(o), fc.array(opArb(o.length), { maxLength: 120 }))),
        ([o, ops]) => {
          const w = new World(o);
          for (const op of ops) {
            w.apply(op);
            w.checkExclusive();
          }
          expect(w.violations).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('always returns to a stable state once the controller carries out pending effects', () => {
    fc.assert(
      fc.property(
        orderings.chain((o) => fc.tuple(fc.constant(o), fc.array(opArb(o.length), { maxLength: 80 }))),
        ([o, ops]) => {
          const w = new World(o);
          for (const op of ops) w.apply(op);
          for (let round = 0; round < 8; round++) o.forEach((_, i) => w.progress(i));
          for (const s of w.snaps) expect(STABLE.has(stateOf(s))).toBe(true);
          expect(w.violations).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
