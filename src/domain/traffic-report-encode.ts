import { ByteWriter, strSize, uvarintSize } from './binary-layout.js';
import { ErrorCode, TenantBalancerError } from './errors.js';
import {
  MAX_REPORT_PARTS,
  REPORT_V2,
  type PartitionSummary,
  type TenantCount,
  type TrafficReportV2,
} from './traffic-report-v2.js';

/** First bytes of a v2 record: "KTR" and the version. A JSON (v1) record starts with '{'. */
export const REPORT_V2_MAGIC = Buffer.from([0x4b, 0x54, 0x52, REPORT_V2]);

interface PlannedPartition extends Omit<PartitionSummary, 'named'> {
  readonly named: TenantCount[];
}
interface PlannedTopic {
  readonly topic: string;
  readonly exact: TenantCount[];
  readonly partitions: PlannedPartition[];
}
interface PlannedPart {
  readonly topics: PlannedTopic[];
  size: number;
}

const entrySize = (e: TenantCount): number =>
  strSize(e.tenant) + uvarintSize(e.records) + uvarintSize(e.bytes);
const partitionHeadSize = (p: Omit<PartitionSummary, 'named'>): number =>
  uvarintSize(p.partition) + uvarintSize(p.records) + uvarintSize(p.bytes) + uvarintSize(p.errorBound) + 4;

const headerSize = (r: TrafficReportV2): number =>
  REPORT_V2_MAGIC.length +
  strSize(r.producerId) +
  uvarintSize(r.seq) +
  2 + // part and parts: one byte each (MAX_REPORT_PARTS < 128)
  uvarintSize(r.intervalStart) +
  uvarintSize(r.intervalEnd) +
  uvarintSize(r.routesApplied === undefined ? 0 : r.routesApplied + 1) +
  8 + // fraction
  4; // topic count

/**
 * Encodes a report in as few records as fit `budgetBytes` each, splitting between entries (a
 * tenant is never cut in two). Throws KTB_TRAFFIC_REPORT_TOO_LARGE when it needs more than
 * MAX_REPORT_PARTS records: the caller counts and logs it (a report is never dropped silently).
 */
export function encodeTrafficReport(r: TrafficReportV2, budgetBytes: number): Buffer[] {
  const head = headerSize(r);
  const parts: PlannedPart[] = [];
  let cur: PlannedPart = { topics: [], size: head };
  let topic: PlannedTopic | undefined;
  let partition: PlannedPartition | undefined;
  const flush = () => {
    parts.push(cur);
    cur = { topics: [], size: head };
    topic = undefined;
    partition = undefined;
  };
  /** room for `bytes` more in this part (opening what must be reopened); a new part if not */
  const room = (bytes: number, reopen: () => number) => {
    let need = bytes + reopen();
    if (cur.size + need > budgetBytes && cur.topics.length > 0) {
      flush();
      need = bytes + reopen();
    }
    if (cur.size + need > budgetBytes)
      throw tooLarge(r, `one entry needs ${cur.size + need} bytes, over the budget of ${budgetBytes}`);
  };
  for (const t of r.topics) {
    const topicHead = strSize(t.topic) + 8;
    const openTopic = () => (topic === undefined ? topicHead : 0);
    const ensureTopic = () => {
      if (topic !== undefined) return;
      topic = { topic: t.topic, exact: [], partitions: [] };
      cur.topics.push(topic);
      cur.size += topicHead;
    };
    topic = undefined;
    partition = undefined;
    for (const e of t.exact) {
      const size = entrySize(e);
      room(size, openTopic);
      ensureTopic();
      topic!.exact.push(e);
      cur.size += size;
    }
    for (const p of t.partitions) {
      partition = undefined;
      let first = true;
      const pHead = (totals: boolean) => partitionHeadSize(totals ? p : { ...p, records: 0, bytes: 0 });
      const openPartition = () => openTopic() + (partition === undefined ? pHead(first) : 0);
      const ensurePartition = () => {
        ensureTopic();
        if (partition !== undefined) return;
        partition = first
          ? { ...p, named: [] }
          : { partition: p.partition, records: 0, bytes: 0, errorBound: p.errorBound, named: [] };
        topic!.partitions.push(partition);
        cur.size += pHead(first);
        first = false;
      };
      room(0, openPartition);
      ensurePartition();
      for (const e of p.named) {
        const size = entrySize(e);
        room(size, openPartition);
        ensurePartition();
        partition!.named.push(e);
        cur.size += size;
      }
    }
  }
  parts.push(cur);
  if (parts.length > MAX_REPORT_PARTS)
    throw tooLarge(r, `it needs ${parts.length} records of at most ${budgetBytes} bytes`);
  return parts.map((p, i) => write(r, p, i, parts.length));
}

function tooLarge(r: TrafficReportV2, why: string): TenantBalancerError {
  return new TenantBalancerError(
    ErrorCode.TrafficReportTooLarge,
    `traffic report ${r.seq} of producer ${r.producerId} not published: ${why} (max ${MAX_REPORT_PARTS} parts); raise maxReportBytes (and the traffic topic's max.message.bytes) or heavyHitterFraction`,
  );
}

function write(r: TrafficReportV2, p: PlannedPart, part: number, parts: number): Buffer {
  const w = new ByteWriter(Buffer.allocUnsafe(p.size));
  for (const b of REPORT_V2_MAGIC) w.u8(b);
  w.str(r.producerId);
  w.uv(r.seq);
  w.u8(part);
  w.u8(parts);
  w.uv(r.intervalStart);
  w.uv(r.intervalEnd);
  w.uv(r.routesApplied === undefined ? 0 : r.routesApplied + 1);
  w.f64(r.fraction);
  w.u32(p.topics.length);
  const entries = (es: readonly TenantCount[]) => {
    w.u32(es.length);
    for (const e of es) {
      w.str(e.tenant);
      w.uv(e.records);
      w.uv(e.bytes);
    }
  };
  for (const t of p.topics) {
    w.str(t.topic);
    entries(t.exact);
    w.u32(t.partitions.length);
    for (const q of t.partitions) {
      w.uv(q.partition);
      w.uv(q.records);
      w.uv(q.bytes);
      w.uv(q.errorBound);
      entries(q.named);
    }
  }
  return w.buf.subarray(0, w.written);
}
