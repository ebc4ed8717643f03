import type { TenantContext } from '../../machines/tenant.machine.js';
import type { TopicsPort } from '../ports/controller-ports.js';

/**
 * Who holds which partition (committed routes, moves in progress, reservations not yet in a route)
 * and how many partitions each topic has, as this controller counts them: a tenant placed in the
 * same tick as another must not pick the same partition, including one still being created.
 */
export class Capacity {
  private readonly reservations = new Map<string, number[]>();
  private readonly counts = new Map<string, number>();
  private readonly growing = new Map<string, Promise<void>>();

  constructor(
    private readonly topics: TopicsPort,
    /** every tenant actor's key and context */
    private readonly tenants: () => Iterable<readonly [string, TenantContext]>,
  ) {}

  async load(topic: string): Promise<void> {
    this.counts.set(topic, await this.topics.partitionCount(topic));
  }

  partitionCount(topic: string): number | undefined {
    return this.counts.get(topic);
  }

  /** partition -> key of the tenant holding it, leaving out `except` */
  owners(except: string): Map<number, string> {
    const m = new Map<number, string>();
    for (const [key, c] of this.tenants()) {
      if (key === except) continue;
      for (const p of [...c.partitions, ...(c.target ?? []), ...(this.reservations.get(key) ?? [])])
        m.set(p, key);
    }
    return m;
  }

  reserve(key: string, partitions: number[]): void {
    this.reservations.set(key, partitions);
  }

  release(key: string): void {
    this.reservations.delete(key);
  }

  /**
   * Grows the topic to `total` partitions. Counted at once, before the await, so a tenant placed in
   * the same tick does not pick the same new partition; grows of one topic run one at a time
   * (concurrent createPartitions collide). On failure the count goes back to what the broker says.
   */
  growTo(topic: string, total: number): Promise<void> {
    this.counts.set(topic, Math.max(this.counts.get(topic) ?? 0, total));
    const run = (this.growing.get(topic) ?? Promise.resolve()).then(async () => {
      try {
        if ((await this.topics.partitionCount(topic)) < total) await this.topics.grow(topic, total);
      } catch (e) {
        this.counts.set(topic, await this.topics.partitionCount(topic).catch(() => total));
        throw e;
      }
    });
    this.growing.set(
      topic,
      run.catch(() => undefined),
    );
    return run;
  }
}
