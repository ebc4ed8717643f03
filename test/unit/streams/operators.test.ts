import fc from 'fast-check';
import { from, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { OffsetSample } from '../../../src/domain/offsets.js';
import {
  WindowAggregator,
  type WindowOptions,
  type WindowSnapshot,
} from '../../../src/domain/window-aggregator.js';
import type { TrafficReport } from '../../../src/domain/wire-records.js';
import { dedupeReports } from '../../../src/streams/dedupe-reports.js';
import { drainWatch } from '../../../src/streams/drain-watch.js';
import { offsetSteps } from '../../../src/streams/offset-steps.js';
import { windowSummaries, type ObserverEvent } from '../../../src/streams/window-summaries.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

const sample = (
  at: number,
  ends: Record<number, number>,
  committed: Record<string, Record<number, number>> = {},
): OffsetSample => ({
  at,
  ends: new Map([['t', new Map(Object.entries(ends).map(([p, o]) => [Number(p), o]))]]),
  committed: new Map(
    Object.entries(committed).map(([g, c]) => [
      g,
      new Map([['t', new Map(Object.entries(c).map(([p, o]) => [Number(p), o]))]]),
    ]),
  ),
});

const report = (producerId: string, seq: number, records: number, tenant = 'a'): TrafficReport => ({
  v: 1,
  kind: 'traffic',
  producerId,
  seq,
  intervalStart: seq * 1000,
  intervalEnd: (seq + 1) * 1000,
  tenants: [{ topic: 't', tenant, records, bytes: records * 10 }],
});

describe('offsetSteps', () => {
  it('turns polls into records appended and lag per group', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('a-b|', { a: sample(1000, { 0: 10 }), b: sample(2000, { 0: 25 }, { g: { 0: 20 } }) });
      expectObservable(src.pipe(offsetSteps())).toBe('a-b|', {
        a: [{ topic: 't', partition: 0, at: 1000, dtMs: 0, records: 0, end: 10, lag: new Map() }],
        b: [
          { topic: 't', partition: 0, at: 2000, dtMs: 1000, records: 15, end: 25, lag: new Map([['g', 5]]) },
        ],
      });
    });
  });

  it('restarts the baseline when offsets go backwards, starts new partitions at 0, reports no-commit lag as null', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abc|', {
        a: sample(1000, { 0: 100 }),
        b: sample(2000, { 0: 5, 1: 50 }, { g: {} }),
        c: sample(1500, { 0: 9, 1: 60 }),
      });
      expectObservable(src.pipe(offsetSteps())).toBe('abc|', {
        a: [{ topic: 't', partition: 0, at: 1000, dtMs: 0, records: 0, end: 100, lag: new Map() }],
        b: [
          { topic: 't', partition: 0, at: 2000, dtMs: 1000, records: 0, end: 5, lag: new Map([['g', null]]) },
          {
            topic: 't',
            partition: 1,
            at: 2000,
            dtMs: 1000,
            records: 0,
            end: 50,
            lag: new Map([['g', null]]),
          },
        ],
        // the clock jumped back: dtMs 0, so no rate is derived from this step
        c: [
          { topic: 't', partition: 0, at: 1500, dtMs: 0, records: 4, end: 9, lag: new Map() },
          { topic: 't', partition: 1, at: 1500, dtMs: 0, records: 10, end: 60, lag: new Map() },
        ],
      });
    });
  });
});

describe('dedupeReports', () => {
  it('counts each (producer, seq) once and lets late reports through', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const r = {
        a: report('p1', 1, 5),
        b: report('p1', 1, 5),
        c: report('p2', 1, 7),
        d: report('p1', 0, 3),
      };
      expectObservable(cold('abcd|', r).pipe(dedupeReports())).toBe('a-cd|', r);
    });
  });

  it('counts each part of a split report once: a duplicated part is dropped, the others pass', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const part = (i: number): TrafficReport => ({ ...report('p1', 4, 5), v: 2, part: i, parts: 3 });
      const r = { a: part(0), b: part(1), c: part(1), d: part(2), e: part(0) };
      expectObservable(cold('abcde|', r).pipe(dedupeReports())).toBe('ab-d-|', r);
    });
  });
});

describe('windowSummaries', () => {
  const steps = (at: number, records: number, dtMs = 1000): ObserverEvent => ({
    kind: 'steps',
    at,
    steps: [{ topic: 't', partition: 0, at, dtMs, records, end: 0, lag: new Map([['g', 3]]) }],
  });
  const rep = (at: number, seq: number, records: number, producer = 'p1'): ObserverEvent => ({
    kind: 'report',
    at,
    report: report(producer, seq, records),
  });

  it('gives partition and tenant rates over a sliding window, decays a silent tenant to 0, and forgets it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const src = cold('abcdefgh|', {
        a: steps(1000, 0, 0),
        b: rep(1500, 0, 100),
        c: steps(2000, 100),
        d: rep(2500, 1, 100),
        e: steps(3000, 100),
        f: steps(4000, 0),
        g: steps(5000, 0),
        h: steps(6000, 0),
      });
      const out = src.pipe(
        windowSummaries({ windowMs: 2000, stepMs: 1000, ewmaAlpha: 0.5, silentIntervals: 2 }),
        map((w) => ({
          at: w.at,
          a: w.tenants.find((t) => t.tenant === 'a')?.recordsPerSec,
          p0: w.partitions[0]?.recordsPerSec,
          gone: w.producersGone,
        })),
      );
      // 100 records per 1 s step: 100/s over the 2 s window (only 1 s covered at first), then decay.
      expectObservable(out).toBe('--c-efgh|', {
        c: { at: 2000, a: 100, p0: 100, gone: [] },
        e: { at: 3000, a: 100, p0: 100, gone: [] },
        f: { at: 4000, a: 50, p0: 50, gone: [] },
        g: { at: 5000, a: 0, p0: 0, gone: ['p1'] },
        h: { at: 6000, a: undefined, p0: 0, gone: [] },
      });
    });
  });

  /** Every rate of a snapshot: finite and >= 0 (trend is a difference of rates: finite). */
  const badRates = (w: WindowSnapshot): string[] => {
    const bad: string[] = [];
    const rate = (what: string, v: number) => {
      if (!Number.isFinite(v) || v < 0) bad.push(`${what} = ${v} at ${w.at}`);
    };
    for (const p of w.partitions) {
      rate(`partition ${p.partition} recordsPerSec`, p.recordsPerSec);
      rate(`partition ${p.partition} ewmaRecordsPerSec`, p.ewmaRecordsPerSec);
    }
    for (const t of w.tenants) {
      rate(`tenant ${t.tenant} recordsPerSec`, t.recordsPerSec);
      rate(`tenant ${t.tenant} bytesPerSec`, t.bytesPerSec);
      rate(`tenant ${t.tenant} ewmaRecordsPerSec`, t.ewmaRecordsPerSec);
      if (!Number.isFinite(t.trend)) bad.push(`tenant ${t.tenant} trend = ${t.trend} at ${w.at}`);
    }
    return bad;
  };

  const optionsArb: fc.Arbitrary<WindowOptions> = fc
    .record({
      stepMs: fc.constantFrom(100, 1000),
      buckets: fc.integer({ min: 1, max: 5 }),
      ewmaAlpha: fc.double({ min: 0.01, max: 1, noNaN: true }),
      silentIntervals: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ stepMs, buckets, ...rest }) => ({ stepMs, windowMs: stepMs * buckets, ...rest }));

  // One poll: the clock moves (by 0..3 steps, now and then backwards), producers report, and offset
  // steps arrive. Partition 3 never has a step with time elapsed (dtMs 0, like a partition seen for
  // the first time, or every poll after a clock jump back): its window covers no time at all.
  const pollArb = (stepMs: number) =>
    fc.record({
      advance: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 3 * stepMs }) },
        { weight: 1, arbitrary: fc.integer({ min: -2 * stepMs, max: -1 }) },
      ),
      reports: fc.array(
        fc.record({
          producer: fc.constantFrom('p1', 'p2', 'p3'),
          tenant: fc.constantFrom('a', 'b', 'c'),
          records: fc.nat(500),
        }),
        { maxLength: 3 },
      ),
      steps: fc.uniqueArray(
        fc.record({ partition: fc.nat(3), records: fc.nat(500), elapsed: fc.boolean() }),
        { maxLength: 4, selector: (s) => s.partition },
      ),
    });

  type Poll = ReturnType<typeof pollArb> extends fc.Arbitrary<infer P> ? P : never;
  const eventsOf = (polls: Poll[]): ObserverEvent[] => {
    const events: ObserverEvent[] = [];
    let at = 10_000;
    let seq = 0;
    for (const poll of polls) {
      at += poll.advance;
      for (const r of poll.reports) {
        const rep = report(r.producer, seq++, r.records, r.tenant);
        events.push({ kind: 'report', at, report: rep });
      }
      events.push({
        kind: 'steps',
        at,
        steps: poll.steps.map((s) => ({
          topic: 't',
          partition: s.partition,
          at,
          dtMs: s.partition !== 3 && s.elapsed ? Math.max(0, poll.advance) : 0,
          records: s.records,
          end: 0,
          lag: new Map([['g', 0]]),
        })),
      });
    }
    return events;
  };

  it('never yields a negative, infinite or NaN rate, whatever the polls and reports (property)', () => {
    const seen = { snapshots: 0, uncoveredPartitionWindows: 0, tenantRates: 0, decayedToZero: 0 };
    fc.assert(
      fc.property(
        optionsArb.chain((o) =>
          fc.tuple(fc.constant(o), fc.array(pollArb(o.stepMs), { minLength: 5, maxLength: 60, size: 'max' })),
        ),
        ([opts, polls]) => {
          const out: WindowSnapshot[] = [];
          from(eventsOf(polls))
            .pipe(windowSummaries(opts))
            .subscribe((w) => out.push(w));
          for (const w of out) {
            const bad = badRates(w);
            expect(bad, bad.join('; ')).toEqual([]);
            seen.snapshots++;
            if (w.partitions.some((p) => p.partition === 3)) seen.uncoveredPartitionWindows++;
            seen.tenantRates += w.tenants.length;
            seen.decayedToZero += w.tenants.filter((t) => t.recordsPerSec === 0).length;
          }
        },
      ),
      { numRuns: 200 },
    );
    // The property is only worth something if windows close: floors (about half of what it reaches).
    expect(seen.snapshots).toBeGreaterThanOrEqual(1500);
    expect(seen.uncoveredPartitionWindows).toBeGreaterThanOrEqual(1500);
    expect(seen.tenantRates).toBeGreaterThanOrEqual(4000);
    expect(seen.decayedToZero).toBeGreaterThanOrEqual(400);
  });

  it('never yields a negative, infinite or NaN rate when closed late, twice at one time, or back in time (aggregator, property)', () => {
    // windowSummaries only closes forward in time; the aggregator promises finite rates for any close.
    let closesNotForward = 0;
    fc.assert(
      fc.property(
        optionsArb,
        fc.array(
          fc.record({
            dt: fc.oneof(fc.integer({ min: -5000, max: 5000 }), fc.constant(0)),
            records: fc.nat(500),
            dtMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
          }),
          { minLength: 2, maxLength: 40, size: 'max' },
        ),
        (opts, closes) => {
          const agg = new WindowAggregator(opts);
          let at = 10_000;
          let seq = 0;
          for (const c of closes) {
            at += c.dt;
            if (c.dt <= 0) closesNotForward++;
            agg.addReport(report('p1', seq++, c.records), at);
            agg.addSteps([
              { topic: 't', partition: 0, at, dtMs: c.dtMs, records: c.records, end: 0, lag: new Map() },
            ]);
            const bad = badRates(agg.close(at));
            expect(bad, bad.join('; ')).toEqual([]);
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(closesNotForward).toBeGreaterThanOrEqual(1200);
  });
});

describe('drainWatch', () => {
  it('reports remaining records and completes only when every group passed the fence', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const fence = new Map([[0, 10]]);
      const src = cold('abcd|', {
        a: sample(1, { 0: 12 }, { g1: { 0: 4 } }),
        b: sample(2, { 0: 12 }, { g1: { 0: 10 }, g2: { 0: 9 } }),
        c: sample(3, { 0: 12 }, { g1: { 0: 11 }, g2: { 0: 10 } }),
        d: sample(4, { 0: 12 }, { g1: { 0: 12 }, g2: { 0: 12 } }),
      });
      expectObservable(src.pipe(drainWatch('t', fence, ['g1', 'g2']))).toBe('ab(c|)', {
        a: { at: 1, remaining: 16, byGroup: { g1: 6, g2: 10 }, done: false },
        b: { at: 2, remaining: 1, byGroup: { g1: 0, g2: 1 }, done: false },
        c: { at: 3, remaining: 0, byGroup: { g1: 0, g2: 0 }, done: true },
      });
    });
  });
});
