import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, IHeaders, Kafka } from 'kafkajs';
import { Subject, type Observable } from 'rxjs';
import { ErrorCode, TenantBalancerError } from '../../domain/errors.js';
import { decodeRoutingRecord, type RoutingEntry } from '../../domain/route-record.js';
import { RoutingTable } from '../../domain/routing-table.js';
import type { Logger } from '../logger.js';

export interface RoutingReaderOptions {
  readonly routingTopic: string;
  readonly logger: Logger;
  /** How often the position is compared with the routing topic's end offset (view freshness). */
  readonly freshnessCheckMs: number;
  readonly now?: () => number;
}

const stringHeaders = (h: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined) out[k] = one.toString();
  }
  return out;
};

export interface AppliedChange {
  readonly entry: RoutingEntry;
  /** ms from the record's updatedAt to its application here (route propagation latency). */
  readonly latencyMs: number | undefined;
  /** true while replaying history before the first catch-up. */
  readonly replay: boolean;
  /** the record's string headers (trace context from the controller's write); empty in replay */
  readonly headers: Readonly<Record<string, string>>;
}

/** kafkajs decodes each record's batch attributes into `batchContext` (not in its typings). */
const inTransaction = (m: object): boolean =>
  (m as { batchContext?: { inTransaction?: boolean } }).batchContext?.inTransaction === true;

/**
 * Keeps a RoutingTable in memory: reads the compacted routing topic from the beginning, then
 * follows it. Its freshness ("view age") is the time since its position last reached the topic's
 * end offset, checked on a timer, so a reader cut off from Kafka ages and the lease can trip.
 * Malformed records are skipped, counted and logged with a code; the last good route stands.
 */
export class RoutingReader {
  readonly table = new RoutingTable();
  private readonly changesSubject = new Subject<AppliedChange>();
  readonly changes: Observable<AppliedChange> = this.changesSubject.asObservable();
  malformed = 0;
  /** well-formed records refused: not written by a controller transaction, or against the route rules */
  rejected = 0;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private position = new Map<number, number>();
  private lastCaughtUpAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private caughtUpWaiters: (() => void)[] = [];
  private readonly now: () => number;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: RoutingReaderOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get caughtUp(): boolean {
    return this.lastCaughtUpAt !== undefined;
  }

  /** next offset to apply on the (single-partition) routing topic: every record below it is applied */
  get appliedOffset(): number | undefined {
    return this.position.get(0);
  }

  /** true once the view reached the routing topic's end as checked at or after time t */
  caughtUpSince(t: number): boolean {
    return this.lastCaughtUpAt !== undefined && this.lastCaughtUpAt >= t;
  }

  /** ms since the view last reached the routing topic's end; Infinity before the first catch-up. */
  viewAgeMs(now = this.now()): number {
    return this.lastCaughtUpAt === undefined ? Infinity : Math.max(0, now - this.lastCaughtUpAt);
  }

  async start(timeoutMs: number): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const topics = await this.admin.listTopics();
    if (!topics.includes(this.opts.routingTopic)) {
      await this.admin.disconnect();
      throw new TenantBalancerError(
        ErrorCode.TopicMissing,
        `routing topic "${this.opts.routingTopic}" does not exist; run \`tenant-balancer topics create\` (it creates the internal topics) or point routingTopic at the right one.`,
      );
    }
    // A fresh group per reader: it always replays the whole compacted topic and never commits.
    this.consumer = this.kafka.consumer({
      groupId: `ktb-routes-${randomUUID()}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30_000,
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.opts.routingTopic, fromBeginning: true });
    // The position comes from kafkajs's end-of-batch event, which also fires for a batch that held
    // only a transaction marker (eachBatch is not called for those, and the marker takes an offset:
    // without it the view would never reach the topic's end after a transactional write).
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const last = Number(payload.lastOffset);
      if (!Number.isNaN(last)) this.advance(payload.partition, last + 1);
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          // The position passes each record as it is applied, before its change event: a drain ack
          // sent from that event reports this position, and the controller counts an ack only
          // from a producer whose position is past the draining record.
          this.advance(batch.partition, Number(m.offset) + 1);
          this.applyRecord(m.key, m.value, Number(m.offset), m.headers, inTransaction(m));
        }
      },
    });
    const caught = new Promise<void>((resolve) => this.caughtUpWaiters.push(resolve));
    this.timer = setInterval(() => void this.checkFreshness(), this.opts.freshnessCheckMs);
    void this.checkFreshness();
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        caught,
        new Promise<never>((_, reject) => {
          timeout = setTimeout(
            () =>
              reject(
                new TenantBalancerError(
                  ErrorCode.BrokerUnreachable,
                  `could not read routing topic "${this.opts.routingTopic}" to its end within ${timeoutMs} ms; is the broker up?`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (e) {
      await this.stop();
      throw e;
    } finally {
      clearTimeout(timeout);
    }
  }

  private advance(partition: number, next: number): void {
    this.position.set(partition, Math.max(this.position.get(partition) ?? 0, next));
  }

  private applyRecord(
    key: Buffer | null,
    value: Buffer | null,
    offset: number,
    rawHeaders: IHeaders | undefined,
    transactional: boolean,
  ): void {
    const r = decodeRoutingRecord(key, value);
    if (!r.ok) {
      this.malformed++;
      this.opts.logger.warn({ code: r.error.code, offset, topic: this.opts.routingTopic }, r.error.message);
      return;
    }
    // Controllers write routes in transactions (the broker fences an older controller's writes);
    // a plain write to the routing topic is a stray or forged record. Pool layouts come from
    // `topics create` and are checked by the route rules instead.
    const refusal =
      r.entry.kind !== 'pools' && !transactional
        ? 'not written by a controller (route records are written in Kafka transactions)'
        : this.table.apply(r.entry) === 'rejected'
          ? this.table.lastRejection
          : undefined;
    if (refusal !== undefined) {
      this.rejected++;
      this.opts.logger.warn(
        {
          code: ErrorCode.RouteRejected,
          offset,
          topic: this.opts.routingTopic,
          key: key?.toString('utf8').slice(0, 300),
        },
        `ignored routing record: ${refusal}`,
      );
      return;
    }
    const latencyMs = r.entry.kind === 'tombstone' ? undefined : this.now() - r.entry.updatedAt;
    const replay = !this.caughtUp;
    this.changesSubject.next({
      entry: r.entry,
      latencyMs,
      replay,
      headers: replay ? {} : stringHeaders(rawHeaders),
    });
  }

  private async checkFreshness(): Promise<void> {
    if (this.checking || this.admin === undefined) return;
    this.checking = true;
    const askedAt = this.now();
    try {
      const ends = await this.admin.fetchTopicOffsets(this.opts.routingTopic);
      if (ends.every((e) => (this.position.get(e.partition) ?? 0) >= Number(e.high))) {
        this.lastCaughtUpAt = askedAt;
        for (const w of this.caughtUpWaiters.splice(0)) w();
      }
    } catch (e) {
      this.opts.logger.debug({ err: e }, 'routing freshness check failed; the view ages');
    } finally {
      this.checking = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const c = this.consumer;
    const a = this.admin;
    this.consumer = undefined;
    this.admin = undefined;
    await Promise.allSettled([c?.disconnect(), a?.disconnect()]);
    this.changesSubject.complete();
  }
}
