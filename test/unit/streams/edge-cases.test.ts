import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { OffsetSample } from '../../../src/domain/offsets.js';
import { offsetSteps } from '../../../src/streams/offset-steps.js';
import { windowSummaries, type ObserverEvent } from '../../../src/streams/window-summaries.js';

const scheduler = () => new TestScheduler((a, e) => expect(a).toEqual(e));
const sample = (at: number, end: number, groups: Record<string, number>): OffsetSample => ({
  at,
  ends: new Map([['t', new Map([[0, end]])]]),
  committed: new Map(Object.entries(groups).map(([g, c]) => [g, new Map([['t', new Map([[0, c]])]])])),
});

describe('observer edge cases', () => {
  it('follows groups that appear and disappear', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abc|', {
        a: sample(1000, 10, {}),
        b: sample(2000, 20, { g1: 15 }),
        c: sample(3000, 30, { g2: 30 }),
      });
      expectObservable(
        src.pipe(
          offsetSteps(),
          map((s) => Object.fromEntries(s[0]!.lag)),
        ),
      ).toBe('abc|', { a: {}, b: { g1: 5 }, c: { g2: 0 } });
    });
  });

  it('turns missed ticks into one late window whose rate uses the real elapsed time', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const step = (at: number, records: number, dtMs: number): ObserverEvent => ({
        kind: 'steps',
        at,
        steps: [{ topic: 't', partition: 0, at, dtMs, records, end: 0, lag: new Map() }],
      });
      // ticks at 1 s, then nothing until 4 s (three missed): 300 records over 3 s is still 100/s
      const src = cold('ab|', { a: step(1000, 0, 0), b: step(4000, 300, 3000) });
      expectObservable(
        src.pipe(
          windowSummaries({ windowMs: 5000, stepMs: 1000, ewmaAlpha: 1, silentIntervals: 3 }),
          map((w) => w.partitions[0]!.recordsPerSec),
        ),
      ).toBe('-b|', { b: 100 });
    });
  });
});
