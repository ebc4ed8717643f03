import { ErrorCode, TenantBalancerError } from '../../../domain/errors.js';

/**
 * The ports between the SmartProducer and a Kafka client. No client types here: kafkajs sits
 * behind kafkajs-transport.ts today, and another client (e.g. @platformatic/kafka) can take its
 * place by implementing these two interfaces.
 */

/** One record with its partition already decided (the SmartProducer decides at send() time). */
export interface OutgoingRecord {
  readonly partition: number;
  readonly key: string | Buffer | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string | Buffer>>;
}

export interface OutgoingBatch {
  readonly topic: string;
  readonly records: readonly OutgoingRecord[];
}

/**
 * How a failed send may be treated: `retriable`, nothing was written and sending again is safe;
 * `fatal`, the broker refused it and sending it again will not help; `outcome-unknown`, the
 * request may have been written (its answer was lost), so sending again may duplicate it.
 */
export type SendOutcome = 'retriable' | 'fatal' | 'outcome-unknown';

/** A record the transport could not get acknowledged (KTB_SEND_FAILED), classified. */
export class TransportError extends TenantBalancerError {
  constructor(
    readonly outcome: SendOutcome,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.SendFailed, message, options);
  }
}

/** The outcome of one record of a batch, by its index in `OutgoingBatch.records`. */
export type RecordResult =
  | { readonly index: number; readonly offset: string }
  | { readonly index: number; readonly error: TransportError };

export interface TransportStats {
  /** records sent again within one batch because the client returned no answer for them */
  readonly resentRecords: number;
  /** times the client's producer session was replaced (renew) */
  readonly renewals: number;
}

/** The data path: batches with explicit partitions and headers, per-record results. */
export interface ProducerTransport {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** The topic's partition count from fresh metadata; rejects with KTB_TOPIC_MISSING when it has none. */
  partitionCount(topic: string): Promise<number>;
  /**
   * Sends one batch. `settle` receives every record's result exactly once, possibly over several
   * calls (a transport that sends part of a batch again settles the rest first, so their
   * acknowledgements are not held back); the promise resolves after the last call and never
   * rejects. Offsets are decimal strings, '-1' when the broker returns none (acks=0).
   */
  send(batch: OutgoingBatch, settle: (results: readonly RecordResult[]) => void): Promise<void>;
  /** Resolves once every send started so far has settled. */
  flush(): Promise<void>;
  /** Replaces the client's producer session (a new producer id restarts idempotent sequences). */
  renew(): Promise<void>;
  stats(): TransportStats;
}

/** The signal path (drain acks, traffic reports): small JSON records, keyed, acks=all. */
export interface SignalTransport {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  publish(topic: string, key: string, value: string | Buffer): Promise<void>;
}
