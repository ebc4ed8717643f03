import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReleaseQueue } from '../../../src/domain/release-queue.js';

interface Rec {
  readonly tenant: string;
  readonly seq: number;
  readonly bytes: number;
}

const recs = (tenant: string, n: number, bytes = 10, from = 0): Rec[] =>
  Array.from({ length: n }, (_, i) => ({ tenant, seq: from + i, bytes }));

const drainAll = (q: ReleaseQueue<Rec>, budget: number): Rec[][] => {
  const rounds: Rec[][] = [];
  while (!q.isEmpty) {
    const got: Rec[] = [];
    q.release(
      budget,
      () => true,
      (_k, r) => got.push(r),
    );
    rounds.push(got);
  }
  return rounds;
};

describe('ReleaseQueue', () => {
  it('hands out at most a budget per call (the record that crosses it is the last), oldest first', () => {
    const q = new ReleaseQueue<Rec>((r) => r.bytes);
    q.add('a', recs('a', 10));
    const got: number[] = [];
    const spent = q.release(
      35,
      () => true,
      (_k, r) => got.push(r.seq),
    );
    expect(got).toEqual([0, 1, 2, 3]);
    expect(spent).toBe(40);
    expect(q.size).toBe(6);
  });

  it('takes tenants in turn: a tenant whose turn ends with records left goes to the back', () => {
    const q = new ReleaseQueue<Rec>((r) => r.bytes);
    q.add('a', recs('a', 4));
    q.add('b', recs('b', 2));
    const rounds = drainAll(q, 20).map((r) => r.map((x) => `${x.tenant}${x.seq}`));
    expect(rounds).toEqual([
      ['a0', 'a1'],
      ['b0', 'b1'],
      ['a2', 'a3'],
    ]);
    expect(q.isEmpty).toBe(true);
  });

  it('stops as soon as the pipeline says so, keeping the rest in order', () => {
    const q = new ReleaseQueue<Rec>((r) => r.bytes);
    q.add('a', recs('a', 5));
    let admitted = 0;
    q.release(
      1000,
      () => admitted < 2,
      () => admitted++,
    );
    expect(admitted).toBe(2);
    expect(q.take('a').map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(q.has('a')).toBe(false);
  });

  it('queues a tenant’s new records behind its backlog, and only when it has one', () => {
    const q = new ReleaseQueue<Rec>((r) => r.bytes);
    expect(q.append('a', { tenant: 'a', seq: 99, bytes: 1 })).toBe(false);
    q.add('a', recs('a', 2));
    expect(q.append('a', { tenant: 'a', seq: 2, bytes: 1 })).toBe(true);
    expect(q.take('a').map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(q.take('a')).toEqual([]);
  });

  it('ends a tenant’s turn when admit takes its backlog (a new drain), and goes on with the next', () => {
    const q = new ReleaseQueue<Rec>((r) => r.bytes);
    q.add('a', recs('a', 5));
    q.add('b', recs('b', 2));
    const admitted: string[] = [];
    let held: Rec[] = [];
    q.release(
      1000,
      () => true,
      (k, r) => {
        admitted.push(`${k}${r.seq}`);
        if (k === 'a' && r.seq === 1) held = q.take('a');
      },
    );
    expect(admitted).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(held.map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(q.isEmpty).toBe(true);
  });

  it('property: every record comes out exactly once, each tenant in order, whatever the budgets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 1, max: 20 })), {
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 200 }),
        (adds, budget) => {
          const q = new ReleaseQueue<Rec>((r) => r.bytes);
          const next = new Map<string, number>();
          let total = 0;
          for (const [tenant, n] of adds) {
            const from = next.get(tenant) ?? 0;
            q.add(tenant, recs(tenant, n, 7, from));
            next.set(tenant, from + n);
            total += n;
          }
          const out = drainAll(q, budget).flat();
          expect(out).toHaveLength(total);
          for (const [tenant, n] of next)
            expect(out.filter((r) => r.tenant === tenant).map((r) => r.seq)).toEqual(
              Array.from({ length: n }, (_, i) => i),
            );
        },
      ),
    );
  });
});
