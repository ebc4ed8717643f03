import { Accumulator, type Batch } from '../../../domain/accumulator.js';
import type { Completion } from './completion.js';
import type { SmartProducerOptions } from './options.js';
import type { PendingRecord } from './pending-record.js';
import type { ReleasePipeline } from './drain-participant.js';
import type { OutgoingRecord, ProducerTransport, RecordResult } from './transport.js';

export interface BatchSenderDeps {
  readonly options: Pick<SmartProducerOptions, 'batchBytes' | 'lingerMs' | 'maxInFlight'>;
  readonly transport: ProducerTransport;
  readonly completion: Pick<Completion, 'complete' | 'releaseBatch'>;
  /** a batch settled: an in-flight slot is free (released backlogs may go on, the producer may be idle) */
  readonly onBatchDone: () => void;
  readonly now?: () => number;
}

/**
 * Batches accepted records per topic (batch.size, linger.ms) and sends them through the transport,
 * at most max.in.flight batches at a time, in order: with one in flight (the default) a tenant's
 * records cannot overtake each other under retries.
 */
export class BatchSender implements ReleasePipeline {
  private readonly accumulator: Accumulator<PendingRecord>;
  /** full or due batches waiting for an in-flight slot, oldest first */
  private readonly ready: Batch<PendingRecord>[] = [];
  private inFlight = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: BatchSenderDeps) {
    this.now = deps.now ?? Date.now;
    this.accumulator = new Accumulator(deps.options.batchBytes, deps.options.lingerMs);
  }

  get hasWaitingBatch(): boolean {
    return this.ready.length > 0;
  }

  get hasRoom(): boolean {
    return this.inFlight < this.deps.options.maxInFlight;
  }

  get inFlightBatches(): number {
    return this.inFlight;
  }

  /** records in open batches (not yet due) */
  get openRecords(): number {
    return this.accumulator.size;
  }

  /** nothing open, waiting or in flight */
  get isIdle(): boolean {
    return this.inFlight === 0 && this.ready.length === 0 && this.accumulator.size === 0;
  }

  add(p: PendingRecord): void {
    const full = this.accumulator.add(p.topic, p, p.bytes, p.enqueuedAt);
    if (full) this.dispatch(full);
    else this.armLinger();
  }

  sendOpenBatches(): void {
    for (const b of this.accumulator.due(this.now(), true)) this.dispatch(b);
  }

  close(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }

  private armLinger(): void {
    if (this.lingerTimer !== undefined) return;
    const at = this.accumulator.nextDueAt();
    if (at === undefined) return;
    this.lingerTimer = setTimeout(
      () => {
        this.lingerTimer = undefined;
        for (const b of this.accumulator.due(this.now())) this.dispatch(b);
        this.armLinger();
      },
      Math.max(0, at - this.now()),
    );
  }

  private dispatch(batch: Batch<PendingRecord>): void {
    this.ready.push(batch);
    this.drainReady();
  }

  private drainReady(): void {
    while (this.inFlight < this.deps.options.maxInFlight && this.ready.length > 0) {
      const batch = this.ready.shift()!;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.drainReady();
        this.deps.onBatchDone();
      });
    }
  }

  private send(batch: Batch<PendingRecord>): Promise<void> {
    const pending = batch.records;
    // Every record has its partition decided at admit time (RouteStep), so one object shape.
    const records = new Array<OutgoingRecord>(pending.length);
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      records[i] = {
        partition: p.routedPartition!,
        key: p.key,
        value: p.value as Buffer,
        headers: p.headers,
      };
    }
    return this.deps.transport.send({ topic: batch.topic, records }, (results) =>
      this.settle(batch.topic, pending, results),
    );
  }

  private settle(topic: string, pending: readonly PendingRecord[], results: readonly RecordResult[]): void {
    const { completion } = this.deps;
    completion.releaseBatch(results.map((r) => pending[r.index]!));
    for (const r of results) {
      const p = pending[r.index]!;
      if ('error' in r) completion.complete(p, r.error);
      else
        completion.complete(p, null, {
          topic,
          partition: p.routedPartition!,
          offset: r.offset,
          routeEpoch: p.routeEpoch,
        });
    }
  }
}
