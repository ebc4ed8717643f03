import { Fifo } from './fifo.js';

/**
 * Records a settled drain released, per tenant, waiting for their turn to be sent; pure bookkeeping
 * (no timers, no I/O). While a tenant has a backlog here, its new records queue behind it, so its
 * order holds. `release` hands out records a byte budget at a time, one tenant after another (round
 * robin), so one tenant's backlog cannot fill a request that every other tenant waits behind.
 */
export class ReleaseQueue<R> {
  private readonly queues = new Map<string, Fifo<R>>();

  constructor(private readonly sizeOf: (r: R) => number) {}

  get size(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  get isEmpty(): boolean {
    return this.queues.size === 0;
  }

  has(key: string): boolean {
    return this.queues.has(key);
  }

  /** Released records of a tenant, oldest first, behind any it still has queued. */
  add(key: string, records: Iterable<R>): void {
    let q = this.queues.get(key);
    for (const r of records) {
      if (q === undefined) this.queues.set(key, (q = new Fifo<R>()));
      q.push(r);
    }
  }

  /** Queues a new record behind the tenant's backlog; false when it has none (send it normally). */
  append(key: string, record: R): boolean {
    const q = this.queues.get(key);
    if (q === undefined) return false;
    q.push(record);
    return true;
  }

  /** Removes and returns the tenant's whole backlog, oldest first (a new drain holds it). */
  take(key: string): R[] {
    const q = this.queues.get(key);
    if (q === undefined) return [];
    this.queues.delete(key);
    const out: R[] = [];
    for (let r = q.shift(); r !== undefined; r = q.shift()) out.push(r);
    return out;
  }

  /**
   * Hands records to `admit` until `budget` bytes are spent or `more()` says stop, one tenant's
   * backlog after another; a tenant whose turn ends with records left goes to the back. `admit`
   * may call `take` for the tenant it is given (a new drain): its turn then ends. Returns the
   * bytes spent.
   */
  release(budget: number, more: () => boolean, admit: (key: string, record: R) => void): number {
    let left = budget;
    while (this.queues.size > 0 && left > 0 && more()) {
      const [key, q] = this.queues.entries().next().value as [string, Fifo<R>];
      while (q.length > 0 && left > 0 && more() && this.queues.get(key) === q) {
        const r = q.shift()!;
        left -= this.sizeOf(r);
        admit(key, r);
      }
      if (this.queues.get(key) !== q) continue; // taken by `admit`
      this.queues.delete(key);
      if (q.length > 0) this.queues.set(key, q); // to the back of the round
    }
    return budget - left;
  }
}
