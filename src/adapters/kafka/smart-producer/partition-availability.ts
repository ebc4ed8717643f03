import { ErrorCode, TenantBalancerError, isTenantBalancerError } from '../../../domain/errors.js';

/** Wait before attempt `n` (0-based) of a bounded re-check: 50, 100, 200, 400 ... ms, at most `capMs`. */
export const backoffMs = (attempt: number, baseMs = 50, capMs = 1000): number =>
  Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));

/**
 * Once fresh metadata showed a partition still missing after a record's full wait, records routed
 * there fail at once for this long (no wait, no metadata request); the next one after it waits for
 * one fresh look only.
 */
export const MISSING_RECHECK_MS = 1000;

/** What PartitionAvailability needs of a routed record. */
export interface RoutedRecord {
  readonly topic: string;
  readonly tenant: string | undefined;
  /** `topic/tenant`: a tenant's records leave in order, whichever partitions they go to */
  readonly gateKey: string | undefined;
  readonly routedPartition: number | undefined;
  readonly routeEpoch: number;
  /** set when the application named the partition itself */
  readonly partition: number | undefined;
  readonly enqueuedAt: number;
}

export interface PartitionAvailabilityDeps<T> {
  /** max.block.ms: the longest a record waits for its partition to appear */
  readonly maxWaitMs: number;
  /** The topic's partition count from fresh metadata; rejects with KTB_TOPIC_MISSING when the topic is gone. */
  readonly fetchCount: (topic: string) => Promise<number>;
  /** its partition exists now: the record goes to its batch (called in each key's order) */
  readonly ready: (record: T) => void;
  readonly fail: (record: T, err: TenantBalancerError) => void;
  readonly now?: () => number;
}

interface Waiting<T> {
  readonly record: T;
  readonly deadline: number;
}

/** A sleeping re-check loop of one topic (null while it is fetching metadata). */
type Loop = { readonly until: number; readonly wake: () => void } | null;

const missingKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Records routed to a partition the topic does not have (yet). A pin may route a tenant to a
 * partition the controller has just added, before this producer's metadata has it; a bad route may
 * name one that never comes. Such a record waits here, without holding up other tenants, while the
 * topic's metadata is re-read with back-off; it goes to its batch when the partition appears, or
 * fails with KTB_ROUTE_PARTITION_MISSING once max.block.ms has passed (then every record waiting for
 * that partition fails, and later ones fail at once for MISSING_RECHECK_MS). A tenant's later
 * records wait behind its waiting ones, so its order holds. Untenanted records keep order per partition.
 */
export class PartitionAvailability<T extends RoutedRecord> {
  private readonly byTopic = new Map<string, Map<string, Waiting<T>[]>>();
  private readonly counts = new Map<string, number>();
  /** topic + partition -> when fresh metadata last showed it missing after a full wait */
  private readonly missing = new Map<string, number>();
  private readonly loops = new Map<string, Loop>();
  private readonly now: () => number;
  private closing = false;
  /** records waiting */
  size = 0;

  constructor(private readonly deps: PartitionAvailabilityDeps<T>) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * True when the routed record may go to its batch now (`count`: the topic's partitions as known).
   * Otherwise it waits here or, when its partition is known to be missing, has failed.
   */
  admit(record: T, count: number): boolean {
    const partition = record.routedPartition!;
    if (this.size === 0 && partition < count) return true;
    const key = record.gateKey ?? missingKey(record.topic, partition);
    const queue = this.byTopic.get(record.topic)?.get(key);
    if (queue === undefined && partition < count) return true;
    const now = this.now();
    let deadline = record.enqueuedAt + this.deps.maxWaitMs;
    if (partition >= count) {
      const confirmedAt = this.missing.get(missingKey(record.topic, partition));
      if (confirmedAt !== undefined && now - confirmedAt < MISSING_RECHECK_MS) {
        this.deps.fail(record, this.missingError(record, count, now));
        return false;
      }
      if (confirmedAt !== undefined) deadline = now; // one fresh look, not a whole wait again
    }
    if (this.closing) deadline = now;
    this.counts.set(record.topic, Math.max(count, this.counts.get(record.topic) ?? 0));
    let queues = this.byTopic.get(record.topic);
    if (queues === undefined) this.byTopic.set(record.topic, (queues = new Map()));
    if (queue === undefined) queues.set(key, [{ record, deadline }]);
    else queue.push({ record, deadline });
    this.size++;
    this.kick(record.topic, deadline);
    return false;
  }

  /** The producer is closing: records still without their partition after one fresh look fail now. */
  close(): void {
    this.closing = true;
    for (const loop of this.loops.values()) loop?.wake();
  }

  /**
   * Applies a fresh partition count of `topic`: records whose partition exists go (in order per
   * key), records whose partition is still missing after their wait fail, with every other record
   * waiting for that partition.
   */
  settle(topic: string, count: number, now: number): void {
    const queues = this.byTopic.get(topic);
    this.counts.set(topic, count);
    for (const k of [...this.missing.keys()])
      if (k.startsWith(`${topic}\u0000`) && Number(k.slice(topic.length + 1)) < count) this.missing.delete(k);
    if (queues === undefined) return;
    const confirmed = new Set<number>();
    for (const queue of queues.values())
      for (const w of queue) {
        const partition = w.record.routedPartition!;
        if (partition >= count && (this.closing || now >= w.deadline)) confirmed.add(partition);
      }
    for (const partition of confirmed) this.missing.set(missingKey(topic, partition), now);
    const ready: T[] = [];
    const failed: T[] = [];
    for (const [key, queue] of queues) {
      const kept = queue.filter((w) => {
        if (!confirmed.has(w.record.routedPartition!)) return true;
        failed.push(w.record);
        return false;
      });
      let i = 0;
      while (i < kept.length && kept[i]!.record.routedPartition! < count) ready.push(kept[i++]!.record);
      if (i === kept.length) queues.delete(key);
      else queues.set(key, kept.slice(i));
    }
    if (queues.size === 0) this.byTopic.delete(topic);
    this.size -= ready.length + failed.length;
    for (const r of failed) this.deps.fail(r, this.missingError(r, count, now));
    for (const r of ready) this.deps.ready(r);
  }

  private missingError(r: T, count: number, now: number): TenantBalancerError {
    const p = r.routedPartition!;
    const who = r.tenant === undefined ? 'a record without a tenant' : `tenant "${r.tenant}"`;
    const why =
      r.partition !== undefined
        ? `the record names partition ${p} explicitly`
        : `its route (epoch ${r.routeEpoch}) names partition ${p}`;
    return new TenantBalancerError(
      ErrorCode.RoutePartitionMissing,
      `partition ${p} of topic "${r.topic}" does not exist: the topic has ${count} partition(s) (fresh metadata, after waiting ${now - r.enqueuedAt} ms; max.block.ms ${this.deps.maxWaitMs}); the record of ${who} was not sent, ${why}. Grow the topic to more than ${p} partitions (the controller does before it routes there) or give the tenant a route within the topic (tenant-balancer pin/unpin); other tenants are not affected.`,
    );
  }

  /** Starts the topic's re-check loop, or wakes it early for a record whose wait ends sooner. */
  private kick(topic: string, deadline: number): void {
    const loop = this.loops.get(topic);
    if (loop === undefined) {
      this.loops.set(topic, null);
      void this.run(topic);
    } else if (loop !== null && deadline < loop.until) loop.wake();
  }

  private async run(topic: string): Promise<void> {
    try {
      for (let attempt = 0; this.byTopic.has(topic); attempt++) {
        let count = this.counts.get(topic) ?? 0;
        try {
          count = await this.deps.fetchCount(topic);
        } catch (e) {
          if (isTenantBalancerError(e, ErrorCode.TopicMissing)) {
            this.failAll(topic, e);
            break;
          }
          // No metadata for now (a broker blip): the last count stands and the deadlines still apply.
        }
        const now = this.now();
        this.settle(topic, count, now);
        const queues = this.byTopic.get(topic);
        if (queues === undefined) break;
        let next = Infinity;
        for (const queue of queues.values()) for (const w of queue) next = Math.min(next, w.deadline);
        await this.sleep(topic, Math.max(0, Math.min(backoffMs(attempt), next - now)));
      }
    } catch (e) {
      this.failAll(
        topic,
        new TenantBalancerError(
          ErrorCode.SendFailed,
          `waiting for partitions of "${topic}" failed: ${String(e)}`,
          {
            cause: e,
          },
        ),
      );
    } finally {
      this.loops.delete(topic);
    }
  }

  private sleep(topic: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.loops.set(topic, null);
        resolve();
      };
      const timer = setTimeout(wake, this.closing ? 0 : ms);
      this.loops.set(topic, { until: this.now() + ms, wake });
    });
  }

  private failAll(topic: string, err: TenantBalancerError): void {
    const queues = this.byTopic.get(topic);
    this.byTopic.delete(topic);
    for (const queue of queues?.values() ?? [])
      for (const w of queue) {
        this.size--;
        this.deps.fail(w.record, err);
      }
  }
}
