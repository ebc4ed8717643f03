import { Subject, type Observable } from 'rxjs';
import { routeKey } from '../../domain/route-record.js';
import type { DrainAck, ReceivedReport } from '../../domain/wire-records.js';
import { sawRecord, type ProducerView } from '../../policy/producer-lease.js';

const MAX_VIEWS = 100_000;

/**
 * What producers told the controller: drain acks (per tenant and epoch), each producer's last report
 * (when, and how far its routing view got) and who is alive. `changes$` ticks after every update, so
 * a drain waiting for acks re-checks when something it waits for may have changed.
 */
export class ProducerAcks {
  private readonly acks = new Map<string, Map<number, Set<string>>>();
  private readonly views = new Map<string, ProducerView>();
  private alive: ReadonlySet<string> = new Set();
  private aliveKnown = false;
  private readonly changes = new Subject<void>();
  readonly changes$: Observable<void> = this.changes.asObservable();

  onAck(a: DrainAck): void {
    const key = routeKey(a.topic, a.tenant);
    let byEpoch = this.acks.get(key);
    if (byEpoch === undefined) this.acks.set(key, (byEpoch = new Map()));
    let set = byEpoch.get(a.epoch);
    if (set === undefined) byEpoch.set(a.epoch, (set = new Set()));
    set.add(a.producerId);
    this.changes.next();
  }

  onReport({ report, at }: ReceivedReport): void {
    this.views.set(report.producerId, { reportAt: at, routesApplied: report.routesApplied });
    if (this.views.size > MAX_VIEWS) this.views.clear();
    this.changes.next();
  }

  /**
   * The producers a window saw alive; `complete` once the windows have observed for a whole window
   * (a window closed right after observing began has not heard every producer yet).
   */
  setAlive(producers: readonly string[], complete = true): void {
    this.alive = new Set(producers);
    if (complete) this.aliveKnown = true;
    this.changes.next();
  }

  /**
   * false until a complete window said who is alive: a Controller that has just started must not take
   * "no producer reported yet" for "no producer", or a drain it resumed would skip every ack.
   */
  get knowsWhoIsAlive(): boolean {
    return this.aliveKnown;
  }

  liveProducers(): string[] {
    return [...this.alive];
  }

  view(producerId: string): ProducerView | undefined {
    return this.views.get(producerId);
  }

  /**
   * Producers whose ack for this tenant's epoch counts: the acks topic is untrusted, so an ack counts
   * only once the producer's own reports show it applied the draining record (at `announceOffset`).
   */
  acked(key: string, epoch: number, announceOffset: number): Set<string> {
    const acks = this.acks.get(key)?.get(epoch);
    return new Set([...(acks ?? [])].filter((p) => sawRecord(this.views.get(p), announceOffset)));
  }

  forget(key: string): void {
    this.acks.delete(key);
  }
}
