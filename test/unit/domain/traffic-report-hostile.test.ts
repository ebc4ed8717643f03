import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/domain/binary-layout.js';
import { ErrorCode } from '../../../src/domain/errors.js';
import { encodeTrafficReport, REPORT_V2_MAGIC } from '../../../src/domain/traffic-report-encode.js';
import { decodeTrafficReport, MAX_WIRE_RECORD_BYTES } from '../../../src/domain/wire-records.js';

interface Forged {
  part?: number;
  parts?: number;
  start?: number;
  end?: number;
  fraction?: number;
  topicCount?: number;
  namedCount?: number;
  records?: number;
  named?: number;
  trailing?: number;
  rawRecords?: number[];
}

/** A v2 record written field by field, so a test can put any value anywhere. */
function forge(f: Forged = {}): Buffer {
  const w = new ByteWriter(Buffer.alloc(4096));
  for (const b of REPORT_V2_MAGIC) w.u8(b);
  w.str('forger');
  w.uv(1);
  w.u8(f.part ?? 0);
  w.u8(f.parts ?? 1);
  w.uv(f.start ?? 1000);
  w.uv(f.end ?? 2000);
  w.uv(0);
  w.f64(f.fraction ?? 0.02);
  w.u32(f.topicCount ?? 1);
  w.str('events');
  w.u32(0); // exact
  w.u32(1); // partitions
  w.uv(0);
  if (f.rawRecords) for (const b of f.rawRecords) w.u8(b);
  else w.uv(f.records ?? 100);
  w.uv(1000);
  w.uv(0);
  w.u32(f.namedCount ?? 1);
  w.str('whale');
  w.uv(f.named ?? 60);
  w.uv(600);
  for (let i = 0; i < (f.trailing ?? 0); i++) w.u8(0);
  return w.buf.subarray(0, w.written);
}

const refused = (b: Buffer, why: RegExp) => {
  const r = decodeTrafficReport(b);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.error.code).toBe(ErrorCode.ReportMalformed);
    expect(r.error.message).toMatch(why);
  }
};

describe('traffic report v2 from a hostile writer', () => {
  it('decodes the honest forge (so each case below fails for its own reason)', () => {
    const r = decodeTrafficReport(forge());
    expect(r.ok && r.value.tenants).toEqual([
      { topic: 'events', tenant: 'whale', records: 60, bytes: 600, error: 0 },
    ]);
  });

  it.each<[string, Forged, RegExp]>([
    ['a part index past its count', { part: 3, parts: 2 }, /part 3 of 2/],
    ['more parts than allowed', { part: 0, parts: 200 }, /part 0 of 200/],
    ['zero parts', { parts: 0 }, /part 0 of 0/],
    ['an interval that ends before it starts', { start: 5000, end: 10 }, /before intervalStart/],
    ['a NaN fraction', { fraction: Number.NaN }, /fraction/],
    ['a fraction above 1', { fraction: 3 }, /fraction/],
    ['a topic count larger than the bytes could hold', { topicCount: 2 ** 31 }, /topic count/],
    ['an entry count larger than the bytes could hold', { namedCount: 1_000_000 }, /entry count/],
    ['a tenant named with more records than its partition', { named: 500 }, /names 500 records of its 100/],
    ['a count above 2^53', { rawRecords: [255, 255, 255, 255, 255, 255, 255, 127] }, /above 2\^53/],
    [
      'a varint that never ends',
      { rawRecords: [255, 255, 255, 255, 255, 255, 255, 255, 1] },
      /longer than 8/,
    ],
    ['trailing bytes', { trailing: 3 }, /trailing/],
  ])('refuses %s', (_what, f, why) => refused(forge(f), why));

  it('refuses a record over the size cap before parsing it', () => {
    const big = Buffer.concat([forge(), Buffer.alloc(MAX_WIRE_RECORD_BYTES)]);
    refused(big, /exceeds/);
  });

  it('refuses every truncation of an honest record', () => {
    const ok = forge();
    for (let n = REPORT_V2_MAGIC.length; n < ok.length; n++) refused(ok.subarray(0, n), /./);
  });

  it('never throws on corrupted bytes, and what it accepts is in range', () => {
    const honest = encodeTrafficReport(
      {
        producerId: 'p',
        seq: 9,
        intervalStart: 0,
        intervalEnd: 100,
        fraction: 0.02,
        topics: [
          {
            topic: 'events',
            exact: [{ tenant: 'r', records: 5, bytes: 50 }],
            partitions: [
              {
                partition: 2,
                records: 90,
                bytes: 900,
                errorBound: 3,
                named: [{ tenant: 'w', records: 60, bytes: 600 }],
              },
            ],
          },
        ],
      },
      4096,
    )[0]!;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }),
        (edits) => {
          const b = Buffer.from(honest);
          for (const [at, v] of edits)
            b[REPORT_V2_MAGIC.length + (at % (b.length - REPORT_V2_MAGIC.length))] = v;
          const r = decodeTrafficReport(b);
          if (r.ok)
            for (const t of r.value.tenants) {
              expect(Number.isSafeInteger(t.records) && t.records >= 0).toBe(true);
              expect(Number.isSafeInteger(t.bytes) && t.bytes >= 0).toBe(true);
            }
        },
      ),
    );
  });
});
