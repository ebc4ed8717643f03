import { ErrorCode, TenantBalancerError } from './errors.js';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type TenantId = Brand<string, 'TenantId'>;
export type TopicName = Brand<string, 'TopicName'>;
export type PartitionId = Brand<number, 'PartitionId'>;

export const MAX_TENANT_ID_BYTES = 256;
const TOPIC_RE = /^[a-zA-Z0-9._-]{1,249}$/;

/** Validates at the edge: an empty or oversize tenant id would poison route keys and headers. */
export function tenantId(raw: string): TenantId {
  if (raw.length === 0)
    throw new TenantBalancerError(ErrorCode.TenantInvalid, 'tenant id is empty; pass a non-empty tenant id.');
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short ids need no byte count (the send hot path).
  if (raw.length * 3 > MAX_TENANT_ID_BYTES && Buffer.byteLength(raw, 'utf8') > MAX_TENANT_ID_BYTES) {
    throw new TenantBalancerError(
      ErrorCode.TenantInvalid,
      `tenant id "${raw.slice(0, 32)}..." is ${Buffer.byteLength(raw, 'utf8')} bytes; the limit is ${MAX_TENANT_ID_BYTES} UTF-8 bytes.`,
    );
  }
  return raw as TenantId;
}

export function topicName(raw: string): TopicName {
  if (!TOPIC_RE.test(raw)) {
    throw new TenantBalancerError(
      ErrorCode.ConfigInvalid,
      `topic "${raw}" is not a legal Kafka topic name (1-249 chars of a-z A-Z 0-9 . _ -).`,
    );
  }
  return raw as TopicName;
}

export const partitionId = (n: number): PartitionId => {
  if (!Number.isInteger(n) || n < 0)
    throw new TenantBalancerError(ErrorCode.ConfigInvalid, `partition ${n} must be an integer >= 0.`);
  return n as PartitionId;
};
