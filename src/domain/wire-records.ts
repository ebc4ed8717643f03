import { z } from 'zod';
import { ErrorCode, TenantBalancerError } from './errors.js';

/**
 * Small JSON records the producers publish: traffic reports (per-tenant counters + heartbeat) and
 * drain acks. Like route records they are versioned, size-capped and decoded without throwing.
 */
export const WIRE_VERSION = 1;
export const MAX_WIRE_RECORD_BYTES = 1024 * 1024;

const tenantCount = z.object({
  topic: z.string().min(1).max(249),
  tenant: z.string().min(1).max(256),
  records: z.number().int().min(0),
  bytes: z.number().int().min(0),
});

const trafficSchema = z.object({
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

export type TrafficReport = z.infer<typeof trafficSchema>;
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

export const decodeTrafficReport = (value: Buffer | null): WireResult<TrafficReport> =>
  decode(trafficSchema, 'traffic report', value);
export const decodeDrainAck = (value: Buffer | null): WireResult<DrainAck> =>
  decode(ackSchema, 'drain ack', value);

/** A traffic report as the controller received it (its arrival time places it in a window). */
export interface ReceivedReport {
  readonly report: TrafficReport;
  readonly at: number;
}
