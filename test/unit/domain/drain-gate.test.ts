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

  it('never acks while a pre-drain record is in flight, acks each drain epoch once, and releases held records in hold order (property)', () => {
    // Every generated operation is applied. Before the drain: records of the tenant and of another
    // tenant are accepted and complete, and a hold is refused. After it: pre-drain records complete,
    // new records are held, a newer drain epoch arrives, a stale settle is ignored, and the other
    // tenant keeps sending. A completion with nothing in flight (stray) must change nothing.
    const pre = fc.oneof(
      fc.record({ op: fc.constant('accept' as const) }),
      fc.record({ op: fc.constant('complete' as const), n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant('hold' as const) }),
      fc.record({ op: fc.constantFrom('otherAccept' as const, 'otherComplete' as const) }),
    );
    const post = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({ op: fc.constant('complete' as const), n: fc.integer({ min: 1, max: 3 }) }),
      },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('hold' as const) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('redrain' as const) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('staleSettle' as const) }) },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constantFrom('otherAccept' as const, 'otherComplete' as const) }),
      },
    );
    const seen = {
      ackedAtOnce: 0,
      ackedOnCompletion: 0,
      redrainsAcked: 0,
      refusedHolds: 0,
      strayCompletions: 0,
      runs: 0,
    };
    fc.assert(
      fc.property(
        fc.array(pre, { maxLength: 30, size: 'max' }),
        fc.array(post, { maxLength: 60, size: 'max' }),
        (before, after) => {
          const g = new DrainGate<number>();
          let inflight = 0;
          let other = 0;
          let epoch = 1;
          let acked = false;
          const held: number[] = [];
          const otherOp = (op: 'otherAccept' | 'otherComplete'): void => {
            if (op === 'otherAccept' || other === 0) {
              g.accepted('o');
              other++;
            } else {
              other--;
              expect(g.completed('o')).toBeUndefined(); // the other tenant is not draining
            }
          };
          for (const b of before) {
            if (b.op === 'accept') {
              g.accepted('k');
              inflight++;
            } else if (b.op === 'complete') {
              // (with nothing in flight: a stray completion, which must change nothing)
              inflight = Math.max(0, inflight - b.n);
              expect(g.completed('k', b.n)).toBeUndefined(); // not draining: nothing to ack
            } else if (b.op === 'hold') {
              expect(() => g.hold('k', -1)).toThrow(/not gated/);
              seen.refusedHolds++;
            } else otherOp(b.op);
            expect(g.isHeld('k')).toBe(false);
            expect(g.inflightOf('k')).toBe(inflight);
          }
          const first = g.draining('k', epoch);
          expect(first).toEqual(inflight === 0 ? { key: 'k', epoch } : undefined);
          if (first) {
            acked = true;
            seen.ackedAtOnce++;
          }
          after.forEach((a, i) => {
            if (a.op === 'complete') {
              if (inflight === 0) seen.strayCompletions++;
              inflight = Math.max(0, inflight - a.n);
              const ack = g.completed('k', a.n);
              // acked once per epoch, exactly when the last pre-drain record completes (a stray
              // completion after that acks nothing)
              expect(ack).toEqual(inflight === 0 && !acked ? { key: 'k', epoch } : undefined);
              if (ack) {
                acked = true;
                seen.ackedOnCompletion++;
              }
            } else if (a.op === 'hold') {
              g.hold('k', i);
              held.push(i);
            } else if (a.op === 'redrain') {
              expect(g.draining('k', epoch)).toBeUndefined(); // a repeated epoch is ignored
              epoch++;
              const ack = g.draining('k', epoch);
              expect(ack).toEqual(inflight === 0 ? { key: 'k', epoch } : undefined);
              acked = ack !== undefined;
              if (ack) seen.redrainsAcked++;
            } else if (a.op === 'staleSettle') {
              expect(g.settled('k', epoch - 1)).toEqual([]);
            } else otherOp(a.op);
            expect(g.isHeld('k')).toBe(true);
            expect(g.heldCount('k')).toBe(held.length);
            expect(g.inflightOf('k')).toBe(inflight);
            expect(g.inflightOf('o')).toBe(other);
            expect(g.isHeld('o')).toBe(false);
          });
          expect(acked).toBe(inflight === 0);
          expect(g.settled('k', epoch)).toEqual(held);
          expect(g.isHeld('k')).toBe(false);
          seen.runs++;
        },
      ),
      { numRuns: 200 },
    );
    // Generator floors (about half of what it reaches): drains acked at once and on the last
    // completion, re-drains, refused holds, stray completions.
    expect(seen.runs).toBe(200);
    expect(seen.ackedAtOnce).toBeGreaterThanOrEqual(40);
    expect(seen.ackedOnCompletion).toBeGreaterThanOrEqual(40);
    expect(seen.redrainsAcked).toBeGreaterThanOrEqual(200);
    expect(seen.refusedHolds).toBeGreaterThanOrEqual(300);
    expect(seen.strayCompletions).toBeGreaterThanOrEqual(500);
  });
});
