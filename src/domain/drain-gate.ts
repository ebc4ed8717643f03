import { ErrorCode, TenantBalancerError } from './errors.js';

/**
 * The producer side of the draining protocol, as pure bookkeeping (no timers, no I/O).
 *
 * When a tenant's route turns `draining` at epoch e, records accepted before that moment are
 * ahead of the fence and still go to the old partitions; records accepted after it are held, in
 * order. Once every pre-drain record of the tenant is acknowledged by Kafka, the producer acks
 * epoch e (exactly once). When the settled route arrives, the held records are released in order.
 */
export interface PendingAck {
  readonly key: string;
  readonly epoch: number;
}

interface Gate<R> {
  epoch: number;
  held: R[];
  acked: boolean;
}

export class DrainGate<R> {
  private readonly inflight = new Map<string, number>();
  private readonly gates = new Map<string, Gate<R>>();

  isHeld(key: string): boolean {
    return this.gates.has(key);
  }

  heldCount(key: string): number {
    return this.gates.get(key)?.held.length ?? 0;
  }

  get gatedKeys(): string[] {
    return [...this.gates.keys()];
  }

  /** A record of this tenant was accepted onto its current (pre-drain) route. */
  accepted(key: string): void {
    this.inflight.set(key, (this.inflight.get(key) ?? 0) + 1);
  }

  inflightOf(key: string): number {
    return this.inflight.get(key) ?? 0;
  }

  hold(key: string, record: R): void {
    const g = this.gates.get(key);
    if (g === undefined)
      throw new TenantBalancerError(
        ErrorCode.Internal,
        `DrainGate.hold: ${key} is not gated; hold a record only while isHeld(key) is true (after draining(key, epoch))`,
      );
    g.held.push(record);
  }

  /** The route turned draining at `epoch`; returns the ack to publish now, if nothing is in flight. */
  draining(key: string, epoch: number): PendingAck | undefined {
    const g = this.gates.get(key);
    if (g !== undefined && g.epoch >= epoch) return undefined;
    if (g !== undefined) {
      g.epoch = epoch;
      g.acked = false;
    } else {
      this.gates.set(key, { epoch, held: [], acked: false });
    }
    return this.ackIfIdle(key);
  }

  /** n pre-drain records of the tenant completed (acknowledged or failed). */
  completed(key: string, n = 1): PendingAck | undefined {
    const left = (this.inflight.get(key) ?? 0) - n;
    if (left <= 0) this.inflight.delete(key);
    else this.inflight.set(key, left);
    return this.ackIfIdle(key);
  }

  /** The route settled (any non-draining state) at `epoch`: release the held records in order. */
  settled(key: string, epoch: number): R[] {
    const g = this.gates.get(key);
    if (g === undefined || epoch < g.epoch) return [];
    this.gates.delete(key);
    return g.held;
  }

  private ackIfIdle(key: string): PendingAck | undefined {
    const g = this.gates.get(key);
    if (g === undefined || g.acked || (this.inflight.get(key) ?? 0) > 0) return undefined;
    g.acked = true;
    return { key, epoch: g.epoch };
  }
}
