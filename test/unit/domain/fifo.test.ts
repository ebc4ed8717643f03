import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/domain/fifo.js';

describe('Fifo', () => {
  it('behaves like an array queue for any push/shift sequence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer(), fc.constant<'shift'>('shift')), { maxLength: 5000 }),
        (ops) => {
          const q = new Fifo<number>();
          const ref: number[] = [];
          for (const op of ops) {
            if (op === 'shift') expect(q.shift()).toBe(ref.shift());
            else {
              q.push(op);
              ref.push(op);
            }
            expect(q.length).toBe(ref.length);
            expect(q.peek()).toBe(ref[0]);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
