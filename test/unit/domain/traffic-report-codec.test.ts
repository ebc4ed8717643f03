import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/domain/errors.js';
import { decodeTrafficReportPart } from '../../../src/domain/traffic-report-decode.js';
import { encodeTrafficReport } from '../../../src/domain/traffic-report-encode.js';
import { MAX_REPORT_PARTS, type TrafficReportV2 } from '../../../src/domain/traffic-report-v2.js';

const count = fc.record({
  tenant: fc.string({ minLength: 1, maxLength: 40 }),
  records: fc.nat({ max: 1_000_000 }),
  bytes: fc.nat({ max: 2 ** 40 }),
});
const report: fc.Arbitrary<TrafficReportV2> = fc
  .record(
    {
      producerId: fc.string({ minLength: 1, maxLength: 30 }),
      seq: fc.nat(),
      intervalStart: fc.nat({ max: 2 ** 42 }),
      intervalEnd: fc.constant(2 ** 43),
      routesApplied: fc.nat({ max: 2 ** 40 }),
      fraction: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
      topics: fc.array(
        fc.record({
          topic: fc.string({ minLength: 1, maxLength: 20 }),
          exact: fc.array(count, { maxLength: 30 }),
          partitions: fc.array(
            fc.record({
              partition: fc.nat({ max: 5000 }),
              errorBound: fc.nat({ max: 100 }),
              named: fc.array(count, { maxLength: 30 }),
            }),
            { maxLength: 8 },
          ),
        }),
        { maxLength: 4 },
      ),
    },
    { requiredKeys: ['producerId', 'seq', 'intervalStart', 'intervalEnd', 'fraction', 'topics'] },
  )
  .map((r) => ({
    ...r,
    topics: r.topics.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => {
        const named = p.named.reduce((a, n) => a + n.records, 0);
        return { ...p, records: named + 7, bytes: 1000 };
      }),
    })),
  }));

/** The parts summed back into one report's flat content: what the controller adds up. */
function flat(r: Pick<TrafficReportV2, 'topics'>[]) {
  const entries: string[] = [];
  const totals = new Map<string, number>();
  for (const x of r)
    for (const t of x.topics) {
      for (const e of t.exact) entries.push(`x|${t.topic}|${e.tenant}|${e.records}|${e.bytes}`);
      for (const p of t.partitions) {
        const k = `${t.topic}|${p.partition}`;
        totals.set(k, (totals.get(k) ?? 0) + p.records);
        for (const e of p.named) entries.push(`n|${k}|${p.errorBound}|${e.tenant}|${e.records}|${e.bytes}`);
      }
    }
  return { entries: entries.sort(), totals };
}

const decodeAll = (bufs: Buffer[]) =>
  bufs.map((b) => {
    const r = decodeTrafficReportPart(b);
    if (!r.ok) throw r.error;
    return r.value;
  });

describe('traffic report v2 codec', () => {
  it('round-trips one report in one part when it fits', () => {
    fc.assert(
      fc.property(report, (r) => {
        const bufs = encodeTrafficReport(r, 1_000_000);
        expect(bufs).toHaveLength(1);
        const [d] = decodeAll(bufs);
        // a topic with nothing to say takes no bytes
        const topics = r.topics.filter((t) => t.exact.length + t.partitions.length > 0);
        expect(d).toEqual({ ...r, topics, part: 0, parts: 1 });
      }),
    );
  });

  it('splits under any budget into parts that each fit and sum back to the report', () => {
    fc.assert(
      fc.property(report, fc.integer({ min: 400, max: 4000 }), (r, budget) => {
        const bufs = encodeTrafficReport(r, budget);
        for (const b of bufs) expect(b.length).toBeLessThanOrEqual(budget);
        const parts = decodeAll(bufs);
        parts.forEach((p, i) => expect(p).toMatchObject({ seq: r.seq, part: i, parts: bufs.length }));
        expect(flat(parts)).toEqual(flat([r]));
      }),
    );
  });

  it('refuses a report that needs more than MAX_REPORT_PARTS records, with a code', () => {
    const named = Array.from({ length: 20_000 }, (_, i) => ({ tenant: `tenant-${i}`, records: 1, bytes: 1 }));
    const r: TrafficReportV2 = {
      producerId: 'p',
      seq: 1,
      intervalStart: 0,
      intervalEnd: 1,
      fraction: 0.02,
      topics: [
        {
          topic: 't',
          exact: [],
          partitions: [{ partition: 0, records: 20_000, bytes: 1, errorBound: 0, named }],
        },
      ],
    };
    expect(encodeTrafficReport(r, 8192).length).toBeLessThanOrEqual(MAX_REPORT_PARTS);
    expect(() => encodeTrafficReport(r, 2048)).toThrow(
      expect.objectContaining({ code: ErrorCode.TrafficReportTooLarge }),
    );
  });
});
