import type { TenantBalancerError } from '../../../domain/errors.js';

/** What the application hands to send(). */
export interface SmartRecord<V> {
  readonly topic: string;
  readonly tenant?: string;
  readonly key?: string | Buffer | null;
  /** Picks the shard of a sharded tenant (e.g. user id); order is kept per secondary key. */
  readonly secondaryKey?: string;
  readonly value: V;
  readonly headers?: Record<string, string | Buffer>;
  readonly partition?: number;
}

export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The route epoch the record was routed with (0 = default hashing). */
  readonly routeEpoch: number;
}

export type SendCallback = (err: Error | null, metadata?: RecordMetadata) => void;

export interface FailedRecord {
  readonly topic: string;
  readonly tenant: string | undefined;
  readonly error: TenantBalancerError;
}

export interface DisconnectReport {
  readonly sent: number;
  readonly failed: FailedRecord[];
}

export interface SmartProducerStats {
  readonly accepted: number;
  readonly sent: number;
  readonly failed: number;
  readonly bufferedBytes: number;
  readonly bufferCapacity: number;
  readonly held: number;
  /** records a settled drain released that wait for their turn to be sent (see releaseBacklogs) */
  readonly releasing: number;
  readonly inFlightBatches: number;
  readonly viewAgeMs: number;
  readonly malformedRouteRecords: number;
  /** producer-side hold per migration: draining seen -> settled route seen (ms, last 1000) */
  readonly holdEpisodesMs: number[];
  /** records sent again because kafkajs resolved a batch without a result for their partition */
  readonly resentRecords: number;
  /** times the idempotent kafkajs producer was replaced after a batch failed for good */
  readonly producerRenewals: number;
  /** records routed to a partition the topic's metadata does not have yet, waiting for it (bounded) */
  readonly awaitingPartition: number;
  /** traffic reports (intervals) not published: over 64 records under maxReportBytes, or the send failed (logged at error) */
  readonly trafficReportsUnpublished: number;
  /** records the last published traffic report took (more than 1 when split under maxReportBytes) */
  readonly trafficReportParts: number;
}
