import { z } from 'zod';
import { ErrorCode, TenantBalancerError } from './errors.js';
import { WIRE_VERSION, type WireResult } from './wire-records.js';

/**
 * A gate announcement (docs/protocol.md): a member of a consumer group says it consumes these topics
 * through the ordered consumer, so moves need not wait for its group. Keyed `gate/<group>/<member>` on
 * the acks topic (delete cleanup, 24 h retention: members re-announce every few seconds). Untrusted like every signal:
 * the controller counts a group as gated only when every member the broker lists for it announced.
 */
export const MAX_GATE_RECORD_BYTES = 64 * 1024;

const gateSchema = z.object({
  v: z.literal(WIRE_VERSION),
  kind: z.literal('gate'),
  group: z.string().min(1).max(255),
  memberId: z.string().min(1).max(512),
  topics: z
    .array(z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/))
    .min(1)
    .max(1000),
  /** the routing-topic offset up to which the member's route view is applied */
  routesApplied: z.number().int().min(0).optional(),
  at: z.number().int().min(0),
});

export type GateAnnouncement = z.infer<typeof gateSchema>;

export const gateKey = (group: string, memberId: string): string => `gate/${group}/${memberId}`;

const KIND = /"kind"\s*:\s*"([a-z-]{1,20})"/;

/**
 * The kind of a signal record on the acks topic, read without a full decode ('drain-ack' or 'gate'):
 * from its first 512 bytes (where our writers put it), else from the whole value, so a writer in
 * another language may order the fields as it likes.
 */
export function signalKind(value: Buffer | null): string | undefined {
  if (value === null || value.length > MAX_GATE_RECORD_BYTES * 16) return undefined;
  const m =
    KIND.exec(value.toString('utf8', 0, Math.min(value.length, 512))) ??
    (value.length > 512 ? KIND.exec(value.toString('utf8')) : null);
  return m?.[1];
}

export function decodeGateAnnouncement(value: Buffer | null): WireResult<GateAnnouncement> {
  const bad = (msg: string): WireResult<GateAnnouncement> => ({
    ok: false,
    error: new TenantBalancerError(ErrorCode.ReportMalformed, `gate announcement: ${msg}`),
  });
  if (value === null) return bad('empty value');
  if (value.length > MAX_GATE_RECORD_BYTES)
    return bad(`${value.length} bytes exceeds ${MAX_GATE_RECORD_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return bad('not JSON');
  }
  const r = gateSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    return bad(`${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, value: r.data };
}
