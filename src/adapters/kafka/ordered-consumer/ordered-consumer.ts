import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { ErrorCode } from '../../../domain/errors.js';
import { createLogger, type Logger } from '../../logger.js';
import { RoutingReader } from '../routing-reader.js';
import { GateAnnouncer } from './gate-announcer.js';
import { GateTelemetry } from './gate-telemetry.js';
import { GateView } from './gate-view.js';
import { placeRecord } from './place-record.js';
import { PartitionLane, type Placement } from './partition-lane.js';
import { consumerStats } from './stats.js';
import type { OrderedConsumerOptions, OrderedConsumerStats, OrderedRunConfig } from './types.js';

/**
 * A kafkajs consumer for a managed topic that keeps each tenant's order across moves without making
 * producers wait (docs/protocol.md, "The consumer gate"): a record of a moved tenant's new epoch is
 * processed only once this consumer's own group has committed past the move's fence (and every
 * earlier fence of the tenant) on the partitions the tenant left. Until then the tenant is held: on
 * its own partition the partition pauses; on a shared one its records wait aside, bounded, while the
 * other tenants flow. The group commits only what was processed (never past a held record), and this
 * member announces itself so the controller knows the group needs no stop-and-wait.
 */
export class OrderedConsumer {
  private readonly log: Logger;
  private readonly reader: RoutingReader;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private view: GateView | undefined;
  private announcer: GateAnnouncer | undefined;
  private telemetry: GateTelemetry | undefined;
  private lanes = new Map<string, PartitionLane<KafkaMessage>>();
  private handlers: OrderedRunConfig = {};
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private readonly releaseQueued = new Set<PartitionLane<KafkaMessage>>();
  private counts = { processed: 0, released: 0, pauses: 0 };
  private readonly commitIntervalMs: number;
  /** ms each hold lasted (a tenant held on a partition until its gate opened), the last 1000 */
  private readonly holdMs: number[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: OrderedConsumerOptions,
  ) {
    this.log = opts.logger ?? createLogger('ordered-consumer');
    this.commitIntervalMs = opts.commitIntervalMs ?? 100;
    this.reader = new RoutingReader(kafka, {
      routingTopic: opts.routingTopic ?? 'ktb.routes',
      logger: this.log,
      freshnessCheckMs: 1000,
    });
  }

  async run(handlers: OrderedRunConfig): Promise<void> {
    if ((handlers.eachMessage === undefined) === (handlers.eachBatch === undefined))
      throw new TypeError('OrderedConsumer.run: give exactly one of eachMessage or eachBatch');
    this.handlers = handlers;
    const { groupId, topics } = this.opts;
    await this.reader.start(this.opts.startTimeoutMs ?? 30_000);
    this.reader.changes.subscribe(({ entry, headers }) => {
      if (entry.kind === 'route') this.telemetry?.noteRoute(entry.topic, entry.tenant, headers);
    });
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.view = new GateView(this.reader.table, this.admin, groupId, {
      routing: this.reader,
      now: Date.now,
      found: (topic, tenant, epoch) =>
        this.log.warn(
          { code: ErrorCode.OrphanEpoch, topic, tenant, epoch },
          'a record names a route epoch the routing topic does not have (forged or copied header, or a deleted route); processed without a gate',
        ),
    });
    this.telemetry = new GateTelemetry(groupId, () => this.heldRecords());
    this.announcer = new GateAnnouncer(this.kafka, {
      acksTopic: this.opts.acksTopic ?? 'ktb.acks',
      groupId,
      topics,
      everyMs: this.opts.announceEveryMs ?? 5000,
      routesApplied: () => this.reader.appliedOffset,
      logger: this.log,
    });
    await this.announcer.start();
    // a short metadata age: partitions the controller adds are seen within a second
    const consumer = this.kafka.consumer({ metadataMaxAge: 1000, ...this.opts.consumer, groupId });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onJoin(payload.memberId));
    await consumer.connect();
    for (const topic of topics)
      await consumer.subscribe({ topic, fromBeginning: this.opts.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const lane = this.lane(batch.topic, batch.partition);
        await lane.exclusive(async () => {
          await this.release(lane);
          // Records to process go to the application in runs (eachBatch) or one by one (eachMessage);
          // the log position is resolved only once what precedes it was delivered.
          const run: KafkaMessage[] = [];
          let taken: string | undefined;
          const flush = async () => {
            if (run.length > 0) await this.deliver(lane, run.splice(0));
            if (taken !== undefined) resolveOffset(taken);
            taken = undefined;
          };
          const maxRun = this.handlers.eachBatch !== undefined ? 500 : 1;
          let committedAt = Date.now();
          for (const m of batch.messages) {
            if (!isRunning() || isStale()) break;
            const placement = this.place(lane, m);
            if (placement === 'pause') {
              await flush();
              this.pause(lane, m);
              break;
            }
            if (placement === 'process') run.push(m);
            taken = m.offset;
            if (run.length >= maxRun) await flush();
            // A long batch commits as it goes: other members (and this one's held tenants) wait for
            // exactly these commits to pass a fence. Held records are released only after the run
            // before them was delivered (a tenant's earlier records may be in it).
            if (Date.now() - committedAt >= this.commitIntervalMs) {
              await flush();
              await this.release(lane);
              await this.commit(lane);
              await heartbeat();
              committedAt = Date.now();
            }
          }
          await flush();
          await this.commit(lane);
          await heartbeat();
        });
      },
    });
    this.timer = setInterval(() => void this.checkHolds(), this.opts.gateCheckMs ?? 100);
  }

  /** Where one record from the log goes: process, aside (held), or pause the partition at it. */
  private place(lane: PartitionLane<KafkaMessage>, m: KafkaMessage): Placement {
    return placeRecord(lane, m, this.view!, this.telemetry);
  }

  /** Stops fetching the partition at a held record (kafkajs fetches from it again on resume). */
  private pause(lane: PartitionLane<KafkaMessage>, m: KafkaMessage): void {
    this.counts.pauses++;
    this.consumer!.pause([{ topic: lane.topic, partitions: [lane.partition] }]);
    this.consumer!.seek({ topic: lane.topic, partition: lane.partition, offset: m.offset });
  }

  private async deliver(lane: PartitionLane<KafkaMessage>, messages: KafkaMessage[]): Promise<void> {
    try {
      if (this.handlers.eachMessage !== undefined)
        for (const message of messages)
          await this.handlers.eachMessage({ topic: lane.topic, partition: lane.partition, message });
      else await this.handlers.eachBatch!({ topic: lane.topic, partition: lane.partition, messages });
      this.counts.processed += messages.length;
    } catch (e) {
      lane.rewind(Number(messages[0]!.offset));
      throw e;
    }
  }

  /** Processes the held records whose gate opened, in order; resumes a paused partition whose gate opened. */
  private async release(lane: PartitionLane<KafkaMessage>): Promise<void> {
    const view = this.view!;
    for (const tenant of lane.heldTenants()) {
      const since = lane.heldSince(tenant);
      let released = 0;
      for (let r = lane.peek(tenant); r !== undefined; r = lane.peek(tenant)) {
        if (view.verdict(lane.topic, lane.partition, r.tenant, r.epoch).kind !== 'pass') break;
        await this.deliver(lane, [r.message]);
        lane.shift(tenant);
        released++;
      }
      this.counts.released += released;
      if (lane.peek(tenant) === undefined) {
        this.telemetry?.released(lane.topic, lane.partition, tenant, released);
        if (since !== undefined) this.noteHold(Date.now() - since);
      }
    }
    const p = lane.pausedAt;
    if (p === undefined) return;
    const open = view.verdict(lane.topic, lane.partition, p.tenant, p.epoch).kind === 'pass';
    if (open || lane.heldRecords < (this.opts.maxHeldPerPartition ?? 1000)) {
      if (open && p.tenant !== undefined) {
        const since = lane.heldSince(p.tenant);
        this.telemetry?.released(lane.topic, lane.partition, p.tenant, 0);
        if (since !== undefined && lane.peek(p.tenant) === undefined) this.noteHold(Date.now() - since);
      }
      lane.pausedAt = undefined;
      this.consumer?.resume([{ topic: lane.topic, partitions: [lane.partition] }]);
    }
  }

  private async commit(lane: PartitionLane<KafkaMessage>): Promise<void> {
    const offset = lane.commitOffset();
    if (offset === undefined || this.consumer === undefined) return;
    if ((this.view!.committed(lane.topic, lane.partition) ?? -1) >= offset) return;
    try {
      await this.consumer.commitOffsets([
        { topic: lane.topic, partition: lane.partition, offset: String(offset) },
      ]);
      this.view!.noteOwnCommit(lane.topic, lane.partition, offset);
    } catch (e) {
      // a rebalance took the partition: its new owner starts from the last commit, which is safe
      this.log.debug({ err: (e as Error).message, partition: lane.partition }, 'commit refused');
    }
  }

  /**
   * Re-reads the group's commits and queues a release on every lane that holds something. The
   * release runs when the lane is free; a lane busy with a long batch releases from inside it (the
   * batch loop calls release as it commits), so a fresh view is what matters here.
   */
  private async checkHolds(): Promise<void> {
    if (this.checking) return;
    const waiting = [...this.lanes.values()].filter((l) => l.heldRecords > 0 || l.pausedAt !== undefined);
    if (waiting.length === 0) return;
    this.checking = true;
    try {
      await this.view!.refresh([...new Set(waiting.map((l) => l.topic))]);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'checking held tenants failed; retrying');
      return;
    } finally {
      this.checking = false;
    }
    for (const l of waiting) {
      if (this.releaseQueued.has(l)) continue;
      this.releaseQueued.add(l);
      void l
        .exclusive(async () => {
          this.releaseQueued.delete(l);
          await this.release(l);
          await this.commit(l);
        })
        .catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'releasing held records failed'));
    }
  }

  /** A (re)join: every partition restarts from the group's commit, so nothing held is kept. */
  private onJoin(memberId: string): void {
    for (const l of this.lanes.values())
      if (l.pausedAt !== undefined) this.consumer?.resume([{ topic: l.topic, partitions: [l.partition] }]);
    this.lanes = new Map();
    this.view?.forgetOwnCommits();
    this.telemetry?.dropped('rebalance');
    void this.announcer?.joined(memberId);
  }

  private lane(topic: string, partition: number): PartitionLane<KafkaMessage> {
    const key = `${topic}/${partition}`;
    let lane = this.lanes.get(key);
    if (lane === undefined)
      this.lanes.set(
        key,
        (lane = new PartitionLane(topic, partition, this.opts.maxHeldPerPartition ?? 1000)),
      );
    return lane;
  }

  private noteHold(ms: number): void {
    this.holdMs.push(ms);
    if (this.holdMs.length > 1000) this.holdMs.shift();
  }

  private heldRecords(): number {
    let n = 0;
    for (const l of this.lanes.values()) n += l.heldRecords;
    return n;
  }

  stats(now = Date.now()): OrderedConsumerStats {
    return consumerStats(
      {
        groupId: this.opts.groupId,
        memberId: this.announcer?.member,
        ...this.counts,
        orphanEpochs: this.view?.orphanEpochs ?? 0,
      },
      this.holdMs,
      [...this.lanes.values()],
      now,
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.announcer?.stop();
    await this.admin?.disconnect().catch(() => undefined);
    await this.reader.stop();
    this.telemetry?.dropped('stopped');
  }
}
