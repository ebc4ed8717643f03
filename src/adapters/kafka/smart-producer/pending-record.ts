import type { TenantBalancerError } from '../../../domain/errors.js';
import type { RecordMetadata } from './types.js';

/**
 * One record on its way from send() to the broker. Each collaborator fills in its part: the intake
 * (value, bytes, reserved), the route step (routedPartition, routeEpoch, countedInGate), the
 * completion (done). Mutable on purpose: one object per record, no copies on the hot path.
 */
export interface PendingRecord {
  readonly topic: string;
  readonly tenant: string | undefined;
  /** `topic/tenant` (routeKey) of a record with a tenant: the drain gate's key */
  readonly gateKey: string | undefined;
  readonly key: string | Buffer | null;
  readonly secondaryKey: string | undefined;
  /** a promise while an async serializer runs */
  value: Buffer | Promise<Buffer>;
  readonly headers: Record<string, string | Buffer>;
  /** the partition the application named, if any */
  readonly partition: number | undefined;
  readonly enqueuedAt: number;
  /** buffer.memory accounting; 0 until the value is serialized */
  bytes: number;
  reserved: boolean;
  /** counted in the drain gate as accepted before a drain (its completion may let the ack go) */
  countedInGate: boolean;
  routedPartition: number | undefined;
  routeEpoch: number;
  readonly done: (err: TenantBalancerError | null, md?: RecordMetadata) => void;
}
