import { ByteReader } from './binary-layout.js';
import { TenantBalancerError } from './errors.js';
import { REPORT_V2_MAGIC } from './traffic-report-encode.js';
import {
  MAX_REPORT_PARTS,
  type PartitionSummary,
  type TenantCount,
  type TopicSummary,
  type TrafficReportPart,
} from './traffic-report-v2.js';

export const isReportV2 = (value: Buffer): boolean =>
  value.length >= REPORT_V2_MAGIC.length && value.subarray(0, REPORT_V2_MAGIC.length).equals(REPORT_V2_MAGIC);

/** the smallest encoded entry / partition / topic: bounds every count by the bytes that are left */
const MIN_ENTRY = 3;
const MIN_PARTITION = 8;
const MIN_TOPIC = 10;
const MAX_PARTITION = 1_000_000;

/**
 * Decodes one v2 record (untrusted bytes): every length, count and number is range-checked; the
 * plausibility of the counts themselves is the controller's job (capped at partition growth).
 */
export function decodeTrafficReportPart(
  value: Buffer,
): { ok: true; value: TrafficReportPart } | { ok: false; error: TenantBalancerError } {
  const r = new ByteReader(value);
  try {
    if (!isReportV2(value)) r.fail('not a v2 traffic report (magic)');
    for (let i = 0; i < REPORT_V2_MAGIC.length; i++) r.u8();
    const producerId = r.str('producerId', 256);
    const seq = r.uv('seq');
    const part = r.u8();
    const parts = r.u8();
    if (parts < 1 || parts > MAX_REPORT_PARTS || part >= parts)
      r.fail(`part ${part} of ${parts} (at most ${MAX_REPORT_PARTS} parts)`);
    const intervalStart = r.uv('intervalStart');
    const intervalEnd = r.uv('intervalEnd');
    if (intervalEnd < intervalStart)
      r.fail(`intervalEnd ${intervalEnd} before intervalStart ${intervalStart}`);
    const applied = r.uv('routesApplied');
    const fraction = r.f64();
    if (!(fraction > 0 && fraction <= 1)) r.fail(`fraction ${fraction} not in (0, 1]`);
    const entries = (): TenantCount[] => {
      const n = r.count('entry', MIN_ENTRY);
      const out: TenantCount[] = new Array<TenantCount>(n);
      for (let i = 0; i < n; i++)
        out[i] = { tenant: r.str('tenant', 256), records: r.uv('records'), bytes: r.uv('bytes') };
      return out;
    };
    const topics: TopicSummary[] = [];
    const nTopics = r.count('topic', MIN_TOPIC);
    for (let i = 0; i < nTopics; i++) {
      const topic = r.str('topic', 249);
      const exact = entries();
      const partitions: PartitionSummary[] = [];
      const nPartitions = r.count('partition', MIN_PARTITION);
      for (let j = 0; j < nPartitions; j++) {
        const partition = r.uv('partition');
        if (partition >= MAX_PARTITION) r.fail(`partition ${partition} >= ${MAX_PARTITION}`);
        const records = r.uv('records');
        const bytes = r.uv('bytes');
        const errorBound = r.uv('errorBound');
        const named = entries();
        // Honest parts: a partition's named counts never exceed its records (where it carries them).
        if (records > 0) {
          let sum = 0;
          for (const e of named) sum += e.records;
          if (sum > records) r.fail(`partition ${partition} names ${sum} records of its ${records}`);
        }
        partitions.push({ partition, records, bytes, errorBound, named });
      }
      topics.push({ topic, exact, partitions });
    }
    if (r.remaining !== 0) r.fail(`${r.remaining} trailing bytes`);
    return {
      ok: true,
      value: {
        producerId,
        seq,
        part,
        parts,
        intervalStart,
        intervalEnd,
        ...(applied > 0 ? { routesApplied: applied - 1 } : {}),
        fraction,
        topics,
      },
    };
  } catch (e) {
    if (e instanceof TenantBalancerError) return { ok: false, error: e };
    throw e;
  }
}
