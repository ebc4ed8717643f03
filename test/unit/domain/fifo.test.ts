import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/domain/fifo.js';

/** The queue's private bookkeeping, read only to prove the compaction branch is exercised. */
const internals = (q: Fifo<number>): { head: number; items: unknown[] } =>
  q as unknown as { head: number; items: unknown[] };

// Compaction starts once more than 1024 records were shifted and they are over half the array, so
// the operations come in bursts (up to 400 pushes, then up to 400 shifts): a run reaches thousands of
// operations and compacts several times, and bursts of shifts also run the queue empty. Records are
// numbered in push order, so a dropped, repeated or reordered record shows.
const burst = fc.record({
  pushes: fc.integer({ min: 0, max: 400 }),
  shifts: fc.integer({ min: 0, max: 400 }),
});

describe('Fifo', () => {
  it('behaves like an array queue for any push/shift sequence, compacting its storage', () => {
    let runs = 0;
    let compactions = 0;
    let runsWithCompaction = 0;
    let shiftsPastEmpty = 0;
    let compactionsMovingRecords = 0;
    fc.assert(
      fc.property(fc.array(burst, { minLength: 10, maxLength: 40, size: 'max' }), (bursts) => {
        runs++;
        const q = new Fifo<number>();
        const ref: number[] = [];
        let compacted = 0;
        // Plain comparisons in the loop (tens of thousands of operations per run); expect on a mismatch.
        const same = (what: string, actual: unknown, expected: unknown): void => {
          if (actual !== expected) expect(actual, what).toBe(expected);
        };
        let next = 0;
        for (const { pushes, shifts } of bursts) {
          for (let n = 0; n < pushes; n++) {
            const x = next++;
            q.push(x);
            ref.push(x);
            same('length after push', q.length, ref.length);
          }
          for (let i = 0; i < shifts; i++) {
            if (ref.length === 0) shiftsPastEmpty++;
            const headBefore = internals(q).head;
            same('shifted', q.shift(), ref.shift());
            if (headBefore > 0 && internals(q).head === 0) {
              compacted++;
              // a compaction that moved queued records (one that empties the queue moves none)
              if (ref.length > 0) compactionsMovingRecords++;
            }
            same('length after shift', q.length, ref.length);
            same('peek', q.peek(), ref[0]);
            // Storage stays bounded: the shifted-out prefix is at most 1024 slots or the live size.
            if (internals(q).head > Math.max(1024, q.length))
              expect(internals(q).head, 'dead prefix').toBeLessThanOrEqual(Math.max(1024, q.length));
          }
        }
        // Whatever is left comes out in order.
        while (ref.length > 0) expect(q.shift()).toBe(ref.shift());
        expect(q.shift()).toBeUndefined();
        expect(q.length).toBe(0);
        compactions += compacted;
        if (compacted > 0) runsWithCompaction++;
      }),
      { numRuns: 40 },
    );
    // Generator floor: a regression that stops reaching compaction fails here, not silently.
    expect(runs).toBe(40);
    expect(runsWithCompaction).toBeGreaterThanOrEqual(30);
    expect(compactions).toBeGreaterThanOrEqual(60);
    expect(compactionsMovingRecords).toBeGreaterThanOrEqual(40);
    expect(shiftsPastEmpty).toBeGreaterThan(0);
  });

  it('keeps every record across a compaction at the exact threshold', () => {
    // 2049 records: the 1025th shift compacts (head 1025 > 1024 and 2 x 1025 > 2049 slots).
    const q = new Fifo<number>();
    for (let i = 0; i < 2049; i++) q.push(i);
    for (let i = 0; i < 1024; i++) expect(q.shift()).toBe(i);
    expect(internals(q).head).toBe(1024);
    expect(q.shift()).toBe(1024);
    expect(internals(q).head).toBe(0);
    expect(q.length).toBe(1024);
    expect(q.peek()).toBe(1025);
    for (let i = 1025; i < 2049; i++) expect(q.shift()).toBe(i);
    expect(q.shift()).toBeUndefined();
  });
});
