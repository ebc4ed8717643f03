import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrainGate } from '../../../src/domain/drain-gate.js';

describe('DrainGate', () => {
  it('acks at once when nothing of the tenant is in flight', () => {
    const g = new DrainGate<number>();
    expect(g.draining('t/a', 2)).toEqual({ key: 't/a', epoch: 2 });
    expect(g.isHeld('t/a')).toBe(true);
  });

  it('waits for pre-drain records, acks once, holds new ones in order and releases them on settle', () => {
    const g = new DrainGate<number>();
    g.accepted('t/a');
    g.accepted('t/a');
    expect(g.draining('t/a', 5)).toBeUndefined();
    g.hold('t/a', 1);
    g.hold('t/a', 2);
    expect(g.completed('t/a')).toBeUndefined();
    expect(g.completed('t/a')).toEqual({ key: 't/a', epoch: 5 });
    expect(g.completed('t/a')).toBeUndefined();
    expect(g.settled('t/a', 4)).toEqual([]);
    expect(g.settled('t/a', 5)).toEqual([1, 2]);
    expect(g.isHeld('t/a')).toBe(false);
  });

  it('re-acks a newer drain epoch and ignores a repeated one', () => {
    const g = new DrainGate<number>();
    expect(g.draining('t/a', 1)).toEqual({ key: 't/a', epoch: 1 });
    expect(g.draining('t/a', 1)).toBeUndefined();
    expect(g.draining('t/a', 2)).toEqual({ key: 't/a', epoch: 2 });
  });

  it('never acks while a pre-drain record is in flight, and releases held records in hold order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('accept', 'complete', 'hold'), { maxLength: 60 }), (ops) => {
        const g = new DrainGate<number>();
        let inflight = 0;
        let acked = 0;
        const held: number[] = [];
        ops.slice(0, Math.floor(ops.length / 2)).forEach((op) => {
          if (op === 'accept') {
            g.accepted('k');
            inflight++;
          }
        });
        const first = g.draining('k', 1);
        if (first) acked++;
        expect(first !== undefined).toBe(inflight === 0);
        ops.slice(Math.floor(ops.length / 2)).forEach((op, i) => {
          if (op === 'complete' && inflight > 0) {
            inflight--;
            const a = g.completed('k');
            if (a) acked++;
            expect(a !== undefined).toBe(inflight === 0 && acked === 1);
          } else if (op === 'hold') {
            g.hold('k', i);
            held.push(i);
          }
        });
        expect(acked).toBe(inflight === 0 ? 1 : 0);
        expect(g.settled('k', 1)).toEqual(held);
      }),
    );
  });
});
