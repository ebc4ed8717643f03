import { ErrorCode, TenantBalancerError } from '../../../domain/errors.js';
import { Fifo } from '../../../domain/fifo.js';
import { tenantId } from '../../../domain/ids.js';
import { routeKey } from '../../../domain/route-record.js';
import type { RoutingTable } from '../../../domain/routing-table.js';
import { Headers } from '../../../domain/record-headers.js';
import type { BufferPool } from './buffer-pool.js';
import type { Completion } from './completion.js';
import type { SmartProducerOptions } from './options.js';
import type { PartitionCounts } from './partition-counts.js';
import type { PendingRecord } from './pending-record.js';
import type { Serializer } from './serializers.js';
import type { SmartRecord } from './types.js';

/** What the intake needs of the routing view: is a topic managed, and how old is the view. */
export interface RoutingView {
  readonly table: Pick<RoutingTable, 'pools'>;
  viewAgeMs(): number;
}

export interface IntakeDeps<V> {
  readonly options: Pick<SmartProducerOptions, 'maxBlockMs' | 'maxRequestSize' | 'routeLeaseMs'>;
  readonly serializer: Serializer<V>;
  readonly pool: BufferPool;
  readonly counts: PartitionCounts;
  readonly view: RoutingView;
  /** the application's offered traffic, counted once per record in send() order */
  readonly countTraffic: (topic: string, tenant: string, bytes: number) => void;
  /** the record is accepted (serialized, sized, buffer reserved): route it */
  readonly route: (p: PendingRecord, partitionCount: number) => void;
  readonly completion: Pick<Completion, 'refuse' | 'fail'>;
  /** the intake emptied (the producer may be idle now) */
  readonly onEmpty: () => void;
  readonly now?: () => number;
}

type Step = { wait: Promise<unknown> } | 'accepted';

/**
 * Accepts records strictly in send() order. One that must wait (an async serializer, the topic's
 * metadata, buffer.memory, a stale routing view) holds the ones behind it, as the Java producer
 * blocks its caller, and fails alone after max.block.ms; the ones behind it then go on.
 */
export class Intake<V> {
  private readonly queue = new Fifo<PendingRecord>();
  private pumping = false;
  private readonly now: () => number;

  constructor(private readonly deps: IntakeDeps<V>) {
    this.now = deps.now ?? Date.now;
  }

  get length(): number {
    return this.queue.length;
  }

  offer(record: SmartRecord<V>, done: PendingRecord['done']): void {
    let value: Buffer | Promise<Buffer>;
    try {
      if (record.tenant !== undefined) tenantId(record.tenant);
      value = this.deps.serializer.serialize(record.value, { topic: record.topic, tenant: record.tenant });
      // It may reject while an earlier record holds the head: mark it handled now, it is read (and
      // its record failed alone) when it reaches the head.
      if (value instanceof Promise) value.catch(() => undefined);
    } catch (e) {
      this.deps.completion.refuse(done, e);
      return;
    }
    const headers: Record<string, string | Buffer> = { ...record.headers };
    if (record.tenant !== undefined) headers[Headers.tenantId] = record.tenant;
    this.queue.push({
      topic: record.topic,
      tenant: record.tenant,
      gateKey: record.tenant === undefined ? undefined : routeKey(record.topic, record.tenant),
      key: record.key ?? null,
      secondaryKey: record.secondaryKey,
      value,
      headers,
      partition: record.partition,
      enqueuedAt: this.now(),
      bytes: 0,
      reserved: false,
      countedInGate: false,
      routedPartition: undefined,
      routeEpoch: 0,
      done,
    });
    this.pump();
  }

  /** Accepts records in order; the first that must wait suspends the pump until it can go. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const p = this.queue.peek()!;
        let step: Step;
        try {
          step = this.tryAccept(p);
        } catch (e) {
          this.dropHead(p, e);
          continue;
        }
        if (step === 'accepted') {
          this.queue.shift();
          continue;
        }
        step.wait.then(
          () => this.resume(),
          (e: unknown) => {
            this.dropHead(p, e);
            this.resume();
          },
        );
        return;
      }
      this.pumping = false;
      this.deps.onEmpty();
    } catch (e) {
      this.pumping = false;
      throw e;
    }
  }

  private resume(): void {
    this.pumping = false;
    this.pump();
  }

  /** The head could not be accepted: it fails alone, the ones behind it go on. */
  private dropHead(p: PendingRecord, e: unknown): void {
    this.queue.shift();
    this.deps.completion.fail(p, e);
  }

  private tryAccept(p: PendingRecord): Step {
    const { options, pool, view } = this.deps;
    if (p.value instanceof Promise) {
      const v = p.value;
      return { wait: v.then((b) => (p.value = b)) };
    }
    if (p.bytes === 0) {
      p.bytes = p.value.length + (Buffer.isBuffer(p.key) ? p.key.length : (p.key?.length ?? 0)) + 64;
      // Traffic is what the application offers, counted once in send() order: records held by a
      // drain and released later must not show up as a burst.
      if (p.tenant !== undefined) this.deps.countTraffic(p.topic, p.tenant, p.value.length);
      if (p.value.length > options.maxRequestSize) {
        throw new TenantBalancerError(
          ErrorCode.RecordTooLarge,
          `record of ${p.value.length} bytes exceeds max.request.size (${options.maxRequestSize}); split it or raise maxRequestSize (and the topic's max.message.bytes)`,
        );
      }
    }
    const count = this.deps.counts.get(p.topic);
    if (count === undefined) return { wait: this.deps.counts.refresh(p.topic) };

    const managed = view.table.pools(p.topic) !== undefined;
    if (managed && p.tenant !== undefined && view.viewAgeMs() > options.routeLeaseMs) {
      // Any tenant may be moving and this producer cannot know: block rather than misroute.
      return this.waitOrFail(
        p,
        ErrorCode.RouteLeaseExpired,
        `routing view is ${Math.round(view.viewAgeMs())} ms old (lease ${options.routeLeaseMs} ms); waited`,
        // a fresh promise per wait: reactions on a shared never-settling one would pile up
        new Promise(() => undefined),
      );
    }
    if (!p.reserved) {
      if (!pool.fits(p.bytes)) {
        return this.waitOrFail(
          p,
          ErrorCode.BufferFull,
          `buffer.memory (${pool.capacity} bytes) full`,
          pool.nextRelease(),
        );
      }
      pool.reserve(p.bytes);
      p.reserved = true;
    }
    this.deps.route(p, count);
    return 'accepted';
  }

  /** Waits for `until` (re-checking at least every 50 ms), or fails once max.block.ms has passed. */
  private waitOrFail(p: PendingRecord, code: ErrorCode, why: string, until: Promise<unknown>): Step {
    const { maxBlockMs } = this.deps.options;
    const waited = this.now() - p.enqueuedAt;
    if (waited >= maxBlockMs)
      throw new TenantBalancerError(
        code,
        `${why} for ${maxBlockMs} ms (max.block.ms); record for tenant "${p.tenant ?? '-'}" on "${p.topic}" was not sent`,
      );
    const left = maxBlockMs - waited;
    return {
      wait: Promise.race([until, new Promise((r) => setTimeout(r, Math.max(1, Math.min(left, 50))))]),
    };
  }
}
