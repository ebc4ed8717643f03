import { z } from 'zod';
import { ErrorCode, TenantBalancerError } from './errors.js';
import type { TenantId, TopicName } from './ids.js';
import { MAX_TENANT_ID_BYTES } from './ids.js';

/** Versioned JSON records of the compacted routing topic. Key `topic/tenant` for routes, `topic` for pools. */
export const ROUTE_RECORD_VERSION = 1;
export const MAX_ROUTE_RECORD_BYTES = 64 * 1024;
/**
 * Epochs are Kafka-sized (int32). A bound read at decode time means no record can push a tenant's
 * epoch or a writer epoch to a value whose successor this build cannot represent or read back.
 */
export const MAX_EPOCH = 2 ** 31 - 1;

export const routeStates = ['shared', 'isolating', 'draining', 'dedicated', 'sharded'] as const;
export type RouteState = (typeof routeStates)[number];
export type Ordering = 'strict' | 'relaxed';

const partitionList = z
  .array(z.number().int().min(0).max(1_000_000))
  .max(10_000)
  .refine((ps) => new Set(ps).size === ps.length, 'lists a partition twice');
const epochField = z.number().int().min(0).max(MAX_EPOCH);
/** Fences kept in a route record (docs/protocol.md, "Fences"); older ones are dropped. */
export const MAX_FENCES = 32;
const fenceSchema = z.object({
  /** the epoch whose records wait for this fence (the move that took it raised the tenant to it) */
  epoch: epochField,
  /** per old partition: the log-end offset when the fence was taken (Kafka's next-offset sense) */
  offsets: z
    .record(
      z.string().regex(/^(0|[1-9]\d{0,6})$/, 'a partition number'),
      z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    )
    .refine(
      (o) => Object.keys(o).length >= 1 && Object.keys(o).length <= 10_000,
      'names 1..10000 partitions',
    ),
});
const common = {
  v: z.literal(ROUTE_RECORD_VERSION),
  topic: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/),
  updatedAt: z.number().int().min(0),
  writerEpoch: epochField,
};

const routeSchema = z.object({
  ...common,
  kind: z.literal('route'),
  tenant: z
    .string()
    .min(1)
    .refine((t) => Buffer.byteLength(t, 'utf8') <= MAX_TENANT_ID_BYTES, 'tenant id too long'),
  state: z.enum(routeStates),
  /** Where records go now; empty means "hash over the shared pool". While draining: the target. */
  partitions: partitionList,
  /** While draining: the partitions being left (the fence is taken on them). */
  from: partitionList.optional(),
  epoch: epochField,
  ordering: z.enum(['strict', 'relaxed']),
  reason: z.string().max(1024),
  /**
   * The tenant's fence history, oldest first (consumer-gated moves): a record of epoch E is processed
   * by an ordered consumer only once its group has committed past every fence with epoch <= E.
   */
  fences: z
    .array(fenceSchema)
    .max(MAX_FENCES)
    .refine((fs) => fs.every((f, i) => i === 0 || f.epoch > fs[i - 1]!.epoch), 'epochs must increase')
    .optional(),
  /** The controller's machine snapshot, so a restarted controller resumes mid-drain. */
  machine: z.unknown().optional(),
});

const poolsSchema = z
  .object({
    ...common,
    kind: z.literal('pools'),
    shared: z.number().int().min(1),
    total: z.number().int().min(1),
  })
  .refine((p) => p.total >= p.shared, 'total must be >= shared');

/** One move's fence: where every record of the epochs before `epoch` ends on the partitions it left. */
export interface Fence {
  readonly epoch: number;
  readonly offsets: Readonly<Record<string, number>>;
}

export interface TenantRoute {
  readonly v: typeof ROUTE_RECORD_VERSION;
  readonly kind: 'route';
  readonly topic: TopicName;
  readonly tenant: TenantId;
  readonly state: RouteState;
  readonly partitions: readonly number[];
  readonly from?: readonly number[];
  readonly epoch: number;
  readonly ordering: Ordering;
  readonly reason: string;
  readonly updatedAt: number;
  readonly writerEpoch: number;
  /** fence history, oldest first (at most MAX_FENCES) */
  readonly fences?: readonly Fence[];
  readonly machine?: unknown;
}

export interface PoolLayout {
  readonly v: typeof ROUTE_RECORD_VERSION;
  readonly kind: 'pools';
  readonly topic: TopicName;
  /** Partitions 0..shared-1 are the shared pool; shared..total-1 the dedicated pool. */
  readonly shared: number;
  readonly total: number;
  readonly updatedAt: number;
  readonly writerEpoch: number;
}

export interface RouteTombstone {
  readonly kind: 'tombstone';
  readonly topic: TopicName;
  readonly tenant: TenantId;
}

export type RoutingEntry = TenantRoute | PoolLayout | RouteTombstone;
export type DecodeResult = { ok: true; entry: RoutingEntry } | { ok: false; error: TenantBalancerError };

export const routeKey = (topic: string, tenant: string): string => `${topic}/${tenant}`;

/** The stable state a committed route describes: no partitions = shared, one = dedicated, more = sharded. */
export const stateOfRoute = (partitions: readonly number[]): 'shared' | 'dedicated' | 'sharded' =>
  partitions.length === 0 ? 'shared' : partitions.length === 1 ? 'dedicated' : 'sharded';

/**
 * The topic and tenant of a route key (`routeKey`'s inverse): the topic ends at the first `/` (a Kafka
 * topic name has none), the tenant is the rest. undefined when either part would be empty.
 */
export const parseRouteKey = (key: string): { topic: string; tenant: string } | undefined => {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) return undefined;
  return { topic: key.slice(0, slash), tenant: key.slice(slash + 1) };
};

export const poolsKey = (topic: string): string => topic;

const fail = (code: TenantBalancerError['code'], msg: string): DecodeResult => ({
  ok: false,
  error: new TenantBalancerError(code, msg),
});

/** Never throws: any bytes give an entry or a coded error (the reader skips and counts the latter). */
export function decodeRoutingRecord(key: Buffer | null, value: Buffer | null): DecodeResult {
  if (key === null || key.length === 0)
    return fail(ErrorCode.RouteRecordMalformed, 'routing record without a key');
  const k = key.toString('utf8');
  if (value === null) {
    const parts = parseRouteKey(k);
    if (parts === undefined)
      return fail(
        ErrorCode.RouteRecordMalformed,
        `tombstone with key "${k.slice(0, 64)}" is not topic/tenant`,
      );
    return {
      ok: true,
      entry: { kind: 'tombstone', topic: parts.topic as TopicName, tenant: parts.tenant as TenantId },
    };
  }
  if (value.length > MAX_ROUTE_RECORD_BYTES) {
    return fail(
      ErrorCode.RouteRecordOversize,
      `record for "${k.slice(0, 64)}" is ${value.length} bytes; limit ${MAX_ROUTE_RECORD_BYTES}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return fail(ErrorCode.RouteRecordMalformed, `record for "${k.slice(0, 64)}" is not JSON`);
  }
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== ROUTE_RECORD_VERSION) {
    return fail(
      ErrorCode.RouteRecordUnknownVersion,
      `record for "${k.slice(0, 64)}" has version ${String(json.v)}; this build reads ${ROUTE_RECORD_VERSION}: upgrade the producer/controller`,
    );
  }
  const isPools = typeof json === 'object' && json !== null && 'kind' in json && json.kind === 'pools';
  const parsed = isPools ? poolsSchema.safeParse(json) : routeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      ErrorCode.RouteRecordMalformed,
      `record for "${k.slice(0, 64)}": ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'invalid'}`,
    );
  }
  const entry = parsed.data as TenantRoute | PoolLayout;
  const expectedKey = entry.kind === 'pools' ? poolsKey(entry.topic) : routeKey(entry.topic, entry.tenant);
  if (expectedKey !== k)
    return fail(
      ErrorCode.RouteRecordMalformed,
      `key "${k.slice(0, 64)}" does not match its value (expected "${expectedKey.slice(0, 64)}")`,
    );
  return { ok: true, entry };
}

export const encodeRoutingRecord = (entry: TenantRoute | PoolLayout): { key: string; value: string } => ({
  key: entry.kind === 'pools' ? poolsKey(entry.topic) : routeKey(entry.topic, entry.tenant),
  value: JSON.stringify(entry),
});
