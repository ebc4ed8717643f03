import { z } from 'zod';
import { ErrorCode, TenantBalancerError } from './errors.js';
import { decodeTrafficReportPart, isReportV2 } from './traffic-report-decode.js';
import { REPORT_V2, type TrafficReportPart } from './traffic-report-v2.js';

/**
 * Small records the producers publish: traffic reports (per-tenant counters + heartbeat) and drain
 * acks. Like route records they are versioned, size-capped and decoded without throwing. Traffic
 * reports v1 are JSON naming every tenant; v2 (binary, summarized, possibly in parts: see
 * traffic-report-v2.ts) is what producers publish now. Both decode to one TrafficReport, so a
 * fleet mid-upgrade keeps working.
 */
export const WIRE_VERSION = 1;
export const MAX_WIRE_RECORD_BYTES = 1024 * 1024;

const tenantCount = z.object({
  topic: z.string().min(1).max(249),
  tenant: z.string().min(1).max(256),
  records: z.number().int().min(0),
  bytes: z.number().int().min(0),
});

const trafficV1Schema = z.object({
  v: z.literal(WIRE_VERSION),
  kind: z.literal('traffic'),
  producerId: z.string().min(1).max(256),
  /** Monotonic per producer: the merge counts each (producer, seq) once. */
  seq: z.number().int().min(0),
  intervalStart: z.number().int().min(0),
  intervalEnd: z.number().int().min(0),
  /**
   * The routing-topic offset up to which the producer has applied routes. Tells the controller
   * whether a producer that has not acked a drain yet has seen it (then it must be waited for) or
   * not (then its lease runs out and it blocks itself). Offsets, not clocks: no skew between hosts.
   */
  routesApplied: z.number().int().min(0).optional(),
  tenants: z.array(tenantCount).max(1_000_000),
});

const ackSchema = z.object({
  v: z.literal(WIRE_VERSION),
  kind: z.literal('drain-ack'),
  producerId: z.string().min(1).max(256),
  topic: z.string().min(1).max(249),
  tenant: z.string().min(1).max(256),
  epoch: z.number().int().min(0),
  at: z.number().int().min(0),
});

/** One tenant's traffic in one report (or report part). */
export interface TenantTraffic {
  readonly topic: string;
  readonly tenant: string;
  readonly records: number;
  readonly bytes: number;
  /** v2 heavy hitters: `records` is a lower bound, at most this many records below the truth */
  readonly error?: number | undefined;
}

/** A traffic report as the controller uses it, whatever its wire version. */
export interface TrafficReport {
  readonly v: 1 | 2;
  readonly kind: 'traffic';
  readonly producerId: string;
  readonly seq: number;
  /** v2: this record's part of the interval's report (0-based) and how many parts it has */
  readonly part?: number | undefined;
  readonly parts?: number | undefined;
  readonly intervalStart: number;
  readonly intervalEnd: number;
  readonly routesApplied?: number | undefined;
  readonly tenants: readonly TenantTraffic[];
}
export type DrainAck = z.infer<typeof ackSchema>;
export type WireResult<T> = { ok: true; value: T } | { ok: false; error: TenantBalancerError };

function decode<T>(schema: z.ZodType<T>, what: string, value: Buffer | null): WireResult<T> {
  const bad = (code: TenantBalancerError['code'], msg: string): WireResult<T> => ({
    ok: false,
    error: new TenantBalancerError(code, `${what}: ${msg}`),
  });
  if (value === null) return bad(ErrorCode.ReportMalformed, 'empty value');
  if (value.length > MAX_WIRE_RECORD_BYTES)
    return bad(ErrorCode.ReportMalformed, `${value.length} bytes exceeds ${MAX_WIRE_RECORD_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return bad(ErrorCode.ReportMalformed, 'not JSON');
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return bad(
      ErrorCode.ReportMalformed,
      `${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'invalid'}`,
    );
  }
  return { ok: true, value: r.data };
}

/** A v1 JSON report or a v2 binary part, as one TrafficReport (a v2 part's tenants flattened). */
export function decodeTrafficReport(value: Buffer | null): WireResult<TrafficReport> {
  if (value === null || !isReportV2(value)) return decode(trafficV1Schema, 'traffic report', value);
  if (value.length > MAX_WIRE_RECORD_BYTES)
    return {
      ok: false,
      error: new TenantBalancerError(
        ErrorCode.ReportMalformed,
        `traffic report: ${value.length} bytes exceeds ${MAX_WIRE_RECORD_BYTES}`,
      ),
    };
  const r = decodeTrafficReportPart(value);
  if (!r.ok)
    return {
      ok: false,
      error: new TenantBalancerError(ErrorCode.ReportMalformed, `traffic report: ${r.error.message}`),
    };
  return { ok: true, value: flattenPart(r.value) };
}

function flattenPart(p: TrafficReportPart): TrafficReport {
  const tenants: TenantTraffic[] = [];
  for (const t of p.topics) {
    for (const e of t.exact)
      tenants.push({ topic: t.topic, tenant: e.tenant, records: e.records, bytes: e.bytes, error: 0 });
    for (const q of t.partitions)
      for (const e of q.named)
        tenants.push({
          topic: t.topic,
          tenant: e.tenant,
          records: e.records,
          bytes: e.bytes,
          error: q.errorBound,
        });
  }
  return {
    v: REPORT_V2,
    kind: 'traffic',
    producerId: p.producerId,
    seq: p.seq,
    part: p.part,
    parts: p.parts,
    intervalStart: p.intervalStart,
    intervalEnd: p.intervalEnd,
    routesApplied: p.routesApplied,
    tenants,
  };
}
export const decodeDrainAck = (value: Buffer | null): WireResult<DrainAck> =>
  decode(ackSchema, 'drain ack', value);

/** A traffic report as the controller received it (its arrival time places it in a window). */
export interface ReceivedReport {
  readonly report: TrafficReport;
  readonly at: number;
}
