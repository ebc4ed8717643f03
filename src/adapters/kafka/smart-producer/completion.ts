import type { TenantBalancerError } from '../../../domain/errors.js';
import type { BufferPool } from './buffer-pool.js';
import { toTenantBalancerError } from './errors.js';
import type { PendingRecord } from './pending-record.js';
import type { RecordMetadata } from './types.js';

/**
 * Where every record ends, sent or failed: gives its buffer.memory back, tells the drain gate a
 * pre-drain record is done (its ack may be due), counts it and calls the application back.
 */
export class Completion {
  readonly counters = { accepted: 0, sent: 0, failed: 0 };

  constructor(
    private readonly pool: BufferPool,
    /** a record counted in its tenant's drain gate completed */
    private readonly onGateRecordDone: (gateKey: string) => void,
  ) {}

  /** A record refused before it entered the pipeline (not connected, invalid tenant, serializer threw). */
  refuse(done: PendingRecord['done'], e: unknown): void {
    this.counters.failed++;
    done(toTenantBalancerError(e));
  }

  fail(p: PendingRecord, e: unknown): void {
    this.complete(p, toTenantBalancerError(e));
  }

  complete(p: PendingRecord, err: TenantBalancerError | null, md?: RecordMetadata): void {
    this.releaseOne(p);
    if (p.countedInGate && p.gateKey !== undefined) {
      p.countedInGate = false;
      this.onGateRecordDone(p.gateKey);
    }
    if (err) this.counters.failed++;
    else this.counters.sent++;
    p.done(err, md);
  }

  /** One buffer release for a whole batch: waiters wake once, not once per record. */
  releaseBatch(records: readonly PendingRecord[]): void {
    let bytes = 0;
    for (const p of records) {
      if (!p.reserved) continue;
      p.reserved = false;
      bytes += p.bytes;
    }
    if (bytes > 0) this.pool.release(bytes);
  }

  private releaseOne(p: PendingRecord): void {
    if (!p.reserved) return;
    p.reserved = false;
    this.pool.release(p.bytes);
  }
}
